/**
 * Shown above every stage of a case whose last scan reached some verdict under other rules than
 * the scanner's current ones: one button re-judges every preserved object (recorded by the host as
 * findings and custody events), then the list of what changed.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CaseScanState, RescanResult } from '../../../shared/scan';
import { api } from '../api/client';
import { Spinner } from '../components/Bits';
import { useLoadable } from '../loadable';
import { useStore } from '../store';

export function RescanBanner({ caseId }: { caseId: string }) {
  const state = useLoadable<CaseScanState>();
  const { load } = state;
  const loadOverview = useStore((s) => s.loadOverview);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<RescanResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void load(() => api.scanState({ caseId }));
  }, [caseId, load]);

  const rescan = useCallback(async () => {
    setRunning(true);
    setError(null);
    try {
      setResult(await api.rescan({ caseId }));
      await load(() => api.scanState({ caseId }), { keep: true });
      void loadOverview(caseId);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setRunning(false);
    }
  }, [caseId, load, loadOverview]);

  const s = state.state.data;
  if (!s) return null;
  if (!s.outdated && !result) return null;
  const older = s.lastRun?.ruleSets.filter((r) => r.digest !== s.current.digest) ?? [];
  return (
    <div className="rescan-banner" role="region" aria-label="Scanner rules" data-testid="rescan-banner">
      {s.outdated ? (
        <p>
          The last scan of this case judged some objects under rules{' '}
          {older.map((r) => r.version).join(', ') || 'older than the current ones'}; the scanner now runs
          rules <span className="mono">{s.current.version}</span>.{' '}
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void rescan()}
            disabled={running}
            data-testid="rescan-button"
          >
            {running ? (
              <>
                <Spinner label="Re-scanning" /> Re-scanning…
              </>
            ) : (
              'Re-scan under the current rules'
            )}
          </button>
        </p>
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          The re-scan failed: {error}
        </p>
      ) : null}
      {result ? (
        <div role="status" data-testid="rescan-result">
          <p>
            {result.objects} objects re-judged under rules{' '}
            <span className="mono">{result.rules.version}</span>: {result.changed.length} changed,{' '}
            {result.reconfirmed} re-confirmed
            {result.added ? `, ${result.added} without an earlier verdict` : ''} (custody event #
            {result.custodySeq}).
          </p>
          {result.changed.length ? (
            <ul className="rescan-changes">
              {result.changed.map((c) => (
                <li key={c} className="mono">
                  {c}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
