import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

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
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '**/main/**', 'electron', 'node:*'],
              message: 'src/shared is the contract: it imports nothing outside src/shared.',
            },
          ],
        },
      ],
    },
  },
);
