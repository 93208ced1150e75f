import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/core, bottom-up (src/core/README.md describes each). A folder may import the
 * folders listed before its own row; folders on one row are siblings and import none of each other.
 */
export const CORE_LAYERS = [
  ['util'],
  ['io'],
  ['stats', 'formats'],
  ['store'],
  ['keys'],
  ['hashing'],
  ['ingest'],
  ['integrity', 'behavior', 'audit'],
  ['scan'],
  ['incident'],
  ['report'],
  ['verify'],
  ['transfer'],
  ['api'],
];

/** Folders of src/ that are hosts or the UI: the core never imports them. */
const OUTSIDE_CORE = ['cli', 'main', 'preload', 'renderer', 'demo'];
const ELECTRON = {
  group: ['electron', 'electron/*'],
  message: 'src/core, src/shared and src/cli are plain Node: no electron import.',
};
/** Tests and their kits may reach any layer to set up and check; the layers bind shipped code. */
const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/testkit.ts'];

/**
 * One no-restricted-imports block per core folder. The core imports itself by relative paths, so
 * the forbidden folders are matched as the first folder after the leading "../" steps: from
 * src/core/audit/formats/x.ts, "../../report/model" reaches src/core/report.
 */
function coreLayerBlocks() {
  return CORE_LAYERS.flatMap((row, level) =>
    row.map((folder) => {
      const above = CORE_LAYERS.slice(level + 1).flat();
      const forbidden = [...row.filter((f) => f !== folder), ...above];
      const patterns = [ELECTRON];
      if (forbidden.length > 0)
        patterns.push({
          regex: `^(\\.\\./)+(core/)?(${forbidden.join('|')})(/|$)`,
          message: `src/core/${folder} imports only the layers below it (src/core/README.md); ${
            row.length > 1 ? `its siblings (${row.filter((f) => f !== folder).join(', ')}) and ` : ''
          }the layers above it are out of reach.`,
        });
      patterns.push({
        regex: `^(\\.\\./)+(${OUTSIDE_CORE.join('|')})(/|$)`,
        message: 'The core is imported by the hosts and the demo generator, never the other way round.',
      });
      return {
        files: [`src/core/${folder}/**/*.ts`],
        ignores: TEST_FILES,
        rules: { 'no-restricted-imports': ['error', { patterns }] },
      };
    }),
  );
}

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Layering: the domain never reaches for Electron, the UI never reaches into the domain.
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*'],
              message: 'src/core, src/shared and src/cli are plain Node: no electron import.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer's hooks: the rules of hooks, complete effect dependencies, and the compiler's checks.
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-hooks/exhaustive-deps': 'error',
      // Tells which components the React Compiler would skip; the build runs no compiler, and the
      // virtualized lists use @tanstack/react-virtual as its documentation shows.
      'react-hooks/incompatible-library': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', 'electron', 'node:*'],
              message: 'The renderer reaches the core only through the contract in src/shared.',
            },
          ],
        },
      ],
    },
  },
  ...coreLayerBlocks(),
  {
    files: ['src/shared/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['electron', 'electron/*', 'node:*'],
              message: 'src/shared is the contract: it imports nothing outside src/shared.',
            },
            {
              regex: '^\\.\\./',
              message: 'src/shared is the contract: it imports nothing outside src/shared.',
            },
          ],
        },
      ],
    },
  },
);
