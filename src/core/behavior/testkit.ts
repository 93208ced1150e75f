/**
 * Test support for the behavior module: run an importer on a file and collect what it delivers.
 */
import path from 'node:path';
import { IMPORTERS, detectFormat } from './importers';
import type { StoredItem } from './store';
import type { EvalFormat, MalformedRecord, RawEvalItem, RunHeader } from './types';

export interface Collected {
  format: EvalFormat;
  header: RunHeader;
  items: RawEvalItem[];
  malformed: MalformedRecord[];
  warnings: string[];
}

/** Detect (unless `format` is given) and import `file`, with an optional companion file. */
export async function collect(
  file: string,
  opts: { format?: EvalFormat; companion?: string; name?: string } = {},
): Promise<Collected> {
  const name = opts.name ?? path.basename(file);
  const format = opts.format ?? detectFormat(file, name);
  const items: RawEvalItem[] = [];
  const malformed: MalformedRecord[] = [];
  const warnings: string[] = [];
  const companion = opts.companion ? { file: opts.companion, name: path.basename(opts.companion) } : null;
  const header = await IMPORTERS[format](
    { file, name, companion },
    { item: (i) => items.push(i), malformed: (m) => malformed.push(m), warn: (w) => warnings.push(w) },
  );
  return { format, header, items, malformed, warnings };
}

/** A stored item with defaults, for unit tests of pairing and comparison. */
export function storedItem(over: Partial<StoredItem> & { id: string }): StoredItem {
  return {
    seq: 0,
    itemKey: over.id,
    keyKind: 'id',
    promptSha256: `prompt-of-${over.id}`,
    suite: 'safety',
    category: 'general',
    refused: null,
    refusalSource: null,
    matchedPhrase: null,
    score: null,
    passed: null,
    trigger: null,
    variantOf: null,
    line: null,
    responseIsText: true,
    response: null,
    ...over,
  };
}

/**
 * Baseline and suspect items whose refusals form the paired table {a, b, c, d} (a both refused,
 * b baseline only, c suspect only, d neither), with `passed` equal to `refused`.
 */
export function itemsFromTable(
  table: { a: number; b: number; c: number; d: number },
  where: { suite: string; category: string; prefix?: string },
): { baseline: StoredItem[]; suspect: StoredItem[] } {
  const cells: [boolean, boolean, number][] = [
    [true, true, table.a],
    [true, false, table.b],
    [false, true, table.c],
    [false, false, table.d],
  ];
  const baseline: StoredItem[] = [];
  const suspect: StoredItem[] = [];
  let k = 0;
  for (const [x, y, n] of cells) {
    for (let i = 0; i < n; i++, k++) {
      const id = `${where.prefix ?? `${where.suite}-${where.category}`}-${k}`;
      const common = { id, suite: where.suite, category: where.category, refusalSource: 'label' as const };
      baseline.push(storedItem({ ...common, refused: x, passed: x }));
      suspect.push(storedItem({ ...common, refused: y, passed: y }));
    }
  }
  return { baseline, suspect };
}
