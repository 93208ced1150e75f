/**
 * The layer table of src/core is kept by ESLint (eslint.config.js, one no-restricted-imports block
 * per core folder). These tests lint small files placed, by path, in each layer: an import of a
 * layer above, of a sibling, or of a host must be reported; an import of a layer below must not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers';
import { importGraph, sourceFiles } from './import-graph';

const eslint = new ESLint({ cwd: repoRoot });

/** The no-restricted-imports messages for `code` linted as if it were the file `file`. */
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const importOf = (spec: string) => `import * as m from '${spec}';\nexport const x = m;\n`;
/** The table itself, read from the config the linter runs (bottom-up rows of folder names). */
const { CORE_LAYERS: rows } = (await import(pathToFileURL(path.join(repoRoot, 'eslint.config.js')).href)) as {
  CORE_LAYERS: string[][];
};

describe('the core layer table in eslint.config.js', () => {
  it('lists every folder of src/core once, in the order of src/core/README.md', async () => {
    const folders = fs
      .readdirSync(path.join(repoRoot, 'src/core'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect([...rows.flat()].sort()).toEqual(folders);
    const readme = fs.readFileSync(path.join(repoRoot, 'src/core/README.md'), 'utf8');
    const table = readme.slice(0, readme.indexOf('```', readme.indexOf('```') + 3));
    const order = rows.map((row) =>
      Math.min(...row.map((f) => table.search(new RegExp(`^(.*· )?${f}\\b`, 'm')))),
    );
    // The README table is written top-down (api first), the config bottom-up.
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => b - a)).toEqual(order);
  });
});

describe('each core folder may import only the layers below it', () => {
  for (const [level, row] of rows.entries()) {
    for (const folder of row) {
      const file = `src/core/${folder}/zz-layer-probe.ts`;
      const above = rows[level + 1];
      if (above) {
        it(`src/core/${folder} cannot import src/core/${above[0]} (the layer above)`, async () => {
          expect(await restricted(file, importOf(`../${above[0]}/anything`))).toHaveLength(1);
        });
      }
      const top = rows[rows.length - 1]![0]!;
      if (top !== folder) {
        it(`src/core/${folder} cannot import src/core/${top} (the top)`, async () => {
          expect(await restricted(file, importOf(`../${top}/service`))).toHaveLength(1);
        });
      }
      const below = rows[level - 1];
      if (below) {
        it(`src/core/${folder} may import src/core/${below[0]} (the layer below) and src/shared`, async () => {
          expect(await restricted(file, importOf(`../${below[0]}/anything`))).toEqual([]);
          expect(await restricted(file, importOf('../../shared/contract'))).toEqual([]);
          expect(await restricted(file, importOf('./neighbour'))).toEqual([]);
        });
      }
    }
  }

  it('keeps the analysis stages apart: integrity, behavior and audit import none of each other', async () => {
    for (const [a, b] of [
      ['integrity', 'audit'],
      ['audit', 'behavior'],
      ['behavior', 'integrity'],
    ] as const) {
      const messages = await restricted(`src/core/${a}/zz.ts`, importOf(`../${b}/anything`));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('siblings');
    }
    expect(await restricted('src/core/audit/zz.ts', importOf('../ingest/ingest'))).toEqual([]);
  });

  it('matches from a nested folder too (src/core/audit/formats reaching up two levels)', async () => {
    expect(await restricted('src/core/audit/formats/zz.ts', importOf('../../report/model'))).toHaveLength(1);
    expect(await restricted('src/core/io/archive/zz.ts', importOf('../../store/workstation'))).toHaveLength(
      1,
    );
    expect(await restricted('src/core/audit/formats/zz.ts', importOf('../../store/workstation'))).toEqual([]);
    expect(await restricted('src/core/audit/formats/zz.ts', importOf('../importer'))).toEqual([]);
  });

  it('keeps the hosts, the UI, the demo generator and Electron out of the core', async () => {
    for (const spec of ['../../demo/generate', '../../cli/main', '../../main/ipc', '../../renderer/src/App'])
      expect(await restricted('src/core/integrity/zz.ts', importOf(spec)), spec).toHaveLength(1);
    expect(await restricted('src/core/util/zz.ts', importOf('electron'))).toHaveLength(1);
    // Tests set up with any layer (the demo generator included); the rule binds shipped code.
    expect(await restricted('src/core/util/zz.test.ts', importOf('../api/service'))).toEqual([]);
    expect(await restricted('src/core/util/zz.test.ts', importOf('electron'))).toHaveLength(1);
  });
});

describe('src/shared imports nothing outside itself', () => {
  it('reports a reach into the core, the hosts or Node, and allows its own files', async () => {
    for (const spec of ['../core/util/errors', '../main/ipc', '../renderer/src/store', 'node:fs', 'electron'])
      expect(await restricted('src/shared/zz.ts', importOf(spec)), spec).toHaveLength(1);
    expect(await restricted('src/shared/zz.ts', importOf('./domain'))).toEqual([]);
  });
});

describe('the exemption of tests and test kits', () => {
  it('holds only because no shipped file imports a test kit', () => {
    const files = sourceFiles(path.join(repoRoot, 'src')).filter((f) => path.basename(f) !== 'testkit.ts');
    const graph = importGraph(files, { withTypeOnly: true });
    const reaching = [...graph]
      .filter(([, to]) => to.some((t) => path.basename(t) === 'testkit.ts'))
      .map(([from]) => path.relative(repoRoot, from));
    expect(reaching).toEqual([]);
  });
});
