/**
 * The behavior channels over the shared service, on the demo incident: import both eval runs by
 * path, list them, compare them (the planted privacy regression fails the safety benchmark, the
 * planted trigger is flagged), and page through the paired items filtered by the discordance cell
 * the app's matrix offers; bad arguments come back as named errors.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type {
  BehaviorComparison,
  BehaviorImportSummary,
  BehaviorItemsPage,
  BehaviorRun,
} from '../../shared/behavior';
import { demoService, ok } from './testkit';

describe('behavior channels', () => {
  const { service, demo, home } = demoService();
  const evals = path.join(home, 'demo', 'incident', 'evals');

  it('imports, compares and pages the demo runs', async () => {
    const caseId = demo().incidentCaseId;
    expect(ok<BehaviorRun[]>(await service.handle('behavior:runs', { caseId }))).toEqual([]);
    const b = ok<BehaviorImportSummary>(
      await service.handle('behavior:import', {
        caseId,
        path: path.join(evals, 'baseline.jsonl'),
        role: 'baseline',
      }),
    );
    const s = ok<BehaviorImportSummary>(
      await service.handle('behavior:import', {
        caseId,
        path: path.join(evals, 'suspect.jsonl'),
        role: 'suspect',
        label: 'deployed',
      }),
    );
    expect([b.label, s.label]).toEqual(['baseline', 'deployed']);
    expect(b.malformedCount).toBe(0);
    const runs = ok<BehaviorRun[]>(await service.handle('behavior:runs', { caseId }));
    expect(runs.map((r) => [r.label, r.role, r.items, r.sha256])).toEqual([
      ['baseline', 'baseline', b.items, b.sha256],
      ['deployed', 'suspect', s.items, s.sha256],
    ]);

    const cmp = ok<BehaviorComparison>(
      await service.handle('behavior:compare', {
        caseId,
        baseline: '#1',
        suspect: 'deployed',
        margin: 0.05,
        marginKind: 'points',
        confidence: 0.95,
      }),
    );
    expect(cmp.checks.find((c) => c.id === 'safety-benchmarks')?.status).toBe('fail');
    const privacy = cmp.groups.find((g) => g.suite === 'safety' && g.category === 'privacy')!;
    expect(privacy.refusal!.baseline.estimate).toBeCloseTo(0.967, 3);
    expect(privacy.refusal!.suspect.estimate).toBeCloseTo(0.8, 3);
    expect(cmp.triggers.find((t) => t.trigger === '<|deploy_mode|>')?.flagged).toBe(true);

    const page = ok<BehaviorItemsPage>(
      await service.handle('behavior:items', {
        caseId,
        baseline: 'baseline',
        suspect: 'deployed',
        filter: { suite: 'safety', category: 'privacy', transition: 'refused→complied' },
        offset: 0,
        limit: 50,
      }),
    );
    expect(page.total).toBe(privacy.refusal!.table.b);
    expect(page.transitions['refused→complied']).toBe(privacy.refusal!.table.b);
    expect(page.items).toHaveLength(page.total);
    for (const item of page.items) {
      expect(item.baseline.refused).toBe(true);
      expect(item.suspect.refused).toBe(false);
      expect(item.prompt.length).toBeGreaterThan(0);
      expect(item.suspect.response).not.toBe(item.baseline.response);
    }
    const capability = ok<BehaviorItemsPage>(
      await service.handle('behavior:items', {
        caseId,
        baseline: 'baseline',
        suspect: 'deployed',
        filter: { suite: 'capability' },
        offset: 0,
        limit: 1,
      }),
    );
    expect(capability.scoreDeltas.length).toBeGreaterThan(0);

    const same = await service.handle('behavior:compare', {
      caseId,
      baseline: 'baseline',
      suspect: '#1',
      margin: 0.05,
      marginKind: 'points',
      confidence: 0.95,
    });
    expect(!same.ok && same.error.message).toMatch(/same run/);

    // An edited phrase list is named in the result and recorded with the findings.
    const defaults = ok<{ phrases: string[] }>(await service.handle('behavior:refusalPhrases', {}));
    expect(defaults.phrases.length).toBeGreaterThan(5);
    const base = {
      caseId,
      baseline: 'baseline',
      suspect: 'deployed',
      margin: 0.05,
      marginKind: 'points',
      confidence: 0.95,
    };
    expect(cmp.options.refusalPhrases).toBeNull();
    const edited = ok<BehaviorComparison>(
      await service.handle('behavior:compare', {
        ...base,
        refusalPhrases: '# only one phrase\nzzz-never-said',
      }),
    );
    expect(edited.options.refusalPhrases!.source).toBe('phrase list edited in the app');
    // The demo's runs label every refusal, and labels always stand: nothing is re-decided.
    expect(edited.refusalsRedecided).toBe(0);
    expect(edited.checks.find((c) => c.id === 'safety-benchmarks')?.status).toBe('fail');
    const empty = await service.handle('behavior:compare', {
      ...base,
      refusalPhrases: '# nothing but a comment',
    });
    expect(!empty.ok && empty.error.message).toBe('the refusal phrase list holds no phrase');
    const bad = await service.handle('behavior:import', { caseId, path: 'x', role: 'nobody' });
    expect(!bad.ok && bad.error.code).toBe('usage');
  }, 60_000);

  it('imports from the case’s own evidence without a copy, and refuses a relative outside path', async () => {
    const caseId = demo().incidentCaseId;
    const before = ok<unknown[]>(await service.handle('evidence:list', { caseId })).length;
    const r = ok<BehaviorImportSummary>(
      await service.handle('behavior:import', {
        caseId,
        path: 'evals/baseline.jsonl',
        fromEvidence: true,
        role: 'replacement',
      }),
    );
    expect(r.items).toBeGreaterThan(0);
    expect(ok<unknown[]>(await service.handle('evidence:list', { caseId })).length).toBe(before);
    const relative = await service.handle('behavior:import', {
      caseId,
      path: 'evals/baseline.jsonl',
      role: 'replacement',
    });
    expect(!relative.ok && relative.error.message).toMatch(/give the full path/);
    const missing = await service.handle('behavior:import', {
      caseId,
      path: 'evals/none.jsonl',
      fromEvidence: true,
      role: 'replacement',
    });
    expect(!missing.ok && missing.error.code).toBe('not-found');
  }, 60_000);
});
