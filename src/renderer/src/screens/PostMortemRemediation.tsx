/**
 * The remediation half of the Post-mortem stage: the playbook's Model Replacement Decision Matrix
 * with each factor recorded, the decision (Retrain refused by the core while the retraining gate is
 * closed — its message is shown as it comes), the Retraining Considerations, the replacement's
 * Integrity and Behavioral Verification tables, and the 12-item post-mortem checklist.
 * Statuses are read from the incident view; none is computed here.
 */
import { useEffect, useState } from 'react';
import {
  CONSIDERATION_KEYS,
  DECISION_OPTIONS,
  DECISION_OPTION_KEYS,
  MANUAL_CHECKLIST_ITEMS,
  MANUAL_CHECKLIST_STATUSES,
  type DecisionOption,
  type DecisionState,
  type GateItem,
  type IncidentChecklistItem,
  type IncidentView,
  type ManualChecklistStatus,
  type MatrixFactor,
  type ReplacementVerification,
  type RetrainingGate,
  type VerificationRow,
  type VerificationStatus,
} from '../../../shared/incident';
import { Badge, Hash, StatusLine, type Tone, FormMessage } from '../components/Bits';
import { useStore, type Stage } from '../store';
import { Recorded, useChange, type Update } from './PostMortemCommon';

// ---------------------------------------------------------------------------------------------
// Decision matrix
// ---------------------------------------------------------------------------------------------

