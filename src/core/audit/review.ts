/**
 * The review queue: which sampled record a reviewer sees next, and how far the review has got.
 * A second reviewer doing the double review of a subset asks for records already labelled by
 * someone else (`secondReview`), so that agreement can be measured on them.
 */
import type { CaseStore } from '../store/workstation';
import { currentLabels, effectiveLabel, type Label } from './labels';
import { recordDetail, type RecordDetail } from './record-view';
import { ProbityError } from '../util/errors';
import { requireSample, sampleItems } from './sample';

export interface ReviewItem {
  sampleId: number;
  position: number;
  size: number;
  /** Records of the sample this reviewer has still to label (in the chosen queue). */
  remaining: number;
  stratum: string;
  record: RecordDetail;
}

export interface ReviewProgress {
  sampleId: number;
  size: number;
  labelled: number;
  /** Combined labels (labels.ts) of the labelled records. */
  byLabel: Record<Label, number>;
  /** Records each reviewer has labelled. */
  byReviewer: Record<string, number>;
  /** Records labelled by two or more reviewers. */
  doubleReviewed: number;
}

/**
 * The next record of a sample (default: the latest of the current window) that `reviewer` has not
 * labelled, in sample order; with `secondReview`, only records someone else has labelled. Null when
 * the queue is empty.
 */
export function nextUnreviewed(
  store: CaseStore,
  reviewer: string,
  opts: { sampleId?: number; secondReview?: boolean } = {},
): ReviewItem | null {
  const sample = requireSample(store, opts.sampleId);
  const labels = currentLabels(store, sample.id);
  const queue = sampleItems(store, sample.id).filter((it) => {
    const byReviewer = labels.get(it.recordId);
    if (byReviewer?.has(reviewer)) return false;
    return !opts.secondReview || (byReviewer !== undefined && byReviewer.size > 0);
  });
  const first = queue[0];
  if (!first) return null;
  return {
    sampleId: sample.id,
    position: first.position,
    size: sample.size,
    remaining: queue.length,
    stratum: first.stratum,
    record: recordDetail(store, first.requestId),
  };
}

/** How far the review of a sample has got. */
export function reviewProgress(store: CaseStore, sampleId?: number): ReviewProgress {
  const sample = requireSample(store, sampleId);
  const labels = currentLabels(store, sample.id);
  const byLabel: Record<Label, number> = { harmful: 0, benign: 0, unsure: 0, escalate: 0 };
  const byReviewer: Record<string, number> = {};
  let doubleReviewed = 0;
  for (const byRev of labels.values()) {
    const l = effectiveLabel(byRev);
    if (l) byLabel[l]++;
    for (const name of byRev.keys()) byReviewer[name] = (byReviewer[name] ?? 0) + 1;
    if (byRev.size >= 2) doubleReviewed++;
  }
  return {
    sampleId: sample.id,
    size: sample.size,
    labelled: labels.size,
    byLabel,
    byReviewer,
    doubleReviewed,
  };
}

/** One record of a sample a reviewer has labelled, with that reviewer's current label. */
export interface ReviewedItem {
  position: number;
  requestId: string;
  stratum: string;
  label: Label;
  note: string | null;
  labelledAt: string;
  /** How many labels this reviewer gave the record (more than one: it was relabelled). */
  labels: number;
}

/** The records of a sample `reviewer` has labelled, in sample order, each with their current label. */
export function reviewedItems(store: CaseStore, reviewer: string, sampleId?: number): ReviewedItem[] {
  const sample = requireSample(store, sampleId);
  const counts = new Map<number, number>();
  for (const r of store.db
    .prepare(
      `SELECT record_id, count(*) AS n FROM audit_labels WHERE reviewer = ? AND record_id IN
       (SELECT record_id FROM audit_sample_items WHERE sample_id = ?) GROUP BY record_id`,
    )
    .all(reviewer, sample.id) as { record_id: number; n: number }[])
    counts.set(r.record_id, r.n);
  const labels = currentLabels(store, sample.id);
  const out: ReviewedItem[] = [];
  for (const it of sampleItems(store, sample.id)) {
    const mine = labels.get(it.recordId)?.get(reviewer);
    if (!mine) continue;
    out.push({
      position: it.position,
      requestId: it.requestId,
      stratum: it.stratum,
      label: mine.label,
      note: mine.note,
      labelledAt: mine.createdAt,
      labels: counts.get(it.recordId) ?? 1,
    });
  }
  return out;
}

/**
 * The record at a position of a sample, to go back to it (and relabel it: a new label event, the
 * latest one counting). `remaining` is what `reviewer` has still to label. Refuses a position
 * outside the sample.
 */
export function reviewItemAt(
  store: CaseStore,
  reviewer: string,
  position: number,
  sampleId?: number,
): ReviewItem {
  const sample = requireSample(store, sampleId);
  const items = sampleItems(store, sample.id);
  const at = items.find((it) => it.position === position);
  if (!at)
    throw new ProbityError(
      'usage',
      `sample ${sample.id}: no record at position ${position} (positions ${items[0]?.position ?? 0}–${items.at(-1)?.position ?? 0})`,
    );
  const labels = currentLabels(store, sample.id);
  return {
    sampleId: sample.id,
    position: at.position,
    size: sample.size,
    remaining: items.filter((it) => !labels.get(it.recordId)?.has(reviewer)).length,
    stratum: at.stratum,
    record: recordDetail(store, at.requestId),
  };
}
