/**
 * No import circle in src/: every non-test source file's relative imports (type-only ones too: a
 * circle of types is still two modules that cannot be understood apart) form a graph without cycles.
 * A failure names each circle, file by file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCycles, importGraph, importsOf, sourceFiles, type Graph } from './import-graph';
import { repoRoot } from './helpers';

const src = path.join(repoRoot, 'src');

const show = (circle: string[]): string => circle.map((f) => path.relative(repoRoot, f)).join(' → ');

describe('the import graph of src/', () => {
  it('has no circle', () => {
    const files = sourceFiles(src);
    expect(files.length).toBeGreaterThan(100);
    const circles = findCycles(importGraph(files, { withTypeOnly: true }));
    expect(circles.map(show), 'import circles').toEqual([]);
  });
});

describe('the circle finder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-cycles-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  it('names a three-file circle closed by a type-only import, and no circle once it is cut', () => {
    const a = write('a.ts', "import { b } from './sub/b';\nexport const a = b;\n");
    const b = write('sub/b.ts', "export { c as b } from '../c.ts';\n");
    const c = write('c.ts', "import type { A } from './d';\nexport const c = 1 as A;\n");
    const d = write('d/index.ts', "import { a } from '../a';\nexport type A = typeof a;\n");
    write('a.test.ts', "import { a } from './a';\n");
    const files = sourceFiles(dir);
    expect(files).not.toContain(path.join(dir, 'a.test.ts'));
    const circles = findCycles(importGraph(files, { withTypeOnly: true }));
    expect(circles).toHaveLength(1);
    expect(new Set(circles[0])).toEqual(new Set([a, b, c, d]));
    expect(circles[0]![0]).toBe(circles[0]![circles[0]!.length - 1]);
    expect(importsOf(c)).toEqual([{ to: d, typeOnly: true }]);
    // Without the type-only edge there is no circle.
    expect(findCycles(importGraph(files, { withTypeOnly: false }))).toEqual([]);
  });

  it('sees dynamic import() and a file importing itself', () => {
    const e = write('e.ts', "export const load = () => import('./f');\n");
    const f = write('f.ts', "import { load } from './e';\nexport const x = load;\n");
    const s = write('self.ts', "import * as me from './self';\nexport const y = me;\n");
    const g: Graph = importGraph([e, f, s], { withTypeOnly: true });
    expect(findCycles(g).map((c) => new Set(c))).toEqual([new Set([e, f]), new Set([s])]);
  });

  it('gives each circle as a path through its files', () => {
    const g: Graph = new Map([
      ['a', ['b']],
      ['b', ['c', 'x']],
      ['c', ['a']],
      ['x', []],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
