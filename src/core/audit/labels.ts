/**
 * Review labels (the playbook's "Output audit": "Sample and review outputs from the compromise
 * window"). Labels are append-only: a relabel is a new row, the history is kept, and a reviewer's
 * current label for a record is their latest. Each label is recorded in the custody log.
 *
 * When several reviewers labelled a record, the label the estimate uses is the conservative one:
 * harmful if any reviewer's current label is harmful; otherwise escalate, then unsure, if any
 * reviewer said so; benign only when every reviewer said benign. Disagreements are listed, and
 * agreement between two reviewers is measured with Cohen's kappa on the records both labelled.
 */
import { cohensKappa, type KappaResult } from '../stats';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { appendAuditEvent } from './custody';

export const LABELS = ['harmful', 'benign', 'unsure', 'escalate'] as const;
export type Label = (typeof LABELS)[number];

export interface LabelEntry {
  id: number;
  recordId: number;
  requestId: string;
  reviewer: string;
  label: Label;
  note: string | null;
  createdAt: string;
}

interface LabelRow {
  id: number;
  record_id: number;
  request_id: string;
  reviewer: string;
  label: Label;
  note: string | null;
  created_at: string;
}

function toEntry(r: LabelRow): LabelEntry {
  return {
    id: r.id,
    recordId: r.record_id,
    requestId: r.request_id,
    reviewer: r.reviewer,
    label: r.label,
    note: r.note,
    createdAt: r.created_at,
  };
}

const SELECT_LABELS = `SELECT l.id, l.record_id, r.request_id, l.reviewer, l.label, l.note, l.created_at
  FROM audit_labels l JOIN audit_records r ON r.id = l.record_id`;

/** Is `v` one of LABELS? */
export function isLabel(v: string): v is Label {
  return (LABELS as readonly string[]).includes(v);
}

/** The record id of a request id, or a not-found error naming it. */
export function recordIdOf(store: CaseStore, requestId: string): number {
  const r = store.db.prepare('SELECT id FROM audit_records WHERE request_id = ?').get(requestId) as
    { id: number } | undefined;
  if (!r)
    throw new ProbityError(
      'not-found',
      `${requestId}: no such request id in the imported logs of ${store.id}`,
    );
  return r.id;
}

/** Append a label (a relabel is a new row) and its custody event. */
export function recordLabel(
  store: CaseStore,
  opts: { requestId: string; label: string; reviewer: string; note?: string | null; actor: string },
): LabelEntry {
  if (!isLabel(opts.label))
    throw new ProbityError('usage', `${opts.label}: not a label (${LABELS.join(', ')})`);
  const reviewer = opts.reviewer.trim();
  if (reviewer === '') throw new ProbityError('usage', 'a label needs a reviewer name');
  const recordId = recordIdOf(store, opts.requestId);
  const note = opts.note?.trim() || null;
  const at = utcNow();
  let id = 0;
  store.db.transaction(() => {
    id = Number(
      store.db
        .prepare(
          'INSERT INTO audit_labels (record_id, reviewer, label, note, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(recordId, reviewer, opts.label, note, at).lastInsertRowid,
    );
    appendAuditEvent(store.db, {
      actor: opts.actor,
      action: 'audit.labelled',
      subject: opts.requestId,
      at,
      details: { labelId: id, recordId, requestId: opts.requestId, reviewer, label: opts.label, note },
    });
  })();
  return { id, recordId, requestId: opts.requestId, reviewer, label: opts.label, note, createdAt: at };
}

/** Every label given to a request, oldest first. */
export function labelHistory(store: CaseStore, requestId: string): LabelEntry[] {
  const id = recordIdOf(store, requestId);
  return (store.db.prepare(`${SELECT_LABELS} WHERE l.record_id = ? ORDER BY l.id`).all(id) as LabelRow[]).map(
    toEntry,
  );
}

/** Current labels (latest per reviewer) of the records of a sample: record id → reviewer → label. */
export function currentLabels(store: CaseStore, sampleId: number): Map<number, Map<string, LabelEntry>> {
  const rows = store.db
    .prepare(
      `${SELECT_LABELS} WHERE l.record_id IN (SELECT record_id FROM audit_sample_items WHERE sample_id = ?) ORDER BY l.id`,
    )
    .all(sampleId) as LabelRow[];
  const out = new Map<number, Map<string, LabelEntry>>();
  for (const r of rows) {
    const byReviewer = out.get(r.record_id) ?? new Map<string, LabelEntry>();
    byReviewer.set(r.reviewer, toEntry(r));
    out.set(r.record_id, byReviewer);
  }
  return out;
}

/** The conservative combined label of one record (see the module comment); null when unlabelled. */
export function effectiveLabel(byReviewer: ReadonlyMap<string, LabelEntry> | undefined): Label | null {
  if (!byReviewer || byReviewer.size === 0) return null;
  const labels = new Set([...byReviewer.values()].map((e) => e.label));
  for (const l of ['harmful', 'escalate', 'unsure'] as const) if (labels.has(l)) return l;
  return 'benign';
}

/** Agreement between two reviewers on the records of a sample both of them labelled. */
export interface Agreement extends KappaResult {
  reviewers: [string, string];
  /** Request ids the two reviewers labelled differently. */
  disagreements: string[];
}

function bestPair(labels: Map<number, Map<string, LabelEntry>>): [string, string] | null {
  const overlap = new Map<string, number>();
  for (const byReviewer of labels.values()) {
    const names = [...byReviewer.keys()].sort();
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const key = JSON.stringify([names[i], names[j]]);
        overlap.set(key, (overlap.get(key) ?? 0) + 1);
      }
    }
  }
  const best = [...overlap.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  return best ? (JSON.parse(best[0]) as [string, string]) : null;
}

/**
 * Cohen's kappa between two reviewers (the given pair, else the pair that labelled the most records
 * in common) over the sample's records both labelled; null when no record was labelled by two.
 */
export function agreement(
  store: CaseStore,
  sampleId: number,
  reviewers?: [string, string],
): Agreement | null {
  const labels = currentLabels(store, sampleId);
  const pair = reviewers ?? bestPair(labels);
  if (!pair) return null;
  const pairs: [string, string][] = [];
  const disagreements: string[] = [];
  for (const byReviewer of labels.values()) {
    const a = byReviewer.get(pair[0]);
    const b = byReviewer.get(pair[1]);
    if (!a || !b) continue;
    pairs.push([a.label, b.label]);
    if (a.label !== b.label) disagreements.push(a.requestId);
  }
  if (pairs.length === 0) return null;
  return { ...cohensKappa(pairs), reviewers: pair, disagreements: disagreements.sort() };
}
