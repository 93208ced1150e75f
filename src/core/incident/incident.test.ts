import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmrf } from '../../../test/helpers';
import { CONSIDERATION_KEYS } from '../../shared/incident';
import { manualWindow, setWindow } from '../audit/window';
import { renderReportHtml } from '../report/html';
import { buildReportModel } from '../report/model';
import { caseWithFindings, type Fixture } from '../report/testkit';
import { listEvents, verifyChain } from '../store/custody';
import { recordFindings } from '../store/findings';
import { ProbityError } from '../util/errors';
import {
  addTimelineEntry,
  assignRole,
  decideReplacement,
  incidentGate,
  incidentView,
  linkReplacement,
  recordChecklistNote,
  recordConsideration,
  recordFactor,
  recordImmediateAction,
  setIncidentHeader,
  setTrigger,
} from './index';

let fx: Fixture;
const ops = { actor: 'ops' };

beforeEach(async () => {
  fx = await caseWithFindings();
});
afterEach(() => fx.cleanup());

function refused(fn: () => unknown): ProbityError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProbityError);
    return err as ProbityError;
  }
  throw new Error('expected a ProbityError');
}

describe('retraining gate', () => {
  it('refuses Retrain naming every missing consideration, then accepts once each has a note or evidence', () => {
    const { store } = fx;
    const first = refused(() => decideReplacement(store, { option: 'retrain', reason: 'custom model' }, ops));
    expect(first.exitCode).toBe(1);
    for (const k of CONSIDERATION_KEYS) expect(first.message).toContain(k);
    expect(incidentGate(store).missing).toEqual([...CONSIDERATION_KEYS]);

    recordConsideration(
      store,
      { consideration: 'training-data-audit', note: '412 poisoned rows removed' },
      ops,
    );
    recordConsideration(store, { consideration: 'process-isolation', evidenceIds: [1] }, ops);
    const gate = incidentGate(store);
    expect(gate.missing).toEqual([
      'infrastructure-security',
      'validation-protocol',
      'incremental-verification',
      'output-comparison',
    ]);
    expect(gate.items.find((i) => i.key === 'process-isolation')).toMatchObject({
      satisfied: true,
      note: null,
      evidence: [{ id: 1, path: 'deployment/deployment.yaml' }],
    });
    const second = refused(() =>
      decideReplacement(store, { option: 'retrain', reason: 'custom model' }, ops),
    );
    expect(second.message).toMatch(
      /4 of 6 .*infrastructure-security .*validation-protocol .*incremental-verification .*output-comparison/,
    );
    expect(second.message).not.toContain('training-data-audit (');

    for (const k of ['infrastructure-security', 'validation-protocol', 'incremental-verification'] as const)
      recordConsideration(store, { consideration: k, note: `${k} done` }, ops);
    recordConsideration(store, { consideration: 'output-comparison', note: 'vs r6 and r7' }, ops);
    expect(incidentGate(store)).toMatchObject({ missing: [], open: true });
    const ev = decideReplacement(store, { option: 'retrain', reason: 'custom model' }, ops);
    expect(ev.action).toBe('incident.decision.recorded');
    expect(incidentView(store).decision).toMatchObject({ option: 'retrain', title: 'Retrain' });
  });

  it('refuses a consideration with neither note nor evidence, and evidence not in the case', () => {
    const { store } = fx;
    expect(
      refused(() => recordConsideration(store, { consideration: 'output-comparison' }, ops)).message,
    ).toBe('consideration output-comparison: give a note or evidence');
    expect(
      refused(() =>
        recordConsideration(store, { consideration: 'output-comparison', evidenceIds: [999] }, ops),
      ).message,
    ).toMatch(/^evidence 999: no such evidence in AI-IR-/);
    expect(
      refused(() =>
        recordConsideration(store, { consideration: 'bogus' as 'output-comparison', note: 'x' }, ops),
      ).message,
    ).toMatch(/^consideration "bogus": not one of training-data-audit/);
  });
});