export function MatrixSection({ matrix, update }: { matrix: IncidentView['matrix']; update: Update }) {
  return (
    <div className="integrity-section" aria-labelledby="pm-matrix-heading">
      <div className="integrity-section-header">
        <h3 id="pm-matrix-heading">Replacement decision matrix</h3>
        {matrix.compromisePoint ? (
          <span data-testid="pm-compromise-point">
            Compromise point: <strong>{matrix.compromisePoint.text}</strong>{' '}
            <span className="muted">(finding #{matrix.compromisePoint.findingId})</span>
          </span>
        ) : (
          <span className="muted">No compromise point recorded yet (Integrity stage, provenance).</span>
        )}
      </div>
      <div className="table-wrap">
        <table className="table table-compact pm-table pm-matrix" data-testid="pm-matrix">
          <thead>
            <tr>
              <th>Factor</th>
              <th>{DECISION_OPTIONS['previous-version']}</th>
              <th>{DECISION_OPTIONS['new-model']}</th>
              <th>{DECISION_OPTIONS.retrain}</th>
              <th>Recorded for this case</th>
            </tr>
          </thead>
          <tbody>
            {matrix.factors.map((f) => (
              <FactorRow key={f.key} factor={f} update={update} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function FactorRow({ factor: f, update }: { factor: MatrixFactor; update: Update }) {
  const [value, setValue] = useState(f.value ?? '');
  const [note, setNote] = useState(f.note ?? '');
  const { busy, message, send } = useChange(update);
  return (
    <tr
      className={f.appliesBecause ? 'pm-row-applies' : undefined}
      data-testid={`pm-factor-${f.key}`}
      data-applies={f.appliesBecause ? 'true' : undefined}
    >
      <th scope="row">
        {f.factor}
        {f.appliesBecause ? (
          <span className="pm-applies">
            <Badge tone="warn" title={f.appliesBecause.summary}>
              relevant
            </Badge>{' '}
            <span className="field-help">
              finding #{f.appliesBecause.findingId}: {f.appliesBecause.summary}
            </span>
          </span>
        ) : null}
      </th>
      <td>{f.previousVersion}</td>
      <td>{f.newModel}</td>
      <td>{f.retrain}</td>
      <td>
        <form
          className="pm-stack-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send(
              {
                kind: 'factor',
                factor: f.key,
                ...(value.trim() ? { value: value.trim() } : {}),
                ...(note.trim() ? { note: note.trim() } : {}),
              },
              'Recorded.',
            );
          }}
        >
          <div className="pm-inline-form">
            <input
              className="pm-value-input"
              aria-label={`Value for: ${f.factor}`}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder="value"
            />
            <input
              className="field-grow"
              aria-label={`Note for: ${f.factor}`}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="note"
            />
            <button
              type="submit"
              className="btn btn-small"
              disabled={busy || (!value.trim() && !note.trim())}
              aria-label={`Record: ${f.factor}`}
            >
              Record
            </button>
          </div>
          <Recorded recorded={f.recorded} none="" />
          <FormMessage message={message} />
        </form>
      </td>
    </tr>
  );
}

// ---------------------------------------------------------------------------------------------
// Decision
// ---------------------------------------------------------------------------------------------

export function DecisionSection({
  decision,
  gate,
  update,
}: {
  decision: DecisionState | null;
  gate: RetrainingGate;
  update: Update;
}) {
  const [option, setOption] = useState<DecisionOption | ''>(decision?.option ?? '');
  const [reason, setReason] = useState(decision?.reason ?? '');
  const { busy, message, send } = useChange(update);
  return (
    <div className="integrity-section" aria-labelledby="pm-decision-heading">
      <div className="integrity-section-header">
        <h3 id="pm-decision-heading">Decision</h3>
        {decision ? (
          <span data-testid="pm-decision">
            <Badge tone="info">{decision.title}</Badge> <span className="muted">because</span>{' '}
            {decision.reason}
          </span>
        ) : (
          <span className="muted" data-testid="pm-decision">
            No decision recorded yet.
          </span>
        )}
      </div>
      <form
        className="behavior-panel"
        onSubmit={(e) => {
          e.preventDefault();
          if (!option) return;
          void send(
            { kind: 'decide', option, reason: reason.trim() },
            `Decision recorded: ${DECISION_OPTIONS[option]}.`,
          );
        }}
      >
        <fieldset className="pm-choices pm-choices-row">
          <legend>Remediation</legend>
          {DECISION_OPTION_KEYS.map((k) => (
            <label key={k} className="pm-choice">
              <input
                type="radio"
                name="pm-decision-option"
                value={k}
                checked={option === k}
                onChange={() => setOption(k)}
              />
              <span>
                {DECISION_OPTIONS[k]}
                {k === 'retrain' && !gate.open ? (
                  <span className="field-help">
                    {' '}
                    — the retraining gate is closed ({gate.missing.length} missing)
                  </span>
                ) : null}
              </span>
            </label>
          ))}
        </fieldset>
        <div className="pm-form-row">
          <div className="field field-grow">
            <label htmlFor="pm-decision-reason">Reason</label>
            <input id="pm-decision-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <div className="pm-form-submit">
            <button type="submit" className="btn btn-primary" disabled={busy || !option || !reason.trim()}>
              Record decision
            </button>
          </div>
        </div>
        {decision ? <Recorded recorded={decision.recorded} /> : null}
        <FormMessage message={message} testId="pm-decision-message" />
      </form>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Retraining gate
// ---------------------------------------------------------------------------------------------

export function GateSection({
  caseId,
  gate,
  update,
}: {
  caseId: string;
  gate: RetrainingGate;
  update: Update;
}) {
  const evidence = useStore((s) => s.evidence[caseId]);
  const loadEvidence = useStore((s) => s.loadEvidence);
  useEffect(() => {
    if (!evidence?.data && !evidence?.loading) void loadEvidence(caseId);
  }, [caseId, evidence?.data, evidence?.loading, loadEvidence]);
  const missingTitles = gate.items.filter((i) => !i.satisfied).map((i) => i.consideration);
  return (
    <div className="integrity-section" aria-labelledby="pm-gate-heading">
      <div className="integrity-section-header">
        <h3 id="pm-gate-heading">Retraining gate</h3>
        <span className="muted">
          Before retraining, each consideration needs a note or attached evidence.
        </span>
      </div>
      {gate.open ? (
        <StatusLine tone="ok" testId="pm-gate-status">
          Retrain can be approved: all {gate.items.length} considerations have a note or evidence.
        </StatusLine>
      ) : (
        <StatusLine tone="bad" testId="pm-gate-status">
          Retrain cannot be approved yet: {gate.missing.length} of {gate.items.length} considerations are
          missing — {missingTitles.join(', ')}.
        </StatusLine>
      )}
      <div className="pm-gate" data-testid="pm-gate">
        {gate.items.map((item) => (
          <GateItemPanel
            key={item.key}
            item={item}
            evidence={evidence?.data ?? []}
            evidenceError={evidence?.error ?? null}
            update={update}
          />
        ))}
      </div>
    </div>
  );
}

function GateItemPanel({
  item,
  evidence,
  evidenceError,
  update,
}: {
  item: GateItem;
  evidence: { id: number; path: string; sha256: string | null }[];
  evidenceError: string | null;
  update: Update;
}) {
  const [note, setNote] = useState(item.note ?? '');
  const [ids, setIds] = useState<number[]>(item.evidence.map((e) => e.id));
  const { busy, message, send } = useChange(update);
  const id = `pm-gate-${item.key}`;
  const n = CONSIDERATION_KEYS.indexOf(item.key) + 1;
  return (
    <form
      className={`behavior-panel pm-gate-item ${item.satisfied ? 'is-satisfied' : 'is-missing'}`}
      data-testid={id}
      onSubmit={(e) => {
        e.preventDefault();
        void send(
          {
            kind: 'consideration',
            consideration: item.key,
            ...(note.trim() ? { note: note.trim() } : {}),
            ...(ids.length > 0 ? { evidenceIds: ids } : {}),
          },
          'Recorded.',
        );
      }}
    >
      <div className="pm-item-head">
        <h4>
          {n}. {item.consideration}
        </h4>
        {item.satisfied ? (
          <Badge tone="ok" testId={`${id}-state`}>
            satisfied
          </Badge>
        ) : (
          <Badge tone="bad" testId={`${id}-state`}>
            missing
          </Badge>
        )}
      </div>
      <p className="field-help">{item.action}</p>
      <div className="field">
        <label htmlFor={`${id}-note`}>Note on {item.consideration}</label>
        <textarea id={`${id}-note`} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-evidence`}>Evidence (Ctrl/Shift to pick several)</label>
        <select
          id={`${id}-evidence`}
          multiple
          size={3}
          className="pm-evidence-select"
          value={ids.map(String)}
          onChange={(e) => setIds([...e.target.selectedOptions].map((o) => Number(o.value)))}
        >
          {evidence.map((ev) => (
            <option key={ev.id} value={ev.id} title={ev.sha256 ?? undefined}>
              #{ev.id} {ev.path}
            </option>
          ))}
        </select>
        {evidenceError ? <span className="field-error">{evidenceError}</span> : null}
      </div>
      {item.evidence.length > 0 ? (
        <ul className="plain-list pm-evidence-list">
          {item.evidence.map((ev) => (
            <li key={ev.id}>
              <span className="mono">
                #{ev.id} {ev.path}
              </span>{' '}
              <Hash value={ev.sha256} head={8} tail={4} />
            </li>
          ))}
        </ul>
      ) : null}
      <div className="pm-inline-form">
        <button
          type="submit"
          className="btn btn-small"
          disabled={busy || (!note.trim() && ids.length === 0)}
          aria-label={`Record: ${item.consideration}`}
        >
          Record
        </button>
        <Recorded recorded={item.recorded} none="" />
      </div>
      <FormMessage message={message} />
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Replacement verification
// ---------------------------------------------------------------------------------------------

const V_TONE: Record<VerificationStatus, Tone> = { pass: 'ok', fail: 'bad', 'not-analysed': 'warn' };
const V_TEXT: Record<VerificationStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  'not-analysed': 'not analysed',
};

function VBadge({ status, testId }: { status: VerificationStatus; testId?: string }) {
  return (
    <Badge
      tone={V_TONE[status]}
      testId={testId}
      title={status === 'not-analysed' ? 'No result to read: this is not a pass' : undefined}
    >
      {V_TEXT[status]}
    </Badge>
  );
}

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

function VerificationTable({
  title,
  rows,
  testId,
}: {
  title: string;
  rows: VerificationRow[];
  testId: string;
}) {
  return (
    <div className="table-wrap pm-vtable">
      <table className="table table-compact pm-table" data-testid={testId}>
        <caption className="pm-caption">{title}</caption>
        <thead>
          <tr>
            <th>Check</th>
            <th>Procedure</th>
            <th>Pass criteria</th>
            <th>Status</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((v) => (
            <tr key={v.check} id={`pm-replacement-${v.check}`}>
              <th scope="row">{v.title}</th>
              <td>{v.procedure}</td>
              <td>{v.passCriteria}</td>
              <td>
                <VBadge status={v.status} />
              </td>
              <td>
                {v.summary}
                {v.caseId ? (
                  <span className="field-help">
                    {' '}
                    (case {v.caseId}
                    {v.runId ? `, run ${v.runId}` : ''}
                    {v.findingIds.length > 0
                      ? `, findings ${v.findingIds.map((n) => `#${n}`).join(' ')}`
                      : ''}
                    )
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Checklist
// ---------------------------------------------------------------------------------------------

const ITEM_TONE: Record<IncidentChecklistItem['status'], Tone> = {
  recorded: 'ok',
  partial: 'warn',
  open: 'bad',
  'not-recorded': 'neutral',
};

const MANUAL_TONE: Record<ManualChecklistStatus, Tone> = {
  done: 'ok',
  'in-progress': 'warn',
  'not-applicable': 'neutral',
  open: 'bad',
};

/** A report anchor as a place in the app, where there is one. */
function appLink(caseId: string, href: string): string | null {
  const stage = (s: Stage) => `#/case/${encodeURIComponent(caseId)}/${s}`;
  const m = /^#stage-(\w+)/.exec(href);
  if (m && ['integrity', 'behavior', 'audit'].includes(m[1]!)) return stage(m[1] as Stage);
  if (href.startsWith('#seq-')) return stage('custody');
  if (href === 'evidence.sha256') return stage('evidence');
  if (href.startsWith('#replacement-')) return '#pm-replacement';
  return null;
}

export function ChecklistSection({
  caseId,
  checklist,
  update,
}: {
  caseId: string;
  checklist: IncidentChecklistItem[];
  update: Update;
}) {
  const manual = new Set<number>(MANUAL_CHECKLIST_ITEMS);
  return (
    <div className="integrity-section" aria-labelledby="pm-checklist-heading">
      <div className="integrity-section-header">
        <h3 id="pm-checklist-heading">Post-mortem checklist</h3>
        <span className="muted">
          Items 1–6 are read from the findings and the custody log; items 7–12 lie outside Probity’s records
          and take a status and a note.
        </span>
      </div>
      <div className="table-wrap">
        <table className="table table-compact pm-table pm-checklist" data-testid="pm-checklist">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Item</th>
              <th>Status</th>
              <th>Basis</th>
            </tr>
          </thead>
          <tbody>
            {checklist.map((c) => (
              <tr key={c.n} data-testid={`pm-checklist-${c.n}`}>
                <td className="num">{c.n}</td>
                <th scope="row">{c.item}</th>
                <td>
                  <Badge tone={ITEM_TONE[c.status]} testId={`pm-checklist-${c.n}-status`}>
                    {c.status.replace('-', ' ')}
                  </Badge>
                </td>
                <td>
                  <span>{c.basis}</span>
                  {c.links.length > 0 ? (
                    <span className="pm-links">
                      {c.links.map((l) => {
                        const to = appLink(caseId, l.href);
                        return to ? (
                          <a key={l.href + l.label} href={to} className="chip">
                            {l.label}
                          </a>
                        ) : (
                          <span key={l.href + l.label} className="chip" title={`In the report: ${l.href}`}>
                            {l.label}
                          </span>
                        );
                      })}
                    </span>
                  ) : null}
                  {manual.has(c.n) ? <ManualNote item={c} update={update} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ManualNote({ item, update }: { item: IncidentChecklistItem; update: Update }) {
  const [status, setStatus] = useState<ManualChecklistStatus>(item.manual?.status ?? 'open');
  const [note, setNote] = useState(item.manual?.note ?? '');
  const { busy, message, send } = useChange(update);
  return (
    <form
      className="pm-stack-form pm-manual"
      onSubmit={(e) => {
        e.preventDefault();
        void send({ kind: 'checklist', n: item.n, status, note: note.trim() }, `Item ${item.n} recorded.`);
      }}
    >
      {item.manual ? (
        <span className="pm-manual-current">
          <Badge tone={MANUAL_TONE[item.manual.status]}>{item.manual.status.replace('-', ' ')}</Badge>{' '}
          {item.manual.note}
        </span>
      ) : null}
      <div className="pm-inline-form">
        <select
          aria-label={`Status of item ${item.n}`}
          value={status}
          onChange={(e) => setStatus(e.target.value as ManualChecklistStatus)}
        >
          {MANUAL_CHECKLIST_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('-', ' ')}
            </option>
          ))}
        </select>
        <input
          className="field-grow"
          aria-label={`Note on item ${item.n}`}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="What was done, by whom"
        />
        <button
          type="submit"
          className="btn btn-small"
          disabled={busy || !note.trim()}
          aria-label={`Record item ${item.n}`}
        >
          Record
        </button>
      </div>
      <FormMessage message={message} />
    </form>
  );
}
