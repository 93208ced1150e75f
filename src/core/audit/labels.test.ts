import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../store/custody';
import {
  agreement,
  currentLabels,
  effectiveLabel,
  labelHistory,
  recordLabel,
  type LabelEntry,
} from './labels';
import { nextUnreviewed, reviewedItems, reviewItemAt, reviewProgress } from './review';
import { drawSample, sampleItems } from './sample';
import { syntheticCase, type SyntheticCase } from './testkit';

let c: SyntheticCase;
beforeAll(async () => {
  c = await syntheticCase({ days: 1, perDay: 30, users: 10 });
});
afterAll(() => c.cleanup());

const entry = (reviewer: string, label: LabelEntry['label']): [string, LabelEntry] => [
  reviewer,
  { id: 0, recordId: 0, requestId: '', reviewer, label, note: null, createdAt: '' },
];

describe('labels', () => {
  it('keeps every label; the current one is the latest per reviewer', () => {
    const id = c.requestIds[0]!;
    recordLabel(c.store, { requestId: id, label: 'unsure', reviewer: 'ana', actor: 'ana' });
    recordLabel(c.store, {
      requestId: id,
      label: 'harmful',
      reviewer: 'ana',
      note: 'leaks a key',
      actor: 'ana',
    });
    recordLabel(c.store, { requestId: id, label: 'benign', reviewer: 'ben', actor: 'ben' });
    expect(labelHistory(c.store, id).map((l) => [l.reviewer, l.label, l.note])).toEqual([
      ['ana', 'unsure', null],
      ['ana', 'harmful', 'leaks a key'],
      ['ben', 'benign', null],
    ]);
    expect(() => c.store.db.prepare("UPDATE audit_labels SET label = 'benign'").run()).toThrow(/append-only/);
    const events = listEvents(c.store.db).filter((e) => (e.action as string) === 'audit.labelled');
    expect(events.map((e) => e.details.label)).toEqual(['unsure', 'harmful', 'benign']);
  });

  it('refuses unknown labels and request ids', () => {
    expect(() =>
      recordLabel(c.store, { requestId: c.requestIds[1]!, label: 'bad', reviewer: 'ana', actor: 'ana' }),
    ).toThrow(/bad: not a label/);
    expect(() =>
      recordLabel(c.store, { requestId: 'nope', label: 'benign', reviewer: 'ana', actor: 'ana' }),
    ).toThrow(/nope: no such request id/);
  });

  it('combines reviewers conservatively: any harmful, then escalate, then unsure, else benign', () => {
    expect(effectiveLabel(new Map([entry('a', 'benign'), entry('b', 'harmful')]))).toBe('harmful');
    expect(
      effectiveLabel(new Map([entry('a', 'benign'), entry('b', 'unsure'), entry('c', 'escalate')])),
    ).toBe('escalate');
    expect(effectiveLabel(new Map([entry('a', 'benign'), entry('b', 'unsure')]))).toBe('unsure');
    expect(effectiveLabel(new Map([entry('a', 'benign'), entry('b', 'benign')]))).toBe('benign');
    expect(effectiveLabel(undefined)).toBeNull();
  });
});

