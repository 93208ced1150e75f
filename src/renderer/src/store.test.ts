// @vitest-environment jsdom
import { host } from './test/fake-host';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CaseOverview } from '../../shared/domain';
import { DEFAULT_EVIDENCE_VIEW, useStore } from './store';

const CASE = 'AI-IR-2026-0001';

beforeEach(() => host.reset());

describe('the store, composed of the stages’ slices', () => {
  it('keeps the Evidence screen’s view per case, starting from the default', () => {
    useStore.getState().setEvidenceView(CASE, { text: 'adapter', sort: 'size' });
    expect(useStore.getState().evidenceViews[CASE]).toEqual({
      ...DEFAULT_EVIDENCE_VIEW,
      text: 'adapter',
      sort: 'size',
    });
  });

  it('follows an ingest from its start to its end and then refreshes what the case shows', async () => {
    host.on('ingest:start', () => ({ jobId: 'ingest-1' }));
    host.on('cases:overview', () => ({ id: CASE }) as unknown as CaseOverview);
    host.on('cases:list', () => []);
    const jobId = await useStore.getState().startIngest(CASE, '/bundles/model');
    expect(useStore.getState().jobs[jobId]).toMatchObject({ status: 'running', bundle: '/bundles/model' });
    useStore.getState().applyJobEvent({
      type: 'failed',
      jobId,
      caseId: CASE,
      kind: 'ingest',
      error: { code: 'cancelled', message: 'cancelled by the user', file: null },
    });
    expect(useStore.getState().jobs[jobId]?.status).toBe('cancelled');
    expect(host.calls.map((c) => c.channel)).toEqual(['ingest:start', 'cases:overview', 'cases:list']);
  });

  it('keeps the data it had when a refresh fails, with the error', async () => {
    host.on('custody:log', () => []);
    await useStore.getState().loadCustody(CASE);
    host.on('custody:log', () => {
      throw new Error('the case folder is gone');
    });
    await useStore.getState().loadCustody(CASE);
    expect(useStore.getState().custody[CASE]).toEqual({
      data: [],
      loading: false,
      error: 'the case folder is gone',
    });
  });
});
