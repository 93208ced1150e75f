import path from 'node:path';
import { sqliteFailure } from '../core/store/sqlite';
import type { CaseStore } from '../core/store/workstation';
import type { CommandContext } from './commands';

/** `--json`: stdout carries only the result, one JSON document. */
export function emitJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
