/**
 * What commands print: one JSON document with --json, plain tables otherwise, a progress bar on a
 * terminal's stderr; and the case a command works on, opened for the length of the command.
 */
import path from 'node:path';
import { sqliteFailure } from '../core/store/sqlite';
import type { CaseStore } from '../core/store/workstation';
import { humanBytes, humanDuration } from '../core/util/format';
import type { Progress } from '../shared/domain';
import type { CommandContext } from './command';

/** `--json`: stdout carries only the result, one JSON document. */
export function emit(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Lines of text on stdout. */
export function print(ctx: CommandContext, lines: readonly string[]): void {
  ctx.stdout.write(`${lines.join('\n')}\n`);
}

/** A plain-text table: columns padded to their widest cell, the last column left free. */
export function table(rows: string[][], header: string[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Rows of figures: the first column padded on the right, the others aligned on the right. */
export function pad(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** A one-line progress bar on stderr, redrawn in place, only when stderr is a terminal. */
export function progressPrinter(ctx: CommandContext): ((p: Progress) => void) | undefined {
  if (!ctx.stderr.isTTY) return undefined;
  return (p) => {
    const width = 24;
    const frac = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const eta = p.etaSeconds === null ? '--' : humanDuration(p.etaSeconds);
    const text =
      p.phase === 'committing'
        ? 'recording custody events…'
        : p.phase === 'verifying-chain'
          ? 'recomputing the custody chain…'
          : `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}%  ${humanBytes(p.bytesDone)} / ${humanBytes(p.bytesTotal)}  ` +
            `${p.filesDone}/${p.filesTotal} files  ${humanBytes(p.rateBytesPerSec)}/s  ETA ${eta}`;
    const cols = ctx.stderr.columns ?? 100;
    ctx.stderr.write(`\r${text.slice(0, cols - 1).padEnd(Math.min(cols - 1, 100))}`);
    if (p.phase === 'done') ctx.stderr.write('\n');
  };
}

/** Open the case named by the command's first argument for the length of `fn`. */
export async function withCase<T>(ctx: CommandContext, fn: (store: CaseStore) => Promise<T> | T): Promise<T> {
  const store = ctx.workstation.openCase(ctx.args[0]!);
  store.witnessSource = `probity ${ctx.command ?? 'command'}`;
  try {
    return await fn(store);
  } catch (err) {
    throw sqliteFailure(path.join(store.dir, 'case.db'), 'the case database failed', err);
  } finally {
    store.close();
  }
}

/** Open several cases (an undefined id gives null) for the length of `fn`. */
export async function withCases<T>(
  ctx: CommandContext,
  ids: (string | undefined)[],
  fn: (stores: (CaseStore | null)[]) => Promise<T>,
): Promise<T> {
  const stores: (CaseStore | null)[] = [];
  try {
    for (const id of ids) stores.push(id === undefined ? null : ctx.workstation.openCase(id));
    return await fn(stores);
  } finally {
    for (const s of stores) s?.close();
  }
}
