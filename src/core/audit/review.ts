/**
 * The review queue: which sampled record a reviewer sees next, and how far the review has got.
 * A second reviewer doing the double review of a subset asks for records already labelled by
 * someone else (`secondReview`), so that agreement can be measured on them.
 */
import type { CaseStore } from '../store/workstation';
import { currentLabels, effectiveLabel, type Label } from './labels';
import { recordDetail, type RecordDetail } from './record-view';
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
