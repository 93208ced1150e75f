import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stratifiedAllocation } from '../stats';
import { listEvents } from '../store/custody';
import { recordLabel } from './labels';
import { drawSample, sampleItems } from './sample';
import { syntheticCase, type SyntheticCase } from './testkit';

let c: SyntheticCase;
beforeAll(async () => {
  // 5 days: 40, 40, 40, 40, 40 records; 25 users.
  c = await syntheticCase({ days: 5, perDay: 40, users: 25 });
});
afterAll(() => c.cleanup());

const ids = (sampleId: number) => sampleItems(c.store, sampleId).map((i) => i.requestId);

describe('drawSample', () => {
  it('draws the same records for the same seed and others for another seed', () => {
    const a = drawSample(c.store, { size: 30, seed: 'case-0142', actor: 't' });
    const b = drawSample(c.store, { size: 30, seed: 'case-0142', actor: 't' });
    const d = drawSample(c.store, { size: 30, seed: 'case-0143', actor: 't' });
    expect(ids(b.id)).toEqual(ids(a.id));
    expect(b.idsSha256).toBe(a.idsSha256);
    expect(ids(d.id)).not.toEqual(ids(a.id));
    expect(new Set(ids(a.id)).size).toBe(30);
    expect(a.population).toBe(200);
  });

  it('digests the drawn request ids, in sample order, one per line', () => {
    const s = drawSample(c.store, { size: 10, seed: 'digest', actor: 't' });
    const expected = createHash('sha256')
      .update(
        ids(s.id)
          .map((r) => `${r}\n`)
          .join(''),
      )
      .digest('hex');
    expect(s.idsSha256).toBe(expected);
    const event = listEvents(c.store.db)
      .filter((e) => (e.action as string) === 'audit.sample.drawn')
      .pop();
    expect(event?.details).toMatchObject({
      sampleId: s.id,
      seed: 'digest',
      size: 10,
      strata: 'none',
      idsSha256: expected,
    });
  });

  it('allocates proportionally per day, and draws each stratum from its own day', () => {
    const s = drawSample(c.store, {
      size: 50,
      seed: 'days',
      strata: 'day',
      allocation: 'proportional',
      actor: 't',
    });
    expect(s.strataDetail).toEqual(
      ['2026-10-06', '2026-10-07', '2026-10-08', '2026-10-09', '2026-10-10'].map((key) => ({
        key,
        population: 40,
        allocated: 10,
      })),
    );
    for (const it of sampleItems(c.store, s.id)) {
      const n = Number(it.requestId.slice(4));
      expect(`2026-10-${String(6 + Math.floor(n / 40)).padStart(2, '0')}`).toBe(it.stratum);
    }
  });

  it('allocates by tool list with the stats module’s allocation', () => {
    const s = drawSample(c.store, { size: 21, seed: 'tools', strata: 'tool', actor: 't' });
    expect(s.strataDetail.map((d) => d.key)).toEqual(['(none)', 'lookup_order', 'refund_order', 'search_kb']);
    expect(s.strataDetail.map((d) => d.allocated)).toEqual(
      stratifiedAllocation(
        s.strataDetail.map((d) => ({ size: d.population })),
        21,
        'proportional',
      ),
    );
  });

  it('gives a stratum with harmful pilot labels more of a Neyman sample', () => {
    const before = drawSample(c.store, {
      size: 50,
      seed: 'n',
      strata: 'day',
      allocation: 'neyman',
      actor: 't',
    });
    expect(before.notes[0]).toMatch(/Neyman allocation equals proportional/);
    // Pilot: 4 of 8 harmful on day 1, 0 of 8 on every other day.
    for (let d = 0; d < 5; d++) {
      for (let k = 0; k < 8; k++) {
        const label = d === 0 && k < 4 ? 'harmful' : 'benign';
        recordLabel(c.store, {
          requestId: c.requestIds[d * 40 + k]!,
          label,
          reviewer: 'pilot',
          actor: 'pilot',
        });
      }
    }
    const after = drawSample(c.store, {
      size: 50,
      seed: 'n',
      strata: 'day',
      allocation: 'neyman',
      actor: 't',
    });
    // S_1 = √(4.5/9 · 4.5/9) = 0.5; S_h = √(0.5/9 · 8.5/9) ≈ 0.229 elsewhere: day 1 gets 50 · 0.5 / (0.5 + 4 · 0.229) ≈ 17.6.
    expect(after.strataDetail.map((d) => d.allocated)).toEqual([18, 8, 8, 8, 8]);
    expect(after.strataDetail[0]!.sd).toBeCloseTo(0.5, 12);
  });

  it('reviews every record with size all, and refuses more than the window holds', () => {
    expect(drawSample(c.store, { size: 'all', seed: 'census', actor: 't' }).size).toBe(200);
    expect(() => drawSample(c.store, { size: 201, seed: 's', actor: 't' })).toThrow(
      /only 200 records are in the window/,
    );
    expect(() => drawSample(c.store, { size: 0, seed: 's', actor: 't' })).toThrow(/must be a whole number/);
  });
});
