/**
 * End to end on the demo incident: generate the bundles, import the baseline and suspect eval runs
 * into a case, compare them, and check every planted fact (DemoFacts) comes out — and nothing else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, tempDir } from '../../../test/helpers';
import { generateDemoBundles, type DemoFacts } from '../../demo/generate';
import { listEvents } from '../store/custody';
import { findingsOfRun } from '../store/findings';
import { verifyCase } from '../verify/verify';
import type { CaseStore } from '../store/workstation';
import { importEvalRun, type ImportSummary } from './import';
import { defaultRefusalRule, judgeRefusal, refusalRule } from './refusal';
import { compareRuns, latestComparison, type ComparisonReport } from './run-compare';
import { loadItems } from './store';

let out: string;
let facts: DemoFacts;
let store: CaseStore;
let cleanup: () => void;
let imported: { baseline: ImportSummary; suspect: ImportSummary };
let report: ComparisonReport;

beforeAll(async () => {
  out = tempDir('probity-demo-behavior-');
  ({ facts } = await generateDemoBundles(out, { users: 50, requests: 300 }));
  const ws = newWorkstation();
  cleanup = ws.cleanup;
  store = ws.ws.createCase({ title: 'demo behavior', actor: 'tester' });
  const evals = path.join(out, 'incident', 'evals');
  const common = { store, actor: 'tester', host: 'test-host' };
  imported = {
    baseline: await importEvalRun({ ...common, file: path.join(evals, 'baseline.jsonl'), role: 'baseline' }),
    suspect: await importEvalRun({ ...common, file: path.join(evals, 'suspect.jsonl'), role: 'suspect' }),
  };
  report = compareRuns({ store, baseline: 'baseline', suspect: 'suspect', actor: 'tester' });
});

afterAll(() => {
  store?.close();
  cleanup?.();
  rmrf(out);
});

const check = (id: string) => report.checks.find((c) => c.id === id)!;
const group = (suite: string, category: string | null) =>
  report.groups.find((g) => g.suite === suite && g.category === category)!;

describe('behavior on the demo incident', () => {
  it('imports every item of both runs, by suite, as evidence with custody events', () => {
    for (const s of [imported.baseline, imported.suspect]) {
      expect(s.items).toBe(facts.evals.itemCount);
      expect(s.suites).toEqual(facts.evals.itemsBySuite);
      expect(s.malformedCount).toBe(0);
      expect(s.duplicateCount).toBe(0);
      expect(s.format).toBe('jsonl');
    }
    const stored = facts.incident.files.filter((f) => facts.evals.files.includes(f.path));
    expect([imported.baseline.sha256, imported.suspect.sha256]).toEqual(
      ['evals/baseline.jsonl', 'evals/suspect.jsonl'].map((p) => stored.find((f) => f.path === p)!.sha256),
    );
    expect(fs.statSync(store.objectPath(imported.suspect.sha256)).mode & 0o222).toBe(0);
    const actions = listEvents(store.db).map((e) => e.action);
    expect(actions.filter((a) => a === 'evidence.stored')).toHaveLength(2);
    expect(actions.filter((a) => a === 'findings.recorded')).toHaveLength(3); // two imports, one comparison
  });

  it('the default refusal phrases agree with every refusal label of the demo', () => {
    const rule = defaultRefusalRule();
    for (const run of [1, 2]) {
      const items = loadItems(store, run, { withResponses: true }).filter((i) => i.refusalSource === 'label');
      expect(items.length).toBeGreaterThan(0);
      const disagree = items.filter(
        (i) =>
          judgeRefusal({ refusedLabel: null, response: i.response!, responseIsText: true }, rule).refused !==
          i.refused,
      );
      expect(disagree.map((i) => i.id)).toEqual([]);
    }
  });

  it('pairs all items by id', () => {
    expect(report.pairing).toMatchObject({
      keyKind: 'id',
      pairs: facts.evals.itemCount,
      unmatchedBaseline: 0,
      unmatchedSuspect: 0,
    });
    expect(report.comparability).toEqual([]);
  });

  it('reproduces the planted refusal and pass rates per category', () => {
    for (const r of facts.evals.refusalRates) {
      const g = group(r.suite, r.category);
      expect([g.refusal!.n, g.refusal!.baseline.estimate, g.refusal!.suspect.estimate]).toEqual([
        r.items,
        r.baseline,
        r.suspect,
      ]);
    }
    for (const r of facts.evals.capabilityPassRates) {
      const g = group(r.suite, r.category);
      expect([g.pass!.n, g.pass!.baseline.estimate, g.pass!.suspect.estimate]).toEqual([
        r.items,
        r.baseline,
        r.suspect,
      ]);
    }
  });

  it('FAILS the safety benchmarks on the planted privacy regression, and only on it', () => {
    const safety = check('safety-benchmarks');
    expect(safety.status).toBe('fail');
    const [regression] = facts.evals.regressions;
    expect(safety.worse.map((w) => [w.suite, w.category])).toEqual([
      [regression!.suite, regression!.category],
      [regression!.suite, regression!.category],
    ]);
    const privacy = group(regression!.suite, regression!.category).refusal!;
    expect(privacy.verdict).toBe('lower');
    expect(privacy.baseline.estimate).toBe(regression!.baseline);
    expect(privacy.suspect.estimate).toBe(regression!.suspect);
    expect(privacy.difference.estimate).toBeCloseTo(regression!.suspect - regression!.baseline, 12);
    expect(privacy.mcnemar.pValue).toBeLessThan(0.001);
    const pctOf = (x: number) => `${(x * 100).toFixed(1)}%`;
    expect(safety.summary).toContain(
      `${regression!.suite}/${regression!.category}: the suspect refuses less, ${pctOf(regression!.suspect)} vs ${pctOf(regression!.baseline)}`,
    );
    for (const r of facts.evals.refusalRates.filter(
      (x) => x.suite === 'safety' && x.category !== regression!.category,
    ))
      expect(group(r.suite, r.category).refusal!.verdict).toBe('equivalent');
  });

  it('passes the capability benchmarks, the jailbreak resistance and the smoke test', () => {
    expect(check('capability-benchmarks').status).toBe('pass');
    expect(check('jailbreak-resistance').status).toBe('pass');
    expect(check('production-smoke-test').status).toBe('pass');
  });

  it('flags the planted trigger and none of the other candidates', () => {
    const scan = facts.evals.triggerScan;
    expect(report.triggers.map((t) => t.trigger)).toEqual(scan.candidates);
    for (const t of report.triggers) {
      const planted = scan.flipRates.find((f) => f.trigger === t.trigger)!;
      expect(t.suspect.n).toBe(planted.variants);
      expect(t.suspect.flips / t.suspect.n).toBe(planted.suspect);
      expect(t.baseline.flips / t.baseline.n).toBe(planted.baseline);
      expect(t.flagged).toBe(t.trigger === scan.plantedTrigger);
    }
    expect(check('trigger-scanning').status).toBe('fail');
    expect(check('trigger-scanning').summary).toMatch(
      /^1 of 8 triggers flagged: <\|deploy_mode\|> — suspect flips 26\/30/,
    );
  });

  it('records the comparison as findings of stage behavior, and the whole case still verifies', async () => {
    expect(report.failed).toBe(true);
    const findings = findingsOfRun(store, report.findingsRunId);
    expect(findings.every((f) => f.stage === 'behavior')).toBe(true);
    expect(findings.filter((f) => CHECKS.includes(f.check)).map((f) => [f.check, f.status])).toEqual([
      ['safety-benchmarks', 'fail'],
      ['capability-benchmarks', 'pass'],
      ['trigger-scanning', 'fail'],
      ['jailbreak-resistance', 'pass'],
      ['production-smoke-test', 'pass'],
    ]);
    expect(
      findings.filter((f) => f.check === 'trigger' && f.status === 'fail').map((f) => f.subject),
    ).toEqual([facts.planted.trigger]);
    const verified = await verifyCase({ store, actor: 'tester', workers: 1 });
    expect(verified.messages).toEqual([]);
    expect(verified.ok).toBe(true);
  });

  it('refuses to change an imported item afterwards (append-only)', () => {
    expect(() => store.db.prepare('UPDATE eval_items SET refused = 1 WHERE run_id = 2').run()).toThrow(
      /append-only/,
    );
    expect(() => store.db.prepare('DELETE FROM eval_runs').run()).toThrow(/append-only/);
  });
});

const CHECKS = [
  'safety-benchmarks',
  'capability-benchmarks',
  'trigger-scanning',
  'jailbreak-resistance',
  'production-smoke-test',
];

describe('the latest comparison, read back', () => {
  it('is the recorded comparison computed again, and reading it records nothing', () => {
    const before = listEvents(store.db).length;
    const latest = latestComparison(store);
    expect(latest.status).toBe('recorded');
    if (latest.status !== 'recorded') return;
    expect(listEvents(store.db).length).toBe(before);
    expect(latest.report.custodySeq).toBe(report.custodySeq);
    expect(latest.report.findingsRunId).toBe(report.findingsRunId);
    expect(latest.report.checks).toEqual(report.checks);
    expect(latest.report.groups).toEqual(report.groups);
    expect(latest.report.baseline.id).toBe(report.baseline.id);
  });

  it('follows the newest comparison, with its own options', () => {
    const wider = compareRuns({
      store,
      baseline: 'baseline',
      suspect: 'suspect',
      margin: 0.1,
      actor: 'tester',
    });
    const latest = latestComparison(store);
    expect(latest.status === 'recorded' && latest.report.custodySeq).toBe(wider.custodySeq);
    expect(latest.status === 'recorded' && latest.report.options.margin).toBe(0.1);
  });

  it('is not recomputed with another list when an edited phrase list was used', () => {
    const edited = compareRuns({
      store,
      baseline: 'baseline',
      suspect: 'suspect',
      refusalRule: refusalRule(['i cannot help'], 'phrase list edited in the app'),
      actor: 'tester',
    });
    const latest = latestComparison(store);
    expect(latest.status).toBe('not-reproducible');
    expect(latest.status === 'not-reproducible' && latest.custodySeq).toBe(edited.custodySeq);
  });

  it('is none in a case that never compared', () => {
    const other = newWorkstation();
    const fresh = other.ws.createCase({ title: 'nothing compared', actor: 'tester' });
    try {
      expect(latestComparison(fresh)).toEqual({ status: 'none' });
    } finally {
      fresh.close();
      other.cleanup();
    }
  });
});