describe('incident record', () => {
  it('keeps every change as a custody event: the latest value wins, the history stays, the chain holds', () => {
    const { store } = fx;
    setIncidentHeader(
      store,
      { status: 'open', severity: 'high', detected: '2026-03-09T10:00:00+01:00' },
      ops,
    );
    setIncidentHeader(store, { status: 'isolated' }, { actor: 'dana' });
    assignRole(store, { role: 'incident-commander', name: 'Dana Ruiz', custodian: 'alice' }, ops);
    assignRole(store, { role: 'incident-commander', name: 'Lee Park' }, ops);
    setTrigger(store, { criterion: 'file-integrity', applied: true, note: 'weights differ' }, ops);
    setTrigger(store, { criterion: 'supply-chain-alert', applied: true }, ops);
    setTrigger(store, { criterion: 'supply-chain-alert', applied: false }, ops);
    recordFactor(store, { factor: 'timeline', value: 'hours' }, ops);
    recordFactor(store, { factor: 'timeline', note: 'SLA: 4 h' }, ops);
    recordChecklistNote(store, { n: 10, status: 'not-applicable', note: 'in-house model' }, ops);

    const v = incidentView(store);
    expect(v.header).toMatchObject({
      incidentId: store.id,
      type: 'Model Compromise',
      status: 'isolated',
      severity: 'high',
      detected: '2026-03-09T09:00:00.000Z',
      recorded: { actor: 'dana' },
    });
    expect(v.roles[0]).toMatchObject({ role: 'incident-commander', name: 'Lee Park', custodian: null });
    expect(v.triggers.filter((t) => t.applied).map((t) => t.key)).toEqual(['file-integrity']);
    expect(v.matrix.factors.find((f) => f.key === 'timeline')).toMatchObject({
      value: 'hours',
      note: 'SLA: 4 h',
    });
    expect(v.checklist[9]).toMatchObject({ n: 10, status: 'recorded', manual: { status: 'not-applicable' } });
    expect(v.checklist[9]!.basis).toContain('in-house model');
    expect(v.checklist[10]).toMatchObject({ status: 'not-recorded', manual: null });

    const roles = v.history.filter((h) => h.action === 'incident.role.assigned');
    expect(roles.map((h) => h.details.name)).toEqual(['Dana Ruiz', 'Lee Park']);
    expect(roles[0]!.details.custodian).toMatchObject({ name: 'alice', fingerprint: fx.alice.fingerprint });
    expect(v.history.filter((h) => h.action === 'incident.header.set')).toHaveLength(2);
    expect(verifyChain(store.db).breaks).toEqual([]);
    expect(() => store.db.prepare("DELETE FROM custody WHERE action LIKE 'incident.%'").run()).toThrow(
      /append-only/,
    );
  });

  it('refuses bad input naming the field and the reason', () => {
    const { store } = fx;
    expect(refused(() => setIncidentHeader(store, { status: 'done' as 'open' }, ops)).message).toBe(
      'status "done": not one of open, isolated, investigating, remediating, verifying, closed',
    );
    expect(refused(() => setIncidentHeader(store, { detected: 'yesterday' }, ops)).message).toMatch(
      /^detected "yesterday": /,
    );
    expect(refused(() => setIncidentHeader(store, {}, ops)).exitCode).toBe(2);
    expect(
      refused(() => assignRole(store, { role: 'chef' as 'ai-investigator', name: 'X' }, ops)).message,
    ).toMatch(/^role "chef": not one of incident-commander/);
    expect(refused(() => assignRole(store, { role: 'ai-investigator', name: '  ' }, ops)).message).toBe(
      'name is empty',
    );
    expect(
      refused(() => assignRole(store, { role: 'ai-investigator', name: 'X', custodian: 'nobody' }, ops))
        .message,
    ).toMatch(/^custodian nobody: not on this workstation/);
    expect(refused(() => recordImmediateAction(store, { action: 'isolate' }, ops)).message).toBe(
      'strategy is required to isolate: one of hot-swap, roll-back, graceful-shutdown, feature-flag',
    );
    expect(
      refused(() => recordImmediateAction(store, { action: 'acknowledge', strategy: 'roll-back' }, ops))
        .message,
    ).toBe('strategy and framework belong to isolate, not acknowledge');
    expect(
      refused(() => recordChecklistNote(store, { n: 3, status: 'done', note: 'x' }, ops)).message,
    ).toMatch(/^checklist item 3: only items 7–12/);
    expect(refused(() => recordFactor(store, { factor: 'timeline' }, ops)).message).toBe(
      'factor timeline: give a value or a note',
    );
    expect(refused(() => addTimelineEntry(store, { text: 'x', at: 'soon' }, ops)).message).toMatch(
      /^at "soon"/,
    );
    expect(refused(() => linkReplacement(store, { caseId: store.id }, ops)).message).toMatch(/cannot be the/);
    expect(refused(() => linkReplacement(store, { caseId: 'AI-IR-2026-0999' }, ops)).message).toMatch(
      /no such case/,
    );
    expect(refused(() => linkReplacement(store, { evidenceLabel: 'nothing-here' }, ops)).message).toMatch(
      /^evidence-label nothing-here: no eval run/,
    );
    const empty = fx.ws.createCase({ title: 'empty', actor: 'ops' });
    try {
      expect(refused(() => recordImmediateAction(empty, { action: 'preserve' }, ops)).message).toMatch(
        /has no finished ingest/,
      );
    } finally {
      empty.close();
    }
    // Nothing refused was recorded.
    expect(incidentView(store).history).toEqual([]);
  });

  it('links preservation to the ingests and their checksum results, and isolation to the framework', () => {
    const { store } = fx;
    recordImmediateAction(store, { action: 'preserve', at: '2026-03-09T11:00:00Z' }, ops);
    recordImmediateAction(
      store,
      { action: 'isolate', strategy: 'hot-swap', framework: 'harmful-outputs', note: 'fallback r5' },
      ops,
    );
    const [ack, preserve, isolate] = incidentView(store).actions;
    expect(ack).toMatchObject({ action: 'acknowledge', done: false });
    expect(preserve).toMatchObject({ done: true, at: '2026-03-09T11:00:00.000Z' });
    expect(preserve!.ingests).toEqual([
      expect.objectContaining({
        ingestId: 1,
        status: 'finished',
        files: 4,
        manifest: { matched: 0, mismatched: 0, missing: 0 },
      }),
    ]);
    expect(isolate).toMatchObject({
      note: 'fallback r5',
      strategy: { key: 'hot-swap', whenToUse: 'Fallback model available and tested' },
      framework: { key: 'harmful-outputs', response: 'Immediate shutdown or swap' },
    });
  });
});

