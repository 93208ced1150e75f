/**
 * The Integrity stage: the playbook's Integrity Verification (four checks, and the template & tokenizer check) against a known-good
 * baseline case, the provenance chain with its compromise point, and the weight diff as a heatmap
 * of layers × tensor roles. Every run is recorded by the host (findings + a custody event).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { IntegrityRun, ProvenanceResult, WeightDiffResult } from '../../../../shared/integrity';
import { api } from '../../api/client';
import { Spinner } from '../../components/Bits';
import { useLoadable } from '../../loadable';
import { useStore } from '../../store';
import { VerificationSection } from './VerificationSection';
import { TemplateDiffSection } from './TemplateDiffView';
import { ProvenanceSection } from './ProvenanceSection';
import { WeightSection } from './WeightSection';
import { TrustRootField, trustRootArg, type TrustRootChoice } from './TrustRootField';

/** The obvious baseline: a case titled as the known-good reference. */
export function pickDefaultBaseline(cases: { id: string; title: string }[], caseId: string): string {
  const others = cases.filter((c) => c.id !== caseId);
  return others.find((c) => /known-good|reference|baseline/i.test(c.title))?.id ?? '';
}

export function IntegrityScreen({ caseId }: { caseId: string }) {
  const cases = useStore((s) => s.cases);
  const loadCases = useStore((s) => s.loadCases);
  const loadOverview = useStore((s) => s.loadOverview);
  const [baseline, setBaseline] = useState<string | null>(null);
  const integrity = useLoadable<IntegrityRun>();
  const provenance = useLoadable<ProvenanceResult>();
  const weights = useLoadable<WeightDiffResult>();
  const { load: loadIntegrity } = integrity;
  const { load: loadProvenance } = provenance;
  const { load: loadWeights, reset: resetWeights } = weights;
  const [running, setRunning] = useState(false);
  const [authorized, setAuthorized] = useState('');
  const [approvedConfig, setApprovedConfig] = useState('');
  const [trustRoot, setTrustRoot] = useState<TrustRootChoice>({ kind: 'none' });
  const info = useStore((s) => s.info);
  const desktop = info.data ? info.data.pathInput === 'dialog' : api.transport === 'ipc';

  useEffect(() => {
    if (!cases.data && !cases.loading) void loadCases();
  }, [cases.data, cases.loading, loadCases]);

  useEffect(() => {
    void loadIntegrity(() => api.latestIntegrity({ caseId }));
  }, [caseId, loadIntegrity]);

  const others = useMemo(() => (cases.data ?? []).filter((c) => c.id !== caseId), [cases.data, caseId]);
  const chosen = baseline ?? pickDefaultBaseline(cases.data ?? [], caseId);

  const run = useCallback(async () => {
    const base = chosen || null;
    setRunning(true);
    const steps: Promise<unknown>[] = [
      loadIntegrity(
        () =>
          api.runIntegrity({
            caseId,
            baselineCaseId: base,
            authorizedAdapters: authorized.trim() === '' ? null : authorized,
            approvedConfig: approvedConfig.trim() === '' ? null : approvedConfig.trim(),
            trustRoot: trustRootArg(trustRoot),
          }),
        { keep: true },
      ),
      loadProvenance(() => api.provenance({ caseId, baselineCaseId: base })),
    ];
    if (base) steps.push(loadWeights(() => api.diffWeights({ caseId, baselineCaseId: base })));
    else resetWeights();
    await Promise.all(steps);
    setRunning(false);
    // The runs were recorded as custody events: refresh the case header's chain line.
    void loadOverview(caseId);
  }, [
    caseId,
    chosen,
    authorized,
    approvedConfig,
    trustRoot,
    loadOverview,
    loadIntegrity,
    loadProvenance,
    loadWeights,
    resetWeights,
  ]);

  return (
    <section className="screen screen-integrity" aria-labelledby="integrity-heading">
      <div className="screen-header">
        <div>
          <h2 id="integrity-heading">Integrity</h2>
          <p className="muted">
            The playbook’s integrity verification, provenance chain and weight diff, against a known-good
            case.
          </p>
        </div>
      </div>
      <div className="toolbar integrity-toolbar">
        <div className="field field-inline">
          <label htmlFor="integrity-baseline">Baseline (known-good)</label>
          <select
            id="integrity-baseline"
            value={chosen}
            onChange={(e) => setBaseline(e.target.value)}
            disabled={running}
          >
            <option value="">No baseline (the case’s own checksums only)</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id} · {c.title}
              </option>
            ))}
          </select>
        </div>
        {cases.error ? <span className="field-error">Could not list the cases: {cases.error}</span> : null}
      </div>
      <div className="toolbar integrity-toolbar integrity-options">
        <div className="field integrity-option">
          <label htmlFor="integrity-authorized">Authorized adapters</label>
          <textarea
            id="integrity-authorized"
            className="mono-input"
            rows={2}
            value={authorized}
            onChange={(e) => setAuthorized(e.target.value)}
            disabled={running}
            placeholder="support-tune, or name sha256 per line"
            aria-describedby="integrity-authorized-help"
            spellCheck={false}
          />
          <span id="integrity-authorized-help" className="field-help">
            One per line or comma-separated; optional sha256 after a name. Empty: none is authorized.
          </span>
        </div>
        <div className="field integrity-option">
          <label htmlFor="integrity-approved">Approved serving config</label>
          <input
            id="integrity-approved"
            className="mono-input"
            value={approvedConfig}
            onChange={(e) => setApprovedConfig(e.target.value)}
            disabled={running}
            placeholder="/path/to/approved-config.yaml (optional)"
            aria-describedby="integrity-approved-help"
            spellCheck={false}
          />
          {desktop ? (
            <button
              type="button"
              className="btn integrity-browse"
              disabled={running}
              onClick={() =>
                void api.pickBundle({ kind: 'file' }).then(
                  (picked) => picked && setApprovedConfig(picked),
                  () => undefined,
                )
              }
            >
              Browse…
            </button>
          ) : null}
          <span id="integrity-approved-help" className="field-help">
            A file on this workstation; leave empty to compare with the baseline only.
          </span>
        </div>
        <TrustRootField
          caseId={caseId}
          value={trustRoot}
          onChange={setTrustRoot}
          disabled={running}
          desktop={desktop}
        />
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void run()}
          disabled={running}
          data-testid="integrity-run"
        >
          {running ? (
            <>
              <Spinner label="Running integrity checks" /> Running…
            </>
          ) : (
            'Run integrity checks'
          )}
        </button>
      </div>

      <VerificationSection state={integrity.state} />
      <TemplateDiffSection run={integrity.state.data} />
      <ProvenanceSection state={provenance.state} />
      <WeightSection
        state={weights.state}
        hasBaseline={chosen !== ''}
        ran={provenance.state.data !== null || provenance.state.loading}
      />
    </section>
  );
}

/** The lists the run compared against, so a reader knows what "authorized" meant. */
