import { useEffect, useMemo, useState } from 'react';
import { EmptyState, ErrorPanel, Spinner, StatusLine } from '../../components/Bits';
import { describeChain } from '../../chain';
import { CheckpointDialog } from './CheckpointDialog';
import { plural } from '../../format';
import { useStore } from '../../store';
import { VerifyButton } from './VerifyButton';
import { VerifyPanel } from './VerifyPanel';
import { CustodyTable } from './CustodyTable';

export function CustodyLog({ caseId }: { caseId: string }) {
  const custody = useStore((s) => s.custody[caseId]);
  const overview = useStore((s) => s.overviews[caseId]?.data);
  const loadCustody = useStore((s) => s.loadCustody);
  const [filter, setFilter] = useState('');
  const [newestFirst, setNewestFirst] = useState(true);
  const [signing, setSigning] = useState(false);

  useEffect(() => {
    void loadCustody(caseId);
  }, [caseId, loadCustody]);

  const events = custody?.data ?? null;
  const rows = useMemo(() => {
    if (!events) return [];
    const q = filter.trim().toLowerCase();
    const out = q
      ? events.filter(
          (e) =>
            e.action.includes(q) ||
            e.subject.toLowerCase().includes(q) ||
            e.actor.toLowerCase().includes(q) ||
            e.hash.startsWith(q) ||
            String(e.seq) === q,
        )
      : [...events];
    out.sort((a, b) => (newestFirst ? b.seq - a.seq : a.seq - b.seq));
    return out;
  }, [events, filter, newestFirst]);

  const chain = overview ? describeChain(overview.chain) : null;

  return (
    <section className="screen screen-custody" aria-labelledby="custody-heading">
      <div className="screen-header">
        <div>
          <h2 id="custody-heading">Custody log</h2>
          {chain ? (
            <StatusLine tone={chain.tone} testId="custody-chain-status">
              {chain.line}
            </StatusLine>
          ) : null}
        </div>
        <div className="verify-actions">
          <button type="button" className="btn" onClick={() => setSigning(true)}>
            Sign checkpoint…
          </button>
          <VerifyButton caseId={caseId} />
        </div>
      </div>
      {signing ? (
        <CheckpointDialog
          caseId={caseId}
          onClose={() => setSigning(false)}
          onSigned={() => void loadCustody(caseId)}
        />
      ) : null}
      <VerifyPanel caseId={caseId} />
      {custody?.error ? (
        <ErrorPanel
          title="Could not load the custody log"
          message={custody.error}
          onRetry={() => void loadCustody(caseId)}
        />
      ) : null}
      {events === null ? (
        custody?.error ? null : (
          <p className="muted loading-line">
            <Spinner /> Loading custody log…
          </p>
        )
      ) : events.length === 0 ? (
        <EmptyState title="No custody events" />
      ) : (
        <>
          <div className="toolbar" role="search">
            <div className="field field-inline field-grow">
              <label htmlFor="custody-filter">Filter</label>
              <input
                id="custody-filter"
                type="search"
                placeholder="Action, subject, actor, seq or hash prefix"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                spellCheck={false}
                autoComplete="off"
              />
            </div>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setNewestFirst((v) => !v)}
              aria-label={`Order: ${newestFirst ? 'newest first' : 'oldest first'} (change)`}
            >
              {newestFirst ? 'Newest first ▼' : 'Oldest first ▲'}
            </button>
            <span className="muted toolbar-count" role="status">
              {rows.length === events.length
                ? plural(events.length, 'event')
                : `${rows.length.toLocaleString('en-US')} of ${plural(events.length, 'event')}`}
            </span>
          </div>
          <CustodyTable rows={rows} />
        </>
      )}
    </section>
  );
}
