/**
 * Reference values computed independently in Python (SciPy 1.17.1): Wilson from its closed form with
 * scipy.stats.norm.ppf(0.975); Clopper–Pearson from scipy.stats.beta.ppf; the hypergeometric count
 * interval by brute force over K with scipy.stats.hypergeom; the stratified example by hand (below).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestFindings } from '../store/findings';
import { estimate, prevalenceOf, recordEstimate } from './estimate';
import { recordLabel } from './labels';
import { drawSample, sampleItems } from './sample';
import { DAY_MS, START_MS, syntheticCase, type SyntheticCase } from './testkit';
import { manualWindow, setWindow } from './window';

describe('prevalenceOf (hand-computed values)', () => {
  it('3 of 50 from a window of 200', () => {
    const p = prevalenceOf(3, 50, 200, 0.95, null);
    expect(p.estimate).toBe(0.06);
    expect(p.wilson.lower).toBeCloseTo(0.020614970348973957, 12);
    expect(p.wilson.upper).toBeCloseTo(0.1621709168883817, 12);
    expect(p.clopperPearson.lower).toBeCloseTo(0.01254858783533406, 10);
    expect(p.clopperPearson.upper).toBeCloseTo(0.16548194660377288, 10);
    expect(p.projectedRequests).toMatchObject({ expected: 12, lower: 4, upper: 30 });
    expect(p.zeroFound).toBeNull();
  });

  it('none of 299 from 10,000: the upper bounds the review supports', () => {
    const p = prevalenceOf(0, 299, 10_000, 0.95, null);
    expect(p.zeroFound!.exact.upper).toBeCloseTo(0.009969146792899286, 14); // 1 − 0.05^(1/299)
    expect(p.zeroFound!.ruleOfThree.upper).toBeCloseTo(3 / 299, 15);
    expect(p.wilson.upper).toBeCloseTo(0.012684719046240528, 12);
    expect(p.clopperPearson.upper).toBeCloseTo(0.012261595907535044, 10);
    expect(p.projectedRequests).toMatchObject({ expected: 0, lower: 0, upper: 120 });
  });

  it('stratified: W = ¼, ¾; p̂ = 1/10, 0/30 of 100, 300', () => {
    // p̂_st = ¼ · 0.1 = 0.025; v = (1/16)(1 − 10/100)(0.1 · 0.9)/9 = 0.0005625; SE = 0.0237170825.
    const p = prevalenceOf(1, 40, 400, 0.95, [
      { key: 'a', size: 100, sampled: 10, positives: 1 },
      { key: 'b', size: 300, sampled: 30, positives: 0 },
    ]);
    expect(p.stratified!.estimate).toBeCloseTo(0.025, 15);
    expect(p.stratified!.standardError).toBeCloseTo(0.023717082451262847, 14);
    expect(p.stratified!.upper).toBeCloseTo(0.07148462742284212, 12);
    expect(p.stratified!.lower).toBe(0);
    expect(p.stratified!.notes[0]).toMatch(/No positives were found in b:/);
    expect(p.wilson.lower).toBeCloseTo(0.004426831502681396, 12);
  });

  it('waits for two reviewed records per stratum before a stratified estimate', () => {
    const p = prevalenceOf(1, 11, 400, 0.95, [
      { key: 'a', size: 100, sampled: 10, positives: 1 },
      { key: 'b', size: 300, sampled: 1, positives: 0 },
    ]);
    expect(p.stratified).toBeNull();
    expect(p.stratifiedUnavailable).toMatch(/fewer than 2 reviewed records: b/);
  });
});

describe('estimate on a reviewed window', () => {
  let c: SyntheticCase;
  beforeAll(async () => {
    c = await syntheticCase({ days: 2, perDay: 50, users: 20 }); // 100 records, 75 tool calls, one refund without a ticket
  });
  afterAll(() => c.cleanup());

  it('is not analysed before any label, and records that', () => {
    drawSample(c.store, { size: 'all', seed: 'census', actor: 't' });
    const e = estimate(c.store);
    expect(e.harmful.status).toBe('not-analysed');
    recordEstimate(c.store, e, 'tester');
    expect(latestFindings(c.store, 'audit').find((f) => f.check === 'output-audit')?.status).toBe(
      'not-analysed',
    );
  });

  it('counts harmful, unresolved and unauthorized records of a full review exactly', () => {
    const s = drawSample(c.store, { size: 'all', seed: 'census', actor: 't' });
    const harmful = new Set(['req-00010', 'req-00011', 'req-00030', 'req-00070', 'req-00090']);
    const unsure = new Set(['req-00050', 'req-00051']);
    for (const it of sampleItems(c.store, s.id)) {
      const label = harmful.has(it.requestId) ? 'harmful' : unsure.has(it.requestId) ? 'unsure' : 'benign';
      recordLabel(c.store, { requestId: it.requestId, label, reviewer: 'ana', actor: 'ana' });
    }
    const e = estimate(c.store);
    const p = e.harmful.prevalence!;
    expect([p.positives, p.sampled, e.harmful.unresolved.unsure, e.harmful.unreviewed]).toEqual([
      5, 98, 2, 0,
    ]);
    expect(e.harmful.harmfulRequestIds).toEqual([...harmful].sort());
    // 98 of 100 reviewed: the exact interval treats the other 2 as random records, P(X ≤ 5 | K = 7) =
    // C(7,5)/C(100,98) = 21/4950 < 0.025, so K ≤ 6; the worst case (both unsure harmful) is shown apart.
    expect(p.projectedRequests).toMatchObject({ lower: 5, upper: 6 });
    expect(e.harmful.ifUnresolvedHarmful!.estimate).toBeCloseTo(7 / 100, 15);
    // Users u10, u11, u10 (record 30), u10 (70), u10 (90): 2 distinct users found.
    expect(e.harmful.projectedUsers).toMatchObject({ found: 2, lower: 2 });
    expect(e.toolCalls.census).toMatchObject({
      calls: 75,
      unauthorizedCalls: 1,
      requestsWithUnauthorized: 1,
      requestIds: ['req-00003'],
      byReason: { 'refund_order: ticket_id missing': 1 },
    });
    expect(e.toolCalls.sample).toMatchObject({
      positives: 1,
      sampled: 100,
      projectedRequests: { lower: 1, upper: 1, expected: 1 },
    });
    expect(e.blastRadius.inside).toMatchObject({
      requests: 100,
      users: 20,
      conversations: 50,
      downstream: { 'crm-sync': 75 },
    });

    recordEstimate(c.store, e, 'tester');
    const findings = latestFindings(c.store, 'audit');
    expect(findings.map((f) => [f.check, f.status])).toEqual([
      ['blast-radius', 'info'],
      ['output-audit', 'fail'],
      ['tool-call-audit', 'fail'],
    ]);
    expect(findings[1]!.summary).toMatch(/^5 of 98 reviewed outputs harmful/);
  });

  it('states the upper bound when nothing harmful was found', () => {
    // Records 52–69 (day 2, minutes 2–19): all labelled benign above.
    const from = new Date(START_MS + DAY_MS + 2 * 60_000).toISOString();
    const to = new Date(START_MS + DAY_MS + 20 * 60_000).toISOString();
    setWindow(c.store, { actor: 't', spec: manualWindow(from, to) });
    const s = drawSample(c.store, { size: 10, seed: 'quiet', actor: 't' });
    for (const it of sampleItems(c.store, s.id))
      recordLabel(c.store, { requestId: it.requestId, label: 'benign', reviewer: 'ben', actor: 'ben' });
    const e = estimate(c.store, { sampleId: s.id });
    const p = e.harmful.prevalence!;
    expect([p.positives, p.sampled, s.population]).toEqual([0, 10, 18]);
    expect(p.zeroFound!.exact.upper).toBeCloseTo(1 - Math.pow(0.05, 0.1), 14);
    expect(p.zeroFound!.ruleOfThree.upper).toBeCloseTo(0.3, 15);
    expect(e.toolCalls.status).toBe('not-analysed'); // this window has no policy
    recordEstimate(c.store, e, 'ben');
    const findings = latestFindings(c.store, 'audit');
    expect(findings.find((f) => f.check === 'output-audit')!.summary).toMatch(
      /^0 of 10 reviewed outputs harmful: prevalence below 25\.89% \(95% exact upper bound; rule of three 30\.00%\)/,
    );
    expect(findings.find((f) => f.check === 'tool-call-audit')!.status).toBe('not-analysed');
  });
});
