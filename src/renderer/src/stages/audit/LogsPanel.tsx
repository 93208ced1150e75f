import { useState } from 'react';
import type { AuditState } from '../../../../shared/audit';
import { api, describeError } from '../../api/client';
import { Badge, FormMessage, type FormNote } from '../../components/Bits';
import { humanBytes } from '../../format';
import { num } from './format';

export type Message = FormNote;

export function LogsPanel({
  caseId,
  state,
  onChanged,
}: {
  caseId: string;
  state: AuditState;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [path, setPath] = useState('');
  const [confirmed, setConfirmed] = useState(false);

  const importOne = async (file: string): Promise<boolean> => {
    setBusy(file);
    try {
      const r = await api.importAuditLog({ caseId, path: file });
      setMessage({
        tone: 'ok',
        text: r.alreadyImported
          ? `${r.file} was already imported (import ${r.importId}).`
          : `Imported ${r.file}: ${num(r.records)} records, ${num(r.toolCalls)} tool calls, ${r.malformed} malformed${
              r.problems[0] ? ` (first: line ${r.problems[0].line}: ${r.problems[0].reason})` : ''
            }, ${r.missingUserIds} without a user id.`,
      });
      return true;
    } catch (err) {
      setMessage({ tone: 'bad', text: describeError(err) });
      return false;
    } finally {
      setBusy(null);
    }
  };

  const pending = state.logs.filter((l) => l.importId === null);
  const importAll = async () => {
    for (const l of pending) if (!(await importOne(l.path))) break;
    onChanged();
  };

  return (
    <div className="behavior-panel" aria-labelledby="audit-logs-heading">
      <h3 id="audit-logs-heading">Output logs</h3>
      {state.logs.length === 0 ? (
        <p className="muted">No output log in this case’s evidence. Import one from a file below.</p>
      ) : (
        <table className="table table-compact" data-testid="audit-logs">
          <thead>
            <tr>
              <th>Evidence</th>
              <th className="num">Size</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {state.logs.map((l) => {
              const imp = state.imports.find((i) => i.id === l.importId);
              return (
                <tr key={l.evidenceId}>
                  <td className="mono ellipsis" title={`${l.path}\nsha256 ${l.sha256}`}>
                    {l.path}
                  </td>
                  <td className="num">{humanBytes(l.size)}</td>
                  <td>
                    {imp ? (
                      <Badge tone="ok">{num(imp.records)} records</Badge>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={busy !== null}
                        onClick={() => void importOne(l.path).then(onChanged)}
                      >
                        {busy === l.path ? 'Importing…' : 'Import'}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {pending.length > 1 ? (
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy !== null}
          onClick={() => void importAll()}
        >
          Import all {pending.length} logs
        </button>
      ) : null}
      <form
        className="field"
        onSubmit={(e) => {
          e.preventDefault();
          if (!path.trim()) return setMessage({ tone: 'bad', text: 'Give the full path of a log file.' });
          if (!confirmed)
            return setMessage({
              tone: 'bad',
              text: 'Confirm that the file will be preserved as new evidence in the case.',
            });
          void importOne(path.trim()).then((done) => {
            if (done) {
              setPath('');
              setConfirmed(false);
            }
            onChanged();
          });
        }}
      >
        <label htmlFor="audit-log-path">
          Another log, outside the case (its full path on this workstation)
        </label>
        <div className="field-inline">
          <input
            id="audit-log-path"
            className="mono-input field-grow"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            spellCheck={false}
            disabled={busy !== null}
          />
          <button type="submit" className="btn" disabled={busy !== null}>
            Import
          </button>
        </div>
        <label className="pm-choice">
          <input
            type="checkbox"
            checked={confirmed}
            onChange={(e) => setConfirmed(e.target.checked)}
            disabled={busy !== null}
          />
          <span>
            Preserve this file as new evidence in the case (bytes the case already holds are not copied again)
          </span>
        </label>
      </form>
      <FormMessage message={message} testId="audit-import-message" />
    </div>
  );
}
