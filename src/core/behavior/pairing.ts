/**
 * Pairing the baseline's items with the suspect's: the same eval item answered by both models.
 *
 * Rule: when every item of both runs carries the same key kind, items pair by that key (doc_hash,
 * promptfoo test + vars, sample id, the file's id, or garak's probe + prompt hash: types.ts
 * KEY_KINDS, strongest first);
 * otherwise (runs from different tools, or mixed kinds) they pair by the SHA-256 of the prompt text,
 * the one key every item has. Within a run, the first item with a key is the one paired; later items
 * with the same key are reported as duplicates and left out. Items of either run without a partner
 * are reported as unmatched.
 */
import type { StoredItem } from './store';
import type { KeyKind } from './types';

export interface Pair {
  baseline: StoredItem;
  suspect: StoredItem;
}

export interface Pairing {
  /** The key kind both runs share, or null when they paired by the prompt text's SHA-256. */
  keyKind: KeyKind | null;
  pairs: Pair[];
  unmatchedBaseline: StoredItem[];
  unmatchedSuspect: StoredItem[];
  duplicatesBaseline: StoredItem[];
  duplicatesSuspect: StoredItem[];
  /** Pairs whose suite or category differ between the runs (the baseline's are used). */
  relabelled: number;
}

/** The key kind every item of both runs carries, else null (pair by the prompt text's hash). */
export function chooseKeyKind(baseline: Iterable<KeyKind>, suspect: Iterable<KeyKind>): KeyKind | null {
  const b = new Set(baseline);
  const s = new Set(suspect);
  const [kind] = [...b];
  return b.size === 1 && s.size === 1 && kind !== undefined && s.has(kind) ? kind : null;
}

function index(
  items: readonly StoredItem[],
  kind: KeyKind | null,
): { byKey: Map<string, StoredItem>; duplicates: StoredItem[] } {
  const byKey = new Map<string, StoredItem>();
  const duplicates: StoredItem[] = [];
  for (const item of items) {
    const key = kind === null ? item.promptSha256 : item.itemKey;
    if (byKey.has(key)) duplicates.push(item);
    else byKey.set(key, item);
  }
  return { byKey, duplicates };
}

/** Pair two runs' items (see the module comment for the rule). Pairs follow the baseline's order. */
export function pairItems(baseline: readonly StoredItem[], suspect: readonly StoredItem[]): Pairing {
  const keyKind = chooseKeyKind(
    baseline.map((i) => i.keyKind),
    suspect.map((i) => i.keyKind),
  );
  const b = index(baseline, keyKind);
  const s = index(suspect, keyKind);
  const pairs: Pair[] = [];
  const unmatchedBaseline: StoredItem[] = [];
  let relabelled = 0;
  for (const [key, item] of b.byKey) {
    const partner = s.byKey.get(key);
    if (!partner) {
      unmatchedBaseline.push(item);
      continue;
    }
    pairs.push({ baseline: item, suspect: partner });
    if (partner.suite !== item.suite || partner.category !== item.category) relabelled++;
  }
  const unmatchedSuspect = [...s.byKey].filter(([key]) => !b.byKey.has(key)).map(([, item]) => item);
  return {
    keyKind,
    pairs,
    unmatchedBaseline,
    unmatchedSuspect,
    duplicatesBaseline: b.duplicates,
    duplicatesSuspect: s.duplicates,
    relabelled,
  };
}

/** How a pairing key reads in a report. */
export function describeKey(kind: KeyKind | null): string {
  switch (kind) {
    case 'doc-hash':
      return 'lm-eval doc_hash';
    case 'test-vars':
      return 'promptfoo prompt + test index + vars hash';
    case 'sample-id':
      return 'sample id';
    case 'id':
      return 'item id';
    case 'prompt-hash':
      return 'probe + prompt SHA-256 + occurrence';
    case null:
      return 'SHA-256 of the prompt text (the runs share no other key)';
  }
}
