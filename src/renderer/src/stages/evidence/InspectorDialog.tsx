/**
 * The artifact inspector: one evidence file parsed by the host's format parsers. Weights show their
 * header (format, tensor count, dtypes, parameters, metadata) and a virtualized tensor table with
 * byte ranges; configs, adapters and tokenizers their fields; pickles their imports, classified.
 */
import { useEffect, useState } from 'react';
import type { ArtifactInspection, ImportClass } from '../../../../shared/integrity';
import type { EvidenceItem } from '../../../../shared/domain';
import { api, ApiCallError, errorMessage } from '../../api/client';
import { Badge, ErrorPanel, Hash, Spinner, type Tone } from '../../components/Bits';
import { Dialog } from '../../components/Dialog';
import { FieldRow } from './FieldRow';
import { TensorTable } from './TensorTable';

export const IMPORT_TONE: Record<ImportClass, Tone> = { safe: 'ok', unknown: 'warn', dangerous: 'bad' };

export function InspectorDialog({
  caseId,
  item,
  onClose,
}: {
  caseId: string;
  item: EvidenceItem;
  onClose: () => void;
}) {
  const [state, setState] = useState<{ data: ArtifactInspection | null; error: string | null }>({
    data: null,
    error: null,
  });
  useEffect(() => {
    let live = true;
    api.inspectArtifact({ caseId, evidenceId: item.id }).then(
      (data) => live && setState({ data, error: null }),
      (err: unknown) =>
        live &&
        setState({
          data: null,
          error:
            err instanceof ApiCallError && err.file && !err.message.includes(err.file)
              ? `${err.file}: ${err.message}`
              : errorMessage(err),
        }),
    );
    return () => {
      live = false;
    };
  }, [caseId, item.id]);

  const a = state.data;
  return (
    <Dialog
      title={
        <>
          Inspect <span className="mono-path">{item.path}</span>
        </>
      }
      onClose={onClose}
      wide
      testId="inspector"
    >
      {state.error ? (
        <ErrorPanel title={`Could not inspect ${item.path}`} message={state.error} testId="inspector-error" />
      ) : !a ? (
        <p className="muted loading-line">
          <Spinner /> Reading the header…
        </p>
      ) : (
        <div className="inspector">
          <dl className="facts facts-wide inspector-facts">
            <dt>Format</dt>
            <dd data-testid="inspector-format">
              {a.format} <span className="muted">(detected by {a.detectedBy})</span>
            </dd>
            <dt>SHA-256</dt>
            <dd>
              <Hash value={a.sha256} head={64} tail={0} />
            </dd>
            {a.fields.map((f) => (
              <FieldRow key={f.label} label={f.label} value={f.value} flag={f.flag} />
            ))}
          </dl>
          {a.problems.length ? (
            <div className="panel panel-warn">
              <strong>Problems the parser found ({a.problems.length})</strong>
              <ul className="problem-list">
                {a.problems.map((p, i) => (
                  <li key={i}>{p}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {a.imports ? (
            <section aria-label="Pickle imports">
              <h4>Imports ({a.imports.length})</h4>
              <div className="table-wrap">
                <table className="table table-compact" data-testid="inspector-imports">
                  <thead>
                    <tr>
                      <th scope="col">Class</th>
                      <th scope="col">Import</th>
                      <th scope="col" className="num">
                        Count
                      </th>
                      <th scope="col">Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.imports.map((i) => (
                      <tr key={i.ref}>
                        <td>
                          <Badge tone={IMPORT_TONE[i.classification]}>{i.classification}</Badge>
                        </td>
                        <td className="mono">{i.ref}</td>
                        <td className="num">{i.count}</td>
                        <td>{i.reason ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ) : null}
          {a.metadata.length ? (
            <section aria-label="Header metadata">
              <h4>Metadata ({a.metadata.length})</h4>
              <div className="table-wrap inspector-scroll">
                <table className="table table-compact">
                  <thead>
                    <tr>
                      <th scope="col">Key</th>
                      {a.metadata.some((m) => m.type) ? <th scope="col">Type</th> : null}
                      <th scope="col">Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    {a.metadata.map((m) => (
                      <tr key={m.key} className={m.flag ? 'is-flagged' : undefined}>
                        <th scope="row" className="mono">
                          {m.key}
                        </th>
                        {a.metadata.some((x) => x.type) ? <td className="mono">{m.type ?? ''}</td> : null}
                        <td className="mono break">{m.value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ) : null}
          {a.tables.map((t) => (
            <section key={t.title} aria-label={t.title}>
              <h4>
                {t.title} ({t.rows.length})
              </h4>
              <div className="table-wrap inspector-scroll">
                <table className="table table-compact">
                  <thead>
                    <tr>
                      {t.columns.map((c) => (
                        <th key={c} scope="col">
                          {c}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {t.rows.map((r, i) => (
                      <tr key={i}>
                        {r.map((v, j) => (
                          <td key={j} className="mono break">
                            {v}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ))}
          {a.tensors ? <TensorTable tensors={a.tensors} /> : null}
        </div>
      )}
    </Dialog>
  );
}
