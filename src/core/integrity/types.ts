/**
 * The shape every integrity check returns. The four checks are the rows of the playbook's
 * "Integrity Verification" table (shared/seed/model-compromise-playbook.txt, Verification):
 *
 * | Check                      | Procedure                                             | Pass criteria                  |
 * | File integrity             | Compare all model file checksums against known-good   | 100% match                     |
 * | Architecture validation    | Verify layer counts, hidden sizes, vocabulary size    | Matches specification          |
 * | Adapter audit              | Verify only authorized adapters are loaded            | No unauthorized adapters       |
 * | Configuration verification | Verify all serving configuration parameters           | Matches approved configuration |
 *
 * A fifth check, Template & tokenizer (template-tokenizer.ts), compares the chat templates and
 * tokenizers with the baseline's: a clean model can be served through a tampered template.
 *
 * A check is `pass`, `fail` or `not-analysed`; never `pass` when it had nothing to look at
 * (DESIGN.md: "A file Probity could not analyse is reported as not analysed, never as passed").
 */
import type { FindingStatus } from '../../shared/domain';

export const CHECK_NAMES = [
  'file-integrity',
  'architecture',
  'adapter-audit',
  'configuration',
  'template-tokenizer',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type CheckStatus = 'pass' | 'fail' | 'not-analysed';

/** One observation inside a check: a file that matched, a key that changed, a rank that differs. */
export interface CheckItem {
  status: FindingStatus;
  /** What the item is about: an evidence path, a tensor, a configuration key. */
  subject: string | null;
  summary: string;
  details: Record<string, unknown>;
}

export interface CheckResult {
  check: CheckName;
  /** The playbook's wording of the check, for reports. */
  title: string;
  status: CheckStatus;
  summary: string;
  /** Why the status is what it is, one line each (what was compared, what could not be). */
  reasons: string[];
  items: CheckItem[];
  /** Numbers and lists a report needs (counts, compared values). */
  details: Record<string, unknown>;
}

export const CHECK_TITLES: Readonly<Record<CheckName, string>> = {
  'file-integrity': 'File integrity',
  architecture: 'Architecture validation',
  'adapter-audit': 'Adapter audit',
  configuration: 'Configuration verification',
  'template-tokenizer': 'Template & tokenizer',
};

export function item(
  status: FindingStatus,
  subject: string | null,
  summary: string,
  details: Record<string, unknown> = {},
): CheckItem {
  return { status, subject, summary, details };
}

/**
 * The status of a check from its items and the artifacts of its kind it examined: any failure
 * fails it; it passes only when at least one artifact of its kind was examined (`examined`: the
 * weights for architecture, the adapters for the adapter audit, the model files compared with a
 * known-good value for file integrity, the serving configs compared for configuration) and at
 * least one comparison passed; otherwise it was not analysed, whatever else was read.
 */
export function statusOf(items: readonly CheckItem[], examined: readonly string[]): CheckStatus {
  if (items.some((i) => i.status === 'fail')) return 'fail';
  if (examined.length > 0 && items.some((i) => i.status === 'pass')) return 'pass';
  return 'not-analysed';
}

/**
 * A run's verdict from its checks: FAIL when any check failed; PASS only when every check passed —
 * a check not analysed leaves the model unverified in that respect, so the run is not analysed (in
 * part) rather than passed.
 */
export function runStatus(checks: readonly { status: CheckStatus }[]): CheckStatus {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.length > 0 && checks.every((c) => c.status === 'pass')) return 'pass';
  return 'not-analysed';
}

export function countByStatus(items: readonly CheckItem[]): Record<FindingStatus, number> {
  const counts: Record<FindingStatus, number> = { pass: 0, fail: 0, 'not-analysed': 0, info: 0 };
  for (const i of items) counts[i.status]++;
  return counts;
}

/** Plural helper for summaries: `n(3, 'file')` → "3 files". */
export function n(count: number, noun: string, plural = `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : plural}`;
}

/** A short hash for one-line summaries (full hashes stay in details). */
export function short(sha256: string | null | undefined): string {
  return sha256 ? `${sha256.slice(0, 12)}…` : '-';
}

/**
 * Finding details are stored as canonical JSON, which has no form for NaN or ±∞ (a YAML `.inf`
 * in a hostile serving config would otherwise abort the recording): such numbers become strings,
 * and anything else that is not JSON is dropped.
 */
export function jsonSafe(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1) ?? null);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const safe = jsonSafe(v, depth + 1);
      if (safe !== undefined)
        Object.defineProperty(out, k, { value: safe, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return undefined;
}

export function safeDetails(details: Record<string, unknown>): Record<string, unknown> {
  return jsonSafe(details) as Record<string, unknown>;
}
