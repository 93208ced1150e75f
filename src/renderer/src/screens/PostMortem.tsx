/**
 * The Post-mortem stage: the playbook's incident record, remediation decisions and the signed report,
 * top to bottom as an incident commander fills them in — header, team roles, trigger criteria, the
 * immediate actions, the timeline (this file); the replacement decision matrix, the retraining gate,
 * replacement verification and the 12-item checklist (PostMortemRemediation.tsx); the live report
 * preview and the signed export (PostMortemReport.tsx).
 *
 * Every value is a custody event recorded by the core (`incident:update`, one change per call); the
 * screen shows the record the core returns and never computes a status itself.
 */
import '../styles/postmortem.css';
import { useCallback, useEffect, useState } from 'react';
import {
  INCIDENT_STATUSES,
  ISOLATION_FRAMEWORK,
  ISOLATION_STRATEGIES,
  ISOLATION_STRATEGY_KEYS,
  FRAMEWORK_KEYS,
  SEVERITIES,
  type FrameworkKey,
  type ImmediateActionState,
  type IncidentChangeArgs,
  type IncidentStatus,
  type IncidentView,
  type IsolationStrategy,
  type RoleAssignment,
  type Severity,
  type TimelineEntry,
  type TimelineSource,
  type TriggerState,
} from '../../../shared/incident';
import type { CustodianView } from '../../../shared/custodians';
import { api, describeError } from '../api/client';
import { Badge, ErrorPanel, Hash, Spinner, StatusLine, FormMessage } from '../components/Bits';
import { humanBytes, utc } from '../format';
import { useLoadable } from '../loadable';
import { useStore } from '../store';
import { nowUtc, Recorded, useChange, type Update } from './PostMortemCommon';
import {
  ChecklistSection,
  DecisionSection,
  GateSection,
  MatrixSection,
  ReplacementSection,
} from './PostMortemRemediation';
import { ReportSection } from './PostMortemReport';

