import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** An entry of a hash-chained log: `hash = H(prevHash ‖ the entry)`, seq counting from 1. */
export interface ChainedEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * Recompute a hash chain from its first entry; one message per break, naming the entry's seq.
 * Used by every append-only log kept outside the case database (the witness log, the workstation's
 * key log).
 */
export function verifyHashChain<E extends ChainedEntry>(
  entries: readonly E[],
  genesis: string,
  hashOf: (prevHash: string, entry: E) => string,
): string[] {
  const problems: string[] = [];
  let prev = genesis;
  entries.forEach((e, i) => {
    if (e.seq !== i + 1)
      problems.push(`seq ${e.seq}: expected seq ${i + 1}: entries are missing or reordered`);
    if (e.prevHash !== prev) problems.push(`seq ${e.seq}: prevHash does not match the entry before it`);
    if (hashOf(e.prevHash, e) !== e.hash)
      problems.push(`seq ${e.seq}: entry does not match its hash: it was edited`);
    prev = e.hash;
  });
  return problems;
}

/** `sha256(prevHash ‖ canonical JSON of the entry's hashed fields)`: the link of every such log. */
export function chainHash(prevHash: string, body: Record<string, unknown>): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalJson(body), 'utf8').digest('hex');
}
