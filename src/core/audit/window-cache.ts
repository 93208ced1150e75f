/**
 * Numbers that depend only on a window and the imported records — the blast radius, the tool-call
 * census — computed once and kept while neither changes. Records are append-only (triggers) and
 * come only from imports, so the set of finished imports, with the window id (a window is never
 * edited: a new one gets a new id) and the policy digest, names the inputs exactly. Labels do not
 * enter: the estimate panel, reloaded after every label, reuses them instead of rescanning a window
 * of a million records each time.
 */
import type { CaseStore } from '../store/workstation';

const KEEP = 8;
const cache = new Map<string, unknown>();

function importsVersion(store: CaseStore): string {
  const r = store.db
    .prepare(
      "SELECT count(*) AS n, coalesce(max(id), 0) AS last FROM audit_imports WHERE status = 'finished'",
    )
    .get() as { n: number; last: number };
  return `${r.n}:${r.last}`;
}

/** `compute()` for this case, window and import state (and `extra`, e.g. a policy digest), or its kept result. */
export function perWindow<T>(
  store: CaseStore,
  what: string,
  windowId: number,
  extra: string,
  compute: () => T,
): T {
  const key = [store.dir, what, windowId, extra, importsVersion(store)].join('\0');
  if (cache.has(key)) {
    const hit = cache.get(key) as T;
    cache.delete(key); // most recently used last
    cache.set(key, hit);
    return hit;
  }
  const value = compute();
  cache.set(key, value);
  while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return value;
}
