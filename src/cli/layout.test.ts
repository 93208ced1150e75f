import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../test/helpers';

/** Every .ts file below `dir` with the files it imports by a relative path (type imports included). */
function relativeImports(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        const targets = [...text.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)'/g)]
          .map((m) => path.resolve(path.dirname(p), m[1]!))
          .map((t) => (fs.existsSync(`${t}.ts`) ? `${t}.ts` : path.join(t, 'index.ts')))
          .filter((t) => t.startsWith(dir + path.sep));
        graph.set(p, targets);
      }
    }
  };
  walk(dir);
  return graph;
}

/** One import circle as a list of files (the first repeated at the end), or null. */
function findCircle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      const c = visit(t);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of graph.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

describe('src/cli layout', () => {
  const cli = path.join(repoRoot, 'src/cli');

  it('has no import circle: command types, options and output below the commands, the registry above them', () => {
    const circle = findCircle(relativeImports(cli));
    expect(circle && circle.map((f) => path.relative(cli, f))).toBeNull();
  });

  it('the circle finder sees a circle made of type-only imports', () => {
    const graph = new Map([
      ['/a.ts', ['/b.ts']],
      ['/b.ts', ['/c.ts']],
      ['/c.ts', ['/a.ts']],
    ]);
    expect(findCircle(graph)).toEqual(['/a.ts', '/b.ts', '/c.ts', '/a.ts']);
    expect(findCircle(new Map([['/a.ts', ['/b.ts']]]))).toBeNull();
  });

  it('reads type-only imports as edges', () => {
    const graph = relativeImports(cli);
    expect(graph.get(path.join(cli, 'output.ts'))).toContain(path.join(cli, 'command.ts'));
  });
});