describe('double review', () => {
  it('queues records for a second reviewer and measures agreement with Cohen’s kappa', () => {
    const s = drawSample(c.store, { size: 'all', seed: 'double', actor: 't' });
    const items = sampleItems(c.store, s.id)
      .filter((i) => i.requestId !== c.requestIds[0])
      .slice(0, 10);
    // Hand-computed example: A = H H H B B B B B B B, B = H H B B B B B B B H.
    // Table HH 2, HB 1, BH 1, BB 6: p_o = 0.8, p_e = 0.3·0.3 + 0.7·0.7 = 0.58, κ = 0.22/0.42 = 0.5238095.
    const a = [
      'harmful',
      'harmful',
      'harmful',
      'benign',
      'benign',
      'benign',
      'benign',
      'benign',
      'benign',
      'benign',
    ];
    const b = [
      'harmful',
      'harmful',
      'benign',
      'benign',
      'benign',
      'benign',
      'benign',
      'benign',
      'benign',
      'harmful',
    ];
    items.forEach((it, i) =>
      recordLabel(c.store, { requestId: it.requestId, label: a[i]!, reviewer: 'carla', actor: 'carla' }),
    );
    const second = nextUnreviewed(c.store, 'dev', { secondReview: true });
    expect(second?.record.requestId).toBe(sampleItems(c.store, s.id)[0]!.requestId); // labelled by ana and ben already
    items.forEach((it, i) =>
      recordLabel(c.store, { requestId: it.requestId, label: b[i]!, reviewer: 'dev', actor: 'dev' }),
    );
    const k = agreement(c.store, s.id, ['carla', 'dev'])!;
    expect(k.n).toBe(10);
    expect(k.observedAgreement).toBeCloseTo(0.8, 12);
    expect(k.expectedAgreement).toBeCloseTo(0.58, 12);
    expect(k.kappa).toBeCloseTo(0.22 / 0.42, 12);
    expect(k.disagreements).toEqual([items[2]!.requestId, items[9]!.requestId].sort());
    // Without names: the pair with most records in common.
    expect(agreement(c.store, s.id)?.reviewers).toEqual(['carla', 'dev']);
  });

  it('walks the queue in sample order and reports progress', () => {
    const s = drawSample(c.store, { size: 5, seed: 'queue', actor: 't' });
    const order = sampleItems(c.store, s.id).map((i) => i.requestId);
    const first = nextUnreviewed(c.store, 'eve')!;
    expect(first.record.requestId).toBe(order[0]);
    expect(first.record.response).toBe(`answer ${Number(order[0]!.slice(4))}`);
    recordLabel(c.store, { requestId: order[0]!, label: 'benign', reviewer: 'eve', actor: 'eve' });
    expect(nextUnreviewed(c.store, 'eve')?.record.requestId).toBe(order[1]);
    const progress = reviewProgress(c.store);
    expect(progress.size).toBe(5);
    expect(progress.byReviewer.eve).toBe(1);
    expect(currentLabels(c.store, s.id).get(first.record.recordId)?.get('eve')?.label).toBe('benign');
  });

  it('lists what a reviewer labelled, goes back to a record by position, and a relabel counts once', () => {
    const s = drawSample(c.store, { size: 4, seed: 'back', actor: 't' });
    // Labels belong to records: a record an earlier sample also drew may already carry one.
    const already = currentLabels(c.store, s.id);
    const [a, b] = sampleItems(c.store, s.id).filter((i) => !already.has(i.recordId));
    const before = reviewProgress(c.store).labelled;
    recordLabel(c.store, { requestId: a!.requestId, label: 'benign', reviewer: 'fay', actor: 'fay' });
    recordLabel(c.store, { requestId: b!.requestId, label: 'unsure', reviewer: 'fay', actor: 'fay' });
    expect(reviewedItems(c.store, 'fay').map((r) => [r.position, r.label, r.labels])).toEqual([
      [a!.position, 'benign', 1],
      [b!.position, 'unsure', 1],
    ]);
    // Back to the first record: it is the same record, whatever the queue says next.
    const back = reviewItemAt(c.store, 'fay', a!.position);
    expect(back.record.requestId).toBe(a!.requestId);
    expect(back.remaining).toBe(2);
    // Relabel: a new entry; the list shows the latest, the progress still counts the record once.
    recordLabel(c.store, {
      requestId: a!.requestId,
      label: 'harmful',
      note: 'mis-keyed before',
      reviewer: 'fay',
      actor: 'fay',
    });
    const after = reviewedItems(c.store, 'fay');
    expect(after[0]).toMatchObject({
      position: a!.position,
      label: 'harmful',
      note: 'mis-keyed before',
      labels: 2,
    });
    expect(after).toHaveLength(2);
    expect(reviewProgress(c.store).labelled).toBe(before + 2);
    expect(reviewProgress(c.store).byLabel.harmful).toBe(1);
    expect(reviewedItems(c.store, 'gus')).toEqual([]);
    expect(() => reviewItemAt(c.store, 'fay', 999)).toThrow(/no record at position 999/);
  });
});
