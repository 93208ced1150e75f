import { useEffect, useState } from 'react';
import { api, errorMessage } from '../../api/client';
import type { CaseListEntry } from '../../../../shared/domain';
import { Badge, EmptyState, ErrorPanel, Spinner } from '../../components/Bits';
import { humanBytes, plural, utc } from '../../format';
import { useStore } from '../../store';
import { NewCaseDialog } from './NewCaseDialog';

export function CaseList() {
  const cases = useStore((s) => s.cases);
  const loadCases = useStore((s) => s.loadCases);
  const navigate = useStore((s) => s.navigate);
  const [creating, setCreating] = useState(false);
  const [demo, setDemo] = useState<{ running: boolean; error: string | null }>({
    running: false,
    error: null,
  });

  useEffect(() => {
    void loadCases();
  }, [loadCases]);

  const open = (caseId: string) => navigate({ name: 'case', caseId, stage: 'overview' });

  async function openDemo() {
    setDemo({ running: true, error: null });
    try {
      const result = await api.openDemo();
      setDemo({ running: false, error: null });
      void loadCases();
      open(result.incidentCaseId);
    } catch (err) {
      setDemo({ running: false, error: errorMessage(err) });
    }
  }

  const list = cases.data;
  const empty = list !== null && list.length === 0;

  return (
    <section className="screen screen-cases" aria-labelledby="cases-heading">
      <div className="screen-header">
        <div>
          <h1 id="cases-heading">Cases</h1>
          <p className="muted">
            Each case keeps its evidence as read-only objects under a hash-chained custody log.
          </p>
        </div>
        {!empty ? (
          <div className="button-row">
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New case
            </button>
          </div>
        ) : null}
      </div>

      {cases.error ? (
        <ErrorPanel title="Could not list the cases" message={cases.error} onRetry={() => void loadCases()} />
      ) : null}

      {list === null && cases.loading ? (
        <p className="muted loading-line">
          <Spinner /> Loading cases…
        </p>
      ) : null}

      {empty ? (
        <EmptyState title="No cases on this workstation yet" testId="cases-empty">
          <p className="muted">
            Start a case for a suspected model compromise, or open the demo incident to see a worked example:
            a fine-tuned model whose adapter and tokenizer were tampered with, next to its known-good
            reference.
          </p>
          <div className="button-row button-row-center">
            <button
              type="button"
              className="btn btn-primary btn-large"
              onClick={() => void openDemo()}
              disabled={demo.running}
            >
              {demo.running ? <Spinner label="Building the demo incident" /> : null}
              Open demo incident
            </button>
            <button
              type="button"
              className="btn btn-large"
              onClick={() => setCreating(true)}
              disabled={demo.running}
            >
              New case
            </button>
          </div>
          {demo.running ? (
            <p className="muted" role="status" data-testid="demo-progress">
              Generating the demo model files and ingesting them into two cases. This takes a few seconds…
            </p>
          ) : null}
          {demo.error ? (
            <ErrorPanel title="The demo incident could not be opened" message={demo.error} />
          ) : null}
        </EmptyState>
      ) : null}

      {list && list.length > 0 ? (
        <div className="table-wrap">
          <table className="table" aria-label="Cases">
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Title</th>
                <th scope="col">Status</th>
                <th scope="col">Last verification</th>
                <th scope="col" className="num">
                  Checksum mismatches
                </th>
                <th scope="col">Examiner</th>
                <th scope="col" className="num">
                  Files
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id} className="row-link" data-testid="case-row" onClick={() => open(c.id)}>
                  <td className="nowrap">
                    <a
                      className="mono case-link"
                      href={`#/case/${encodeURIComponent(c.id)}/overview`}
                      onClick={(e) => {
                        e.preventDefault();
                        e.stopPropagation();
                        open(c.id);
                      }}
                    >
                      {c.id}
                    </a>
                  </td>
                  <td className="cell-title">{c.title}</td>
                  <td className="nowrap" data-testid="case-status">
                    {c.status ?? 'open'}
                    {c.severity ? (
                      <>
                        {' · '}
                        <Badge tone={c.severity === 'critical' || c.severity === 'high' ? 'bad' : 'warn'}>
                          {c.severity}
                        </Badge>
                      </>
                    ) : null}
                  </td>
                  <td data-testid="case-verification">
                    <VerificationCell entry={c} />
                  </td>
                  <td className="num" data-testid="case-mismatches">
                    {c.mismatched > 0 ? (
                      <Badge tone="bad">{c.mismatched.toLocaleString('en-US')}</Badge>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                  <td>{c.examiner ?? <span className="muted">—</span>}</td>
                  <td className="num">{c.evidenceCount.toLocaleString('en-US')}</td>
                  <td className="num nowrap" title={`${c.totalBytes.toLocaleString('en-US')} bytes`}>
                    {humanBytes(c.totalBytes)}
                  </td>
                  <td className="nowrap">{utc(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      {creating ? (
        <NewCaseDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            void loadCases();
            open(id);
          }}
        />
      ) : null}
    </section>
  );
}

/** How the case last verified: failed (with its problem count), verified, or never run, and when. */
function VerificationCell({ entry }: { entry: CaseListEntry }) {
  const v = entry.lastVerification;
  if (!v) return <span className="muted">never run</span>;
  return (
    <span className="nowrap">
      {v.ok ? (
        <Badge tone="ok">verified</Badge>
      ) : (
        <Badge tone="bad" title={plural(v.problems, 'problem')}>
          FAILED · {plural(v.problems, 'problem')}
        </Badge>
      )}{' '}
      <span className="muted">{utc(v.at)}</span>
    </span>
  );
}
