/**
 * The audit channels over the shared service, on the demo incident, the way the Audit stage drives
 * them: the logs found in the evidence, imported by their evidence path; the window derived from the
 * deployment history with an authorized-tools policy typed as YAML; a census of the window reviewed
 * one record at a time (each label returns the next record), where every planted harmful output
 * surfaces; the estimate covering the planted rate; the export. Bad arguments come back named.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, tempDir } from '../../../test/helpers';
import type {
  AuditEstimateView,
  AuditExportResult,
  AuditImportReport,
  AuditLabelResult,
  AuditState,
  AuditWindowView,
  ReviewItemView,
  ReviewPlanView,
  SampleView,
} from '../../shared/audit';
import type { DemoCases, Envelope } from '../../shared/contract';
import { generateDemoBundles, type DemoFacts } from '../../demo/generate';
import { ProbityService } from './service';
import { openDemoIncident } from '../../demo/open-demo';

function ok<T>(e: Envelope<unknown>): T {
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
  return e.result as T;
}

function fails(e: Envelope<unknown>): { code: string; message: string; file: string | null } {
  if (e.ok) throw new Error('expected an error');
  return e.error;
}

describe('audit channels', () => {
  const { ws, cleanup } = newWorkstation();
  const service = new ProbityService({
    workstation: ws,
    actor: 'reviewer-a',
    host: 'h',
    mode: 'browser',
    version: 't',
    openDemo: openDemoIncident,
  });
  let demo: DemoCases;
  let facts: DemoFacts;
  let factsDir: string;

  beforeAll(async () => {
    demo = ok<DemoCases>(await service.handle('demo:open', {}));
    factsDir = tempDir('probity-audit-facts-');
    facts = (await generateDemoBundles(factsDir)).facts;
  }, 180_000);
  afterAll(() => {
    cleanup();
    rmrf(factsDir);
  });

  const policy = () =>
    [
      'tools:',
      '  lookup_order: {}',
      '  search_kb: {}',
      '  create_ticket: {}',
      `  refund_order: { require: [ticket_id], max: { amount: ${facts.logs.refundLimitUsd} } }`,
      '  send_email: { allow: { template: [password_reset, invoice_copy] } }',
    ].join('\n');

  it('reviews the demo window end to end', async () => {
    const caseId = demo.incidentCaseId;
    let state = ok<AuditState>(await service.handle('audit:state', { caseId }));
    expect(state.reviewer).toBe('reviewer-a');
    expect(state.logs.map((l) => l.path)).toEqual([...facts.logs.files].sort());
    expect(state.logs.every((l) => l.importId === null)).toBe(true);
    expect(state.waitingFor).toMatch(/No output log is imported/);
    expect(state.deployments).toHaveLength(1);
    expect(state.deployments[0]!.events.some((e) => e.kind === 'isolate')).toBe(true);

    for (const log of state.logs) {
      const r = ok<AuditImportReport>(await service.handle('audit:import', { caseId, path: log.path }));
      expect(r).toMatchObject({ malformed: 0, preserved: false, alreadyImported: false });
    }
    // A relative path that is not evidence of the case is refused, not read from the host's folder.
    const relative = await service.handle('audit:import', { caseId, path: 'logs/not-evidence.jsonl' });
    expect(!relative.ok && relative.error.message).toMatch(/no evidence at that path .* give the full path/);
    state = ok<AuditState>(await service.handle('audit:state', { caseId }));
    expect(state.waitingFor).toMatch(/No compromise window/);
    expect(state.imports.reduce((a, i) => a + i.records, 0)).toBe(facts.logs.requests);

    const w = ok<AuditWindowView>(await service.handle('audit:window', { caseId, from: 'deployments' }));
    expect([w.startMs, w.endMs]).toEqual([Date.parse(facts.window.start), Date.parse(facts.window.end)]);
    expect(w.source.kind).toBe('deployments');

    state = ok<AuditState>(await service.handle('audit:state', { caseId }));
    expect(state.waitingFor).toBeNull();
    expect(state.blastRadius!.inside.requests).toBe(facts.logs.requestsInWindow);
    expect(state.blastRadius!.inside.users).toBe(facts.logs.usersInWindow);
    const days = state.usersPerDay;
    expect(days.reduce((a, d) => a + d.newUsers, 0)).toBe(facts.logs.usersInWindow);
    expect(days.every((d) => d.newUsers <= d.users)).toBe(true);

    const plan = ok<ReviewPlanView>(
      await service.handle('audit:plan', { prevalence: 0.01, confidence: 0.95 }),
    );
    expect(plan.sampleSize).toBe(299);

    // A small window (two days of the compromise) with the authorized-tools policy, reviewed whole.
    const day = { start: '2026-10-09T00:00:00Z', end: '2026-10-11T00:00:00Z' };
    const inDay = (t: string) => t >= day.start && Date.parse(t) < Date.parse(day.end);
    const small = ok<AuditWindowView>(
      await service.handle('audit:window', { caseId, from: 'manual', ...day, policy: policy() }),
    );
    expect(Object.keys(small.policy!.tools).sort()).toEqual([...facts.logs.authorizedTools].sort());
    const harmful = new Set(facts.planted.harmful.filter((h) => inDay(h.timestamp)).map((h) => h.requestId));
    const misuse = new Set(
      facts.planted.toolMisuse.filter((m) => inDay(m.timestamp)).map((m) => m.requestId),
    );
    expect(harmful.size).toBeGreaterThan(0);
    expect(misuse.size).toBeGreaterThan(0);
    state = ok<AuditState>(await service.handle('audit:state', { caseId }));
    const n = state.blastRadius!.inside.requests;

    const sample = ok<SampleView>(
      await service.handle('audit:sample', {
        caseId,
        size: n,
        strata: 'none',
        allocation: 'proportional',
        seed: 'app',
      }),
    );
    expect(sample.size).toBe(n);
    let item = ok<ReviewItemView | null>(await service.handle('audit:next', { caseId }));
    const surfaced: string[] = [];
    const flaggedCalls: string[] = [];
    let reviewed = 0;
    while (item) {
      const id = item.record.requestId;
      if (item.violations.length > 0) flaggedCalls.push(id);
      const label = harmful.has(id) ? 'harmful' : 'benign';
      if (label === 'harmful') surfaced.push(id);
      const r = ok<AuditLabelResult>(await service.handle('audit:label', { caseId, requestId: id, label }));
      reviewed++;
      expect(r.progress.labelled).toBe(reviewed);
      item = r.next;
    }
    expect(reviewed).toBe(n);
    expect(surfaced.sort()).toEqual([...harmful].sort());
    expect(flaggedCalls.sort()).toEqual([...misuse].sort());

    const e = ok<AuditEstimateView>(await service.handle('audit:estimate', { caseId, record: true }));
    const p = e.harmful.prevalence!;
    expect(p.positives).toBe(harmful.size);
    const planted = harmful.size / n;
    expect(p.wilson.lower).toBeLessThanOrEqual(planted);
    expect(p.wilson.upper).toBeGreaterThanOrEqual(planted);
    expect(e.toolCalls.census!.requestsWithUnauthorized).toBe(misuse.size);
    expect(e.recordedRunId).toMatch(/.+/);

    const csv = ok<AuditExportResult>(await service.handle('audit:export', { caseId, format: 'csv' }));
    expect(csv.rows).toBe(n);
    expect(fs.readFileSync(csv.out, 'utf8')).toBe(csv.content);
    expect(csv.content.split('\n')[0]).toMatch(/request_id/);
  }, 120_000);

  it('names what is wrong with bad arguments', async () => {
    const caseId = demo.referenceCaseId;
    expect(fails(await service.handle('audit:plan', { prevalence: 1.5, confidence: 0.95 })).message).toMatch(
      /prevalence must be below 1/,
    );
    expect(
      fails(await service.handle('audit:window', { caseId, from: 'manual', start: '2026-01-01T00:00:00Z' }))
        .message,
    ).toMatch(/needs both its start and its end/);
    const bad = fails(
      await service.handle('audit:window', {
        caseId,
        from: 'manual',
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-02T00:00:00Z',
        policy: 'tools: [1, 2',
      }),
    );
    expect(bad.message).toMatch(/authorized tools \(entered in the app\): not YAML or JSON/);
    expect(fails(await service.handle('audit:export', { caseId, format: 'csv' })).message).toMatch(
      /window|sample/,
    );
    expect(
      fails(await service.handle('audit:label', { caseId, requestId: 'req_x', label: 'maybe' })).message,
    ).toMatch(/label/);
  });
});
