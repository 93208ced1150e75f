/**
 * The graph of relative imports between the source files under src/ (tests excluded), read with
 * TypeScript's parser, and the circles in it. Used by test/import-cycles.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  to: string;
  /** Erased at compile time (`import type`, `export type`, or every name imported is a type). */
  typeOnly: boolean;
}

const SOURCE = /\.(ts|tsx|mts)$/;
const TEST = /\.test\.(ts|tsx)$|\.d\.ts$/;

export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (SOURCE.test(e.name) && !TEST.test(e.name)) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

function resolve(fromFile: string, spec: string): string | null {
  const bare = spec.replace(/\?.*$/, '');
  const base = path.resolve(path.dirname(fromFile), bare);
  const stem = base.replace(/\.(js|mjs)$/, '');
  for (const c of [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    path.join(base, 'index.ts'),
    path.join(base, 'index.tsx'),
  ])
    if (SOURCE.test(c) && fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const c = node.exportClause;
    return !!c && ts.isNamedExports(c) && c.elements.length > 0 && c.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (!clause) return false; // import './side-effect'
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const b = clause.namedBindings;
  return !!b && ts.isNamedImports(b) && b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
}

/** Relative imports of one file (static imports and re-exports, `import()` calls), resolved. */
export function importsOf(file: string): ImportEdge[] {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    false,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const edges: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean): void => {
    if (!spec.startsWith('.')) return;
    const to = resolve(file, spec);
    if (to) edges.push({ to, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      add(node.moduleSpecifier.text, isTypeOnly(node));
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    )
      add(node.argument.literal.text, true);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

export type Graph = Map<string, string[]>;

export function importGraph(files: string[], opts: { withTypeOnly: boolean }): Graph {
  const g: Graph = new Map();
  for (const f of files) {
    const targets = importsOf(f)
      .filter((e) => opts.withTypeOnly || !e.typeOnly)
      .map((e) => e.to);
    g.set(f, [...new Set(targets)].sort());
  }
  return g;
}

/**
 * The circles of the graph: one per strongly connected component with more than one file (or a
 * file importing itself), each given as a path `a → b → … → a` through that component.
 */
export function findCycles(g: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  // Iterative Tarjan, so a deep chain of imports cannot overflow the call stack.
  for (const start of g.keys()) {
    if (idx.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    idx.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const succ = g.get(top.node) ?? [];
      if (top.next < succ.length) {
        const w = succ[top.next++]!;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, idx.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === idx.get(top.node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.node);
        if (comp.length > 1 || (g.get(top.node) ?? []).includes(top.node)) components.push(comp.sort());
      }
    }
  }
  return components.map((comp) => circleThrough(g, new Set(comp), comp[0]!));
}

/** A shortest path from `start` back to itself inside one component. */
function circleThrough(g: Graph, comp: Set<string>, start: string): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of g.get(v) ?? []) {
      if (!comp.has(w)) continue;
      if (w === start) {
        const pathBack = [start];
        for (let x = v; x !== start; x = prev.get(x)!) pathBack.unshift(x);
        pathBack.unshift(start);
        return pathBack;
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