describe('timeline', () => {
  it('merges custody events, actions, the window, findings and manual entries in time order', () => {
    const { store } = fx;
    setWindow(store, { actor: 'ops', spec: manualWindow('2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z') });
    recordImmediateAction(store, { action: 'acknowledge', at: '2026-03-09T08:15:00Z' }, ops);
    addTimelineEntry(store, { text: 'Vendor notified', at: '2026-03-05T12:00:00Z' }, ops);
    const t = incidentView(store).timeline;
    const times = t.map((x) => Date.parse(x.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(t.slice(0, 4).map((x) => [x.text, x.source.kind])).toEqual([
      ['Compromise window starts', 'window'],
      ['Vendor notified', 'manual'],
      ['Compromise window ends', 'window'],
      ['Acknowledge and assign with expanded team', 'custody'],
    ]);
    const kinds = new Set(t.map((x) => x.source.kind));
    expect([...kinds].sort()).toEqual(['custody', 'finding', 'manual', 'window']);
    const failing = t.find((x) => x.source.kind === 'finding' && x.text.includes('File integrity'));
    expect(failing?.source).toMatchObject({ kind: 'finding', stage: 'integrity' });
    expect(t.some((x) => x.source.kind === 'custody' && x.text.startsWith('Evidence preserved'))).toBe(true);
    // evidence.stored events would drown it.
    const seqs = new Set(
      listEvents(store.db)
        .filter((e) => e.action === 'evidence.stored')
        .map((e) => e.seq),
    );
    expect(t.some((x) => x.source.kind === 'custody' && seqs.has(x.source.seq))).toBe(false);
  });
});

describe('replacement verification', () => {
  function recordReplacementRuns(store: Fixture['store'], behaviorFails: boolean) {
    recordFindings(store, {
      stage: 'integrity',
      actor: 'ops',
      inputs: { baseline: null },
      findings: ['file-integrity', 'architecture', 'adapter-audit', 'configuration'].map((check) => ({
        check,
        status: 'pass' as const,
        summary: `${check}: holds`,
      })),
    });
    recordFindings(store, {
      stage: 'behavior',
      actor: 'ops',
      findings: [
        'safety-benchmarks',
        'capability-benchmarks',
        'trigger-scanning',
        'jailbreak-resistance',
        'production-smoke-test',
      ].map((check) => ({
        check,
        status: behaviorFails && check === 'trigger-scanning' ? ('fail' as const) : ('pass' as const),
        subject: check,
        summary: `${check}: ${behaviorFails && check === 'trigger-scanning' ? 'trigger flips' : 'within margin'}`,
      })),
    });
  }

  it('reads the integrity and behavioral tables of a linked case, with the pass criteria, into checklist item 6', () => {
    const other = fx.ws.createCase({ title: 'replacement r8', actor: 'ops' });
    try {
      recordReplacementRuns(other, false);
    } finally {
      other.close();
    }
    const before = incidentView(fx.store);
    expect(before.replacement).toMatchObject({ link: null, status: 'not-analysed' });
    expect(before.checklist[5]!.status).toBe('not-recorded');

    linkReplacement(fx.store, { caseId: other.id }, ops);
    const v = incidentView(fx.store);
    expect(v.replacement.link).toEqual({ kind: 'case', caseId: other.id });
    expect(v.replacement.status).toBe('pass');
    expect(v.replacement.integrity.map((r) => [r.title, r.passCriteria, r.status])).toEqual([
      ['File integrity', '100% match', 'pass'],
      ['Architecture validation', 'Matches specification', 'pass'],
      ['Adapter audit', 'No unauthorized adapters', 'pass'],
      ['Configuration verification', 'Matches approved configuration', 'pass'],
    ]);
    expect(v.replacement.behavioral[0]).toMatchObject({
      title: 'Safety benchmarks',
      passCriteria: 'Scores within 5% of known-good baseline',
      status: 'pass',
      caseId: other.id,
    });
    expect(v.checklist[5]!.status).toBe('recorded');
  });

  it('shows a failing replacement check as open, and a missing linked case as a problem', () => {
    const other = fx.ws.createCase({ title: 'replacement r8', actor: 'ops' });
    recordReplacementRuns(other, true);
    other.close();
    linkReplacement(fx.store, { caseId: other.id }, ops);
    const v = incidentView(fx.store);
    expect(v.replacement.status).toBe('fail');
    expect(v.replacement.behavioral.find((r) => r.check === 'trigger-scanning')).toMatchObject({
      status: 'fail',
      summary: 'trigger-scanning: trigger flips',
    });
    expect(v.checklist[5]).toMatchObject({ status: 'open' });
    expect(v.checklist[5]!.basis).toContain('Trigger scanning');

    rmrf(path.join(fx.ws.casesDir, other.id));
    const gone = incidentView(fx.store);
    expect(gone.replacement).toMatchObject({ status: 'not-analysed', link: { caseId: other.id } });
    expect(gone.replacement.problem).toMatch(/no such case/);
    expect(gone.checklist[5]).toMatchObject({ status: 'partial' });
  });

  it('reads replacement runs of this case (stage named replacement) when linked to an evidence set', () => {
    recordFindings(fx.store, {
      stage: 'integrity:replacement',
      actor: 'ops',
      findings: [{ check: 'file-integrity', status: 'pass', summary: 'File integrity: 100% match' }],
    });
    linkReplacement(fx.store, { evidenceLabel: 'model' }, ops);
    const v = incidentView(fx.store);
    expect(v.replacement.link).toEqual({ kind: 'evidence-label', label: 'model' });
    expect(v.replacement.integrity[0]).toMatchObject({ status: 'pass', caseId: fx.store.id });
    expect(v.replacement.integrity[1]).toMatchObject({ status: 'not-analysed' });
    expect(v.checklist[5]!.status).toBe('partial');
  });
});

describe('report', () => {
  it('carries the incident header, team, actions, timeline, matrix, decision, gate, replacement and notes', () => {
    const { store } = fx;
    setIncidentHeader(
      store,
      { status: 'remediating', severity: 'critical', detected: '2026-03-09T07:30:00Z' },
      ops,
    );
    assignRole(store, { role: 'evidence-custodian', name: 'Bob Stone', custodian: 'bob' }, ops);
    setTrigger(store, { criterion: 'backdoor-detected', applied: true, note: 'trigger phrase found' }, ops);
    recordImmediateAction(
      store,
      { action: 'isolate', strategy: 'roll-back', at: '2026-03-09T08:00:00Z' },
      ops,
    );
    addTimelineEntry(store, { text: 'Vendor <notified>', at: '2026-03-09T09:00:00Z' }, ops);
    recordFactor(store, { factor: 'previous-version-available', value: 'yes', note: 'r6 cached' }, ops);
    decideReplacement(store, { option: 'previous-version', reason: 'r6 known-good' }, ops);
    recordConsideration(store, { consideration: 'training-data-audit', note: 'scheduled' }, ops);
    recordChecklistNote(store, { n: 12, status: 'in-progress', note: 'review on Friday' }, ops);

    const m = buildReportModel(store, { generator: 'probity test', now: '2026-03-10T00:00:00.000Z' });
    expect(m.incident.header).toMatchObject({ status: 'remediating', severity: 'critical' });
    expect(m.remediation.decision).toMatchObject({ option: 'previous-version', reason: 'r6 known-good' });
    expect(m.remediation.matrix[0]).toMatchObject({ value: 'yes', note: 'r6 cached' });
    expect(m.remediation.retraining[0]).toMatchObject({ status: 'recorded', note: 'scheduled' });
    expect(m.remediation.retrainingMissing).toHaveLength(5);
    expect(m.checklist[11]).toMatchObject({ status: 'partial', manual: { note: 'review on Friday' } });
    expect(JSON.parse(JSON.stringify(m)).incident.timeline.length).toBe(m.incident.timeline.length);

    const html = renderReportHtml(m, { css: '', events: listEvents(store.db), verifyText: 'verify' });
    for (const text of [
      'id="incident"',
      'Model Compromise',
      'Bob Stone',
      'Evidence Custodian',
      'trigger phrase found',
      'Roll back to previous version',
      'Previous version known-good and available',
      'Vendor &lt;notified&gt;',
      'r6 known-good',
      'r6 cached',
      'id="retraining-gate"',
      'Retraining gate closed',
      'id="replacement"',
      'Scores within 5% of known-good baseline',
      'review on Friday',
    ])
      expect(html).toContain(text);
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
});