export function PostMortemScreen({ caseId }: { caseId: string }) {
  const loadOverview = useStore((s) => s.loadOverview);
  const { state: incident, load, set: setView } = useLoadable<IncidentView>();
  const { data: view, error } = incident;
  const [custodians, setCustodians] = useState<CustodianView[]>([]);
  const [custodianError, setCustodianError] = useState<string | null>(null);
  /** Bumped after every recorded change so the report preview is fetched again. */
  const [revision, setRevision] = useState(0);

  // A refresh keeps the record shown while it loads and when it fails; a new case mounts a new screen.
  const refresh = useCallback(
    () => load(() => api.incidentView({ caseId }), { keep: true, keepOnError: true }),
    [caseId, load],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    let live = true;
    api.listCustodians().then(
      (list) => {
        if (!live) return;
        setCustodians(list.custodians);
        setCustodianError(
          list.problems.length > 0 ? list.problems.map((p) => `${p.file}: ${p.reason}`).join('; ') : null,
        );
      },
      (err: unknown) => live && setCustodianError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  const update: Update = useCallback(
    async (change: IncidentChangeArgs) => {
      try {
        setView(await api.updateIncident({ caseId, change }));
        setRevision((r) => r + 1);
        void loadOverview(caseId);
        return null;
      } catch (err) {
        return describeError(err);
      }
    },
    [caseId, loadOverview, setView],
  );

  if (error && !view)
    return (
      <section className="screen">
        <ErrorPanel
          title="The incident record could not be read"
          message={error}
          onRetry={() => void refresh()}
        />
      </section>
    );
  if (!view)
    return (
      <section className="screen muted loading-line">
        <Spinner label="Reading the incident record" />
      </section>
    );

  const active = custodians.filter((c) => c.status === 'active');
  return (
    <section className="screen screen-postmortem" aria-labelledby="postmortem-heading">
      <div className="screen-header">
        <div>
          <h2 id="postmortem-heading">Post-mortem</h2>
          <p className="muted">
            The incident record, the remediation decisions and the signed report anyone can check offline.
            Every change below is a custody event; the report reads the record and the findings, never
            recomputes them.
          </p>
        </div>
      </div>
      {custodianError ? (
        <StatusLine tone="warn" testId="pm-custodian-problem">
          Custodian keys: {custodianError}
        </StatusLine>
      ) : null}
      <HeaderSection view={view} update={update} />
      <RolesSection roles={view.roles} custodians={active} update={update} />
      <TriggersSection triggers={view.triggers} update={update} />
      <ActionsSection actions={view.actions} update={update} />
      <TimelineSection timeline={view.timeline} update={update} />
      <MatrixSection matrix={view.matrix} update={update} />
      <DecisionSection decision={view.decision} gate={view.gate} update={update} />
      <GateSection caseId={caseId} gate={view.gate} update={update} />
      <ReplacementSection caseId={caseId} replacement={view.replacement} update={update} />
      <ChecklistSection caseId={caseId} checklist={view.checklist} update={update} />
      <ReportSection caseId={caseId} custodians={active} revision={revision} />
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

function HeaderSection({ view, update }: { view: IncidentView; update: Update }) {
  const h = view.header;
  const [status, setStatus] = useState<IncidentStatus>(h.status);
  const [severity, setSeverity] = useState<Severity | ''>(h.severity ?? '');
  const [detected, setDetected] = useState(h.detected ?? '');
  const { busy, message, send } = useChange(update);

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    const change: IncidentChangeArgs = { kind: 'header', status };
    if (severity) change.severity = severity;
    if (detected.trim()) change.detected = detected.trim();
    void send(change, 'Header recorded.').then((done) => {
      if (done && detected.trim()) setDetected(detected.trim());
    });
  };

  return (
    <div className="integrity-section" aria-labelledby="pm-header-heading" data-testid="pm-header">
      <div className="integrity-section-header">
        <h3 id="pm-header-heading">Incident</h3>
        <Recorded recorded={h.recorded} />
      </div>
      <form className="behavior-panel" onSubmit={save}>
        <dl className="facts pm-header-facts">
          <dt>Incident ID</dt>
          <dd className="mono" data-testid="pm-incident-id">
            {h.incidentId}
          </dd>
          <dt>Type</dt>
          <dd>{h.type}</dd>
          <dt>Title</dt>
          <dd>{h.title}</dd>
          <dt>Detected</dt>
          <dd data-testid="pm-detected">
            {h.detected ? utc(h.detected) : <span className="muted">not recorded</span>}
          </dd>
          <dt>Status</dt>
          <dd>
            <Badge tone={h.status === 'closed' ? 'ok' : 'info'} testId="pm-status">
              {h.status}
            </Badge>
          </dd>
          <dt>Severity</dt>
          <dd>
            {h.severity ? (
              <Badge
                tone={h.severity === 'critical' || h.severity === 'high' ? 'bad' : 'warn'}
                testId="pm-severity"
              >
                {h.severity}
              </Badge>
            ) : (
              <span className="muted">not set</span>
            )}
          </dd>
        </dl>
        <div className="pm-form-row">
          <div className="field">
            <label htmlFor="pm-detected-input">Detected (UTC unless a zone is given)</label>
            <input
              id="pm-detected-input"
              className="mono-input"
              value={detected}
              onChange={(e) => setDetected(e.target.value)}
              placeholder="2026-10-20T08:00:00Z"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor="pm-status-input">Status</label>
            <select
              id="pm-status-input"
              value={status}
              onChange={(e) => setStatus(e.target.value as IncidentStatus)}
            >
              {INCIDENT_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pm-severity-input">Severity</label>
            <select
              id="pm-severity-input"
              value={severity}
              onChange={(e) => setSeverity(e.target.value as Severity | '')}
            >
              <option value="" disabled={h.severity !== null}>
                — not set —
              </option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="pm-form-submit">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save header'}
            </button>
          </div>
        </div>
        <FormMessage message={message} testId="pm-header-message" />
      </form>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Team roles
// ---------------------------------------------------------------------------------------------

function RolesSection({
  roles,
  custodians,
  update,
}: {
  roles: RoleAssignment[];
  custodians: CustodianView[];
  update: Update;
}) {
  return (
    <div className="integrity-section" aria-labelledby="pm-roles-heading">
      <div className="integrity-section-header">
        <h3 id="pm-roles-heading">Team roles</h3>
        <span className="muted">
          Model compromise needs a broader team. A role held by a custodian of this workstation carries their
          key fingerprint.
        </span>
      </div>
      <div className="table-wrap">
        <table className="table table-compact pm-table" data-testid="pm-roles">
          <thead>
            <tr>
              <th>Role</th>
              <th>Assigned</th>
              <th>Assign</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => (
              <RoleRow key={r.role} role={r} custodians={custodians} update={update} />
            ))}
          </tbody>
        </table>
      </div>
      {custodians.length === 0 ? (
        <p className="field-help">
          No custodian key on this workstation: add one with <code>probity custodian add --name N</code> to
          tie a role to a key and to sign the report.
        </p>
      ) : null}
    </div>
  );
}

function RoleRow({
  role: r,
  custodians,
  update,
}: {
  role: RoleAssignment;
  custodians: CustodianView[];
  update: Update;
}) {
  const [name, setName] = useState(r.name ?? '');
  const [custodian, setCustodian] = useState(r.custodian?.name ?? '');
  const { busy, message, send } = useChange(update);
  const id = `pm-role-${r.role}`;
  const assign = (e: React.FormEvent) => {
    e.preventDefault();
    const who = name.trim() || custodian;
    void send(
      { kind: 'role', role: r.role, name: who, ...(custodian ? { custodian } : {}) },
      `${r.title}: ${who || '(no name)'} recorded.`,
    ).then((done) => done && setName(who));
  };
  return (
    <tr data-testid={id}>
      <th scope="row" className="pm-role-cell">
        {r.title}
        <span className="field-help">{r.hint}</span>
      </th>
      <td>
        {r.name ? (
          <strong data-testid={`${id}-name`}>{r.name}</strong>
        ) : (
          <span className="muted">unassigned</span>
        )}
        {r.custodian ? (
          <span className="pm-custodian">
            custodian {r.custodian.name} <Hash value={r.custodian.fingerprint} head={8} tail={4} />
          </span>
        ) : null}
        <Recorded recorded={r.recorded} none="" />
      </td>
      <td>
        <form className="pm-inline-form" onSubmit={assign}>
          <input
            aria-label={`Name for ${r.title}`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Name"
          />
          <select
            aria-label={`Custodian key for ${r.title}`}
            value={custodian}
            onChange={(e) => setCustodian(e.target.value)}
          >
            <option value="">no custodian key</option>
            {custodians.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.fingerprint.slice(0, 8)}…)
              </option>
            ))}
          </select>
          <button
            type="submit"
            className="btn btn-small"
            disabled={busy || (!name.trim() && !custodian)}
            aria-label={`Assign ${r.title}`}
          >
            Assign
          </button>
        </form>
        <FormMessage message={message} />
      </td>
    </tr>
  );
}

// ---------------------------------------------------------------------------------------------
// Trigger criteria
// ---------------------------------------------------------------------------------------------

function TriggersSection({ triggers, update }: { triggers: TriggerState[]; update: Update }) {
  const applied = triggers.filter((t) => t.applied).length;
  return (
    <div className="integrity-section" aria-labelledby="pm-triggers-heading">
      <div className="integrity-section-header">
        <h3 id="pm-triggers-heading">Trigger criteria</h3>
        <span className="muted">
          {applied} of {triggers.length} apply — the playbook is activated when any does.
        </span>
      </div>
      <div className="behavior-panel pm-list" data-testid="pm-triggers">
        {triggers.map((t) => (
          <TriggerRow key={t.key} trigger={t} update={update} />
        ))}
      </div>
    </div>
  );
}

function TriggerRow({ trigger: t, update }: { trigger: TriggerState; update: Update }) {
  const [applied, setApplied] = useState(t.applied);
  const [note, setNote] = useState(t.note ?? '');
  const { busy, message, send } = useChange(update);
  const id = `pm-trigger-${t.key}`;
  const dirty = applied !== t.applied || note.trim() !== (t.note ?? '');
  return (
    <form
      className="pm-item"
      data-testid={id}
      onSubmit={(e) => {
        e.preventDefault();
        void send(
          { kind: 'trigger', criterion: t.key, applied, ...(note.trim() ? { note: note.trim() } : {}) },
          applied ? 'Recorded: this criterion applies.' : 'Recorded: this criterion does not apply.',
        );
      }}
    >
      <div className="pm-item-head">
        <label className="pm-check">
          <input type="checkbox" checked={applied} onChange={(e) => setApplied(e.target.checked)} />
          <span>{t.text}</span>
        </label>
        {t.recorded ? (
          <Badge tone={t.applied ? 'bad' : 'neutral'}>{t.applied ? 'applies' : 'does not apply'}</Badge>
        ) : (
          <Badge tone="neutral">not recorded</Badge>
        )}
      </div>
      <div className="pm-inline-form">
        <input
          className="field-grow"
          aria-label={`Note on: ${t.text}`}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="Note (what showed it)"
        />
        <button type="submit" className="btn btn-small" disabled={busy || (!dirty && t.recorded !== null)}>
          Record
        </button>
        <Recorded recorded={t.recorded} none="" />
      </div>
      <FormMessage message={message} />
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Immediate actions
// ---------------------------------------------------------------------------------------------

function ActionsSection({ actions, update }: { actions: ImmediateActionState[]; update: Update }) {
  return (
    <div className="integrity-section" aria-labelledby="pm-actions-heading">
      <div className="integrity-section-header">
        <h3 id="pm-actions-heading">Immediate actions (first 30 minutes)</h3>
      </div>
      <div className="pm-actions">
        {actions.map((a) => (
          <ActionPanel key={a.action} action={a} update={update} />
        ))}
      </div>
    </div>
  );
}

function ActionPanel({ action: a, update }: { action: ImmediateActionState; update: Update }) {
  const [at, setAt] = useState(a.at ?? '');
  const [note, setNote] = useState(a.note ?? '');
  const [strategy, setStrategy] = useState<IsolationStrategy | ''>(a.strategy?.key ?? '');
  const [framework, setFramework] = useState<FrameworkKey | ''>(a.framework?.key ?? '');
  const { busy, message, send } = useChange(update);
  const id = `pm-action-${a.action}`;
  const isolate = a.action === 'isolate';

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const when = at.trim() || nowUtc();
    const change: IncidentChangeArgs = { kind: 'action', action: a.action, at: when };
    if (note.trim()) change.note = note.trim();
    if (isolate && strategy) change.strategy = strategy;
    if (isolate && framework) change.framework = framework;
    void send(change, `${a.title}: recorded at ${utc(when)}.`).then((done) => done && setAt(when));
  };

  return (
    <form className="behavior-panel" onSubmit={submit} aria-labelledby={`${id}-heading`} data-testid={id}>
      <div className="pm-item-head">
        <h3 id={`${id}-heading`}>{a.title}</h3>
        {a.done ? (
          <Badge tone="ok" testId={`${id}-done`}>
            done {utc(a.at)}
          </Badge>
        ) : (
          <Badge tone="warn">not recorded</Badge>
        )}
      </div>
      {a.done ? (
        <p className="pm-current">
          {a.strategy ? (
            <>
              Strategy: <strong>{a.strategy.title}</strong>{' '}
              <span className="muted">
                (when to use: {a.strategy.whenToUse}; impact: {a.strategy.impact})
              </span>
              <br />
            </>
          ) : null}
          {a.framework ? (
            <>
              Situation: {a.framework.condition} → <strong>{a.framework.response}</strong>
              <br />
            </>
          ) : null}
          {a.note ? <>Note: {a.note}</> : null}
        </p>
      ) : null}
      <Recorded recorded={a.recorded} />
      {a.ingests ? <PreservedIngests action={a} /> : null}
      {isolate ? (
        <>
          <fieldset className="pm-choices">
            <legend>Isolation strategy</legend>
            {ISOLATION_STRATEGY_KEYS.map((k) => {
              const s = ISOLATION_STRATEGIES[k];
              return (
                <label key={k} className="pm-choice">
                  <input
                    type="radio"
                    name="pm-isolation-strategy"
                    value={k}
                    checked={strategy === k}
                    onChange={() => setStrategy(k)}
                  />
                  <span>
                    <strong>{s.title}</strong>
                    <span className="field-help">
                      When to use: {s.whenToUse}. Impact: {s.impact}.
                    </span>
                  </span>
                </label>
              );
            })}
          </fieldset>
          <fieldset className="pm-choices">
            <legend>Decision framework: the situation</legend>
            {FRAMEWORK_KEYS.map((k) => {
              const f = ISOLATION_FRAMEWORK[k];
              return (
                <label key={k} className="pm-choice">
                  <input
                    type="radio"
                    name="pm-isolation-framework"
                    value={k}
                    checked={framework === k}
                    onChange={() => setFramework(k)}
                  />
                  <span>
                    {f.condition} → <strong>{f.response}</strong>
                  </span>
                </label>
              );
            })}
          </fieldset>
        </>
      ) : null}
      <div className="pm-form-row">
        <div className="field">
          <label htmlFor={`${id}-at`}>When (UTC; blank for now)</label>
          <input
            id={`${id}-at`}
            className="mono-input"
            value={at}
            onChange={(e) => setAt(e.target.value)}
            placeholder="2026-10-20T09:30:00Z"
            spellCheck={false}
          />
        </div>
        <div className="field field-grow">
          <label htmlFor={`${id}-note`}>{isolate ? 'Reason / note' : 'Note'}</label>
          <input id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <div className="pm-form-submit">
          <button type="submit" className="btn btn-primary" disabled={busy || (isolate && !strategy)}>
            {a.done ? 'Record again' : 'Record'}
          </button>
        </div>
      </div>
      <FormMessage message={message} testId={`${id}-message`} />
    </form>
  );
}

function PreservedIngests({ action }: { action: ImmediateActionState }) {
  const ingests = action.ingests ?? [];
  if (ingests.length === 0)
    return (
      <p className="muted">
        No finished ingest in this case: preserve the model from the Evidence stage first.
      </p>
    );
  return (
    <div className="pm-scroll">
      <table className="table table-compact" data-testid="pm-preserved">
        <caption className="pm-caption">
          The ingests of this case, with the results of their checksum lists
        </caption>
        <thead>
          <tr>
            <th>Ingest</th>
            <th>Bundle</th>
            <th className="num">Files</th>
            <th className="num">Size</th>
            <th>Checksums</th>
            <th>Finished</th>
          </tr>
        </thead>
        <tbody>
          {ingests.map((i) => (
            <tr key={i.ingestId}>
              <td className="num">
                {i.ingestId}
                {i.seq !== null ? <span className="muted"> (seq {i.seq})</span> : null}
              </td>
              <td className="mono ellipsis" title={i.bundle}>
                {i.bundle}
              </td>
              <td className="num">{i.files}</td>
              <td className="num">{humanBytes(i.bytes)}</td>
              <td>
                <span className="pm-badges">
                  <Badge tone="ok">{i.manifest.matched} matched</Badge>
                  {i.manifest.mismatched > 0 ? (
                    <Badge tone="bad">{i.manifest.mismatched} mismatched</Badge>
                  ) : null}
                  {i.manifest.missing > 0 ? <Badge tone="warn">{i.manifest.missing} missing</Badge> : null}
                </span>
              </td>
              <td className="nowrap">{i.status === 'finished' ? utc(i.finishedAt) : i.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------------------

const TIMELINE_SHOWN = 150;

function sourceText(s: TimelineSource): string {
  switch (s.kind) {
    case 'custody':
      return `custody seq ${s.seq}`;
    case 'finding':
      return `finding #${s.id} (${s.stage})`;
    case 'window':
      return `compromise window ${s.id}`;
    case 'deployment':
      return `deployment ${s.evidencePath}:${s.line}`;
    case 'manual':
      return `manual, seq ${s.seq}`;
  }
}

const SOURCE_TONE: Record<TimelineSource['kind'], 'info' | 'neutral' | 'warn' | 'bad' | 'ok'> = {
  custody: 'neutral',
  finding: 'bad',
  window: 'warn',
  deployment: 'info',
  manual: 'ok',
};

function TimelineSection({ timeline, update }: { timeline: TimelineEntry[]; update: Update }) {
  const [text, setText] = useState('');
  const [at, setAt] = useState('');
  const [all, setAll] = useState(false);
  const { busy, message, send } = useChange(update);
  const shown = all ? timeline : timeline.slice(0, TIMELINE_SHOWN);

  const add = (e: React.FormEvent) => {
    e.preventDefault();
    void send({ kind: 'timeline', text: text.trim(), at: at.trim() }, 'Timeline entry added.').then(
      (done) => {
        if (done) {
          setText('');
          setAt('');
        }
      },
    );
  };

  return (
    <div className="integrity-section" aria-labelledby="pm-timeline-heading">
      <div className="integrity-section-header">
        <h3 id="pm-timeline-heading">Timeline</h3>
        <span className="muted">
          {timeline.length} entries merged from the custody log, the deployment records, the compromise window
          and the findings, with manual entries.
        </span>
      </div>
      <form className="behavior-panel pm-timeline-form" onSubmit={add}>
        <div className="pm-form-row">
          <div className="field field-grow">
            <label htmlFor="pm-timeline-text">What happened</label>
            <input
              id="pm-timeline-text"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="Vendor notified of the tampered tokenizer"
            />
          </div>
          <div className="field">
            <label htmlFor="pm-timeline-at">When (UTC)</label>
            <input
              id="pm-timeline-at"
              className="mono-input"
              value={at}
              onChange={(e) => setAt(e.target.value)}
              placeholder="2026-10-20T10:00:00Z"
              spellCheck={false}
            />
          </div>
          <div className="pm-form-submit">
            <button type="submit" className="btn" disabled={busy || !text.trim() || !at.trim()}>
              Add entry
            </button>
          </div>
        </div>
        <FormMessage message={message} testId="pm-timeline-message" />
      </form>
      <div className="table-wrap pm-timeline-wrap">
        <table className="table table-compact pm-table" data-testid="pm-timeline">
          <thead>
            <tr>
              <th>At (UTC)</th>
              <th>Event</th>
              <th>Actor</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t, i) => (
              <tr key={`${t.at}-${i}`} className={t.source.kind === 'manual' ? 'pm-row-manual' : undefined}>
                <td className="nowrap mono">{utc(t.at)}</td>
                <td>{t.text}</td>
                <td>{t.actor ?? <span className="muted">—</span>}</td>
                <td>
                  <Badge tone={SOURCE_TONE[t.source.kind]}>{sourceText(t.source)}</Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {timeline.length > TIMELINE_SHOWN ? (
        <button type="button" className="btn btn-small pm-more" onClick={() => setAll(!all)}>
          {all ? `Show the first ${TIMELINE_SHOWN}` : `Show all ${timeline.length} entries`}
        </button>
      ) : null}
    </div>
  );
}
