import { useEffect, useState } from 'react';
import type { ReplacementVerification } from '../../../../shared/incident';
import { StatusLine, FormMessage } from '../../components/Bits';
import { useStore } from '../../store';
import { Recorded } from './Recorded';
import { useChange, type Update } from './useChange';
import { VBadge } from './VBadge';
import { VerificationTable } from './VerificationTable';

export function ReplacementSection({
  caseId,
  replacement: r,
  update,
}: {
  caseId: string;
  replacement: ReplacementVerification;
  update: Update;
}) {
  const cases = useStore((s) => s.cases);
  const loadCases = useStore((s) => s.loadCases);
  useEffect(() => {
    if (!cases.data && !cases.loading) void loadCases();
  }, [cases.data, cases.loading, loadCases]);
  const [kind, setKind] = useState<'case' | 'evidence-label'>(r.link?.kind ?? 'case');
  const [linkCase, setLinkCase] = useState(r.link?.kind === 'case' ? r.link.caseId : '');
  const [label, setLabel] = useState(r.link?.kind === 'evidence-label' ? r.link.label : '');
  const { busy, message, send } = useChange(update);
  const others = (cases.data ?? []).filter((c) => c.id !== caseId);

  return (
    <div className="integrity-section" aria-labelledby="pm-replacement-heading" id="pm-replacement">
      <div className="integrity-section-header">
        <h3 id="pm-replacement-heading">Replacement verification</h3>
        <VBadge status={r.status} testId="pm-replacement-status" />
        <span className="muted">
          {r.link
            ? r.link.kind === 'case'
              ? `Replacement model: case ${r.link.caseId}`
              : `Replacement model: evidence labelled “${r.link.label}”`
            : 'No replacement model linked yet.'}
        </span>
      </div>
      <form
        className="behavior-panel"
        onSubmit={(e) => {
          e.preventDefault();
          void send(
            kind === 'case'
              ? { kind: 'replacement', caseId: linkCase.trim() }
              : { kind: 'replacement', evidenceLabel: label.trim() },
            'Replacement linked.',
          );
        }}
      >
        <fieldset className="pm-choices pm-choices-row">
          <legend>The replacement model is</legend>
          <label className="pm-choice">
            <input
              type="radio"
              name="pm-replacement-kind"
              checked={kind === 'case'}
              onChange={() => setKind('case')}
            />
            <span>its own case</span>
          </label>
          <label className="pm-choice">
            <input
              type="radio"
              name="pm-replacement-kind"
              checked={kind === 'evidence-label'}
              onChange={() => setKind('evidence-label')}
            />
            <span>evidence in this case, by label</span>
          </label>
        </fieldset>
        <div className="pm-form-row">
          {kind === 'case' ? (
            <div className="field field-grow">
              <label htmlFor="pm-replacement-case">Case id</label>
              <input
                id="pm-replacement-case"
                className="mono-input"
                list="pm-replacement-cases"
                value={linkCase}
                onChange={(e) => setLinkCase(e.target.value)}
                placeholder="AI-IR-2026-0003"
                spellCheck={false}
              />
              <datalist id="pm-replacement-cases">
                {others.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.title}
                  </option>
                ))}
              </datalist>
            </div>
          ) : (
            <div className="field field-grow">
              <label htmlFor="pm-replacement-label">Evidence label</label>
              <input id="pm-replacement-label" value={label} onChange={(e) => setLabel(e.target.value)} />
            </div>
          )}
          <div className="pm-form-submit">
            <button
              type="submit"
              className="btn"
              disabled={busy || (kind === 'case' ? !linkCase.trim() : !label.trim())}
            >
              Link replacement
            </button>
          </div>
        </div>
        <Recorded recorded={r.recorded} none="" />
        <FormMessage message={message} testId="pm-replacement-message" />
      </form>
      {r.problem ? (
        <StatusLine tone="warn" testId="pm-replacement-problem">
          {r.problem}
        </StatusLine>
      ) : null}
      <VerificationTable
        title="Integrity verification"
        rows={r.integrity}
        testId="pm-replacement-integrity"
      />
      <VerificationTable
        title="Behavioral verification"
        rows={r.behavioral}
        testId="pm-replacement-behavioral"
      />
    </div>
  );
}
