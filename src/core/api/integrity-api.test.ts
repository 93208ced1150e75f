/**
 * The integrity channels over the shared service, on the demo incident: the four checks against the
 * reference case (recorded, then read back by `integrity:latest`), the weight diff, the provenance
 * chain's compromise point, and the inspector on the tampered shard; arguments that would examine
 * a case against itself or inspect a missing file come back as named errors, never crashes.
 */
import { describe, expect, it } from 'vitest';
import type {
  ArtifactInspection,
  IntegrityRun,
  ProvenanceResult,
  WeightDiffResult,
} from '../../shared/integrity';
import { demoService, ok } from './testkit';

describe('integrity channels', () => {
  const { service, demo } = demoService();

  it('answers null before any run, then the recorded run with its failing items', async () => {
    expect(ok(await service.handle('integrity:latest', { caseId: demo().incidentCaseId }))).toBeNull();
    const run = ok<IntegrityRun>(
      await service.handle('integrity:run', {
        caseId: demo().incidentCaseId,
        baselineCaseId: demo().referenceCaseId,
      }),
    );
    expect(run.source).toBe('run');
    expect(run.status).toBe('fail');
    expect(run.checks.map((c) => [c.check, c.status])).toEqual([
      ['file-integrity', 'fail'],
      ['architecture', 'fail'],
      ['adapter-audit', 'fail'],
      ['configuration', 'fail'],
      ['template-tokenizer', 'fail'],
    ]);
    const latest = ok<IntegrityRun>(
      await service.handle('integrity:latest', { caseId: demo().incidentCaseId }),
    );
    expect(latest.source).toBe('recorded');
    expect(latest.runId).toBe(run.runId);
    expect(latest.custodySeq).toBe(run.custodySeq);
    expect(latest.baseline).toBe(demo().referenceCaseId);
    for (const [i, c] of latest.checks.entries()) {
      const fresh = run.checks[i]!;
      expect(c.check).toBe(fresh.check);
      expect(c.summary).toBe(fresh.summary);
      expect(c.reasons).toEqual(fresh.reasons);
      expect(c.items.map((x) => x.summary)).toEqual(
        fresh.items.filter((x) => x.status === 'fail').map((x) => x.summary),
      );
      // The passing items are not stored one by one: their counts are, and match the run's.
      const n = (status: string) => fresh.items.filter((x) => x.status === status).length;
      expect(c.counts).toEqual({
        pass: n('pass'),
        fail: n('fail'),
        info: n('info'),
        notAnalysed: n('not-analysed'),
      });
    }
    expect(latest.checks.some((c) => (c.counts?.pass ?? 0) > 0)).toBe(true);
  }, 60_000);

  it('diffs the weights and names the compromise point', async () => {
    const diff = ok<WeightDiffResult>(
      await service.handle('integrity:diffWeights', {
        caseId: demo().incidentCaseId,
        baselineCaseId: demo().referenceCaseId,
      }),
    );
    const changed = diff.pairs.flatMap((p) => p.tensors.filter((t) => t.status !== 'identical'));
    expect(changed.map((t) => t.name).sort()).toEqual([
      'model.layers.2.mlp.gate_proj.weight',
      'model.layers.2.mlp.up_proj.weight',
    ]);
    expect(diff.pairs.every((p) => !('tensors' in p.a))).toBe(true);
    const prov = ok<ProvenanceResult>(
      await service.handle('integrity:provenance', {
        caseId: demo().incidentCaseId,
        baselineCaseId: demo().referenceCaseId,
      }),
    );
    expect(prov.compromise?.point.name).toBe('Deployment compromise');
  }, 60_000);

  it('takes the authorized adapters inline: support-tune authorized, its rank mismatch remains', async () => {
    const adapterFailures = (run: IntegrityRun): string[] =>
      run.checks
        .find((c) => c.check === 'adapter-audit')!
        .items.filter((i) => i.status === 'fail')
        .map((i) => i.summary);
    const without = ok<IntegrityRun>(
      await service.handle('integrity:run', {
        caseId: demo().incidentCaseId,
        baselineCaseId: demo().referenceCaseId,
      }),
    );
    expect(without.options).toEqual({ authorizedAdapters: null, approvedConfig: null, trustRoot: null });
    expect(adapterFailures(without).some((s) => /support-tune .* is not authorized/.test(s))).toBe(true);

    const run = ok<IntegrityRun>(
      await service.handle('integrity:run', {
        caseId: demo().incidentCaseId,
        baselineCaseId: demo().referenceCaseId,
        authorizedAdapters: 'support-tune,  other-adapter\n',
      }),
    );
    expect(run.options?.authorizedAdapters?.names).toEqual(['support-tune', 'other-adapter']);
    expect(run.options?.authorizedAdapters?.label).toBe('entered in the app');
    const failures = adapterFailures(run);
    expect(failures.some((s) => /not authorized/.test(s))).toBe(false);
    expect(failures.some((s) => /has rank 16 in the weights but r declares 8/.test(s))).toBe(true);
    expect(run.checks.find((c) => c.check === 'adapter-audit')!.status).toBe('fail');

    // The recorded run says which list it used.
    const latest = ok<IntegrityRun>(
      await service.handle('integrity:latest', { caseId: demo().incidentCaseId }),
    );
    expect(latest.options?.authorizedAdapters?.names).toEqual(['support-tune', 'other-adapter']);

    // A missing approved config is a named error, not a silent "pass".
    const missing = await service.handle('integrity:run', {
      caseId: demo().incidentCaseId,
      approvedConfig: '/nonexistent/approved.yaml',
    });
    expect(!missing.ok && missing.error.message).toMatch(/approved-config|approved\.yaml/);
  }, 60_000);

  it('inspects an evidence file and refuses bad arguments by name', async () => {
    const list = ok<{ id: number; path: string }[]>(
      await service.handle('evidence:list', { caseId: demo().incidentCaseId }),
    );
    const shard = list.find((e) => e.path === 'model/model-00001-of-00002.safetensors')!;
    const view = ok<ArtifactInspection>(
      await service.handle('artifact:inspect', { caseId: demo().incidentCaseId, evidenceId: shard.id }),
    );
    expect(view.kind).toBe('safetensors');
    expect(view.tensors?.length).toBe(28);
    const missing = await service.handle('artifact:inspect', {
      caseId: demo().incidentCaseId,
      evidenceId: 999999,
    });
    expect(missing.ok).toBe(false);
    const self = await service.handle('integrity:run', {
      caseId: demo().incidentCaseId,
      baselineCaseId: demo().incidentCaseId,
    });
    expect(!self.ok && self.error.message).toMatch(/baseline must be another case/);
    const bad = await service.handle('artifact:inspect', { caseId: demo().incidentCaseId, evidenceId: 'x' });
    expect(!bad.ok && bad.error.code).toBe('usage');
  });
});
