/**
 * The Audit stage: the playbook's "Assess blast radius", "Output audit" and "Tool call audit" on the
 * production logs of the compromise window. Top to bottom as an investigator works: import the logs
 * found in the evidence, set the window (from the deployment records, or by hand) with the
 * authorized-tools policy, read the window on a timeline of requests per day with the deployment
 * events marked, the blast-radius cards and charts, plan and draw a reproducible sample, review it
 * one record at a time (AuditReview.tsx), and read the estimate as the labels arrive.
 */
import { useCallback, useEffect, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import {
  AUDIT_ALLOCATIONS,
  AUDIT_STRATA,
  type AuditAllocation,
  type AuditState,
  type AuditStrata,
  type AuditWindowView,
  type BlastRadiusView,
  type DeploymentEvent,
  type ReviewPlanView,
  type SampleView,
  type UsersPerDay,
} from '../../../shared/audit';
import { api, describeError } from '../api/client';
import { BOTTOM_AXIS, COUNT_AXIS, H_GRID } from '../components/chart';
import {
  Badge,
  EmptyState,
  ErrorPanel,
  FormMessage,
  Hash,
  Spinner,
  StatusLine,
  type FormNote,
} from '../components/Bits';
import { humanBytes, utc } from '../format';
import { useAction } from '../components/useAction';
import { useLoadable } from '../loadable';
import { useStore } from '../store';
import { EstimatePanel, ReviewQueue } from './AuditReview';

const num = (n: number): string => n.toLocaleString('en-US');
type Message = FormNote;

export function AuditScreen({ caseId }: { caseId: string }) {
  const loadOverview = useStore((s) => s.loadOverview);
  const { state: audit, load } = useLoadable<AuditState>();
  const { data: state, error } = audit;
  /** Bumped after every label so the estimate panel reloads. */
  const [labelTick, setLabelTick] = useState(0);

  // A refresh keeps the state shown while it loads and when it fails; a new case mounts a new screen.
  const refresh = useCallback(
    () => load(() => api.auditState({ caseId }), { keep: true, keepOnError: true }),
    [caseId, load],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const changed = useCallback(() => {
    void refresh();
    void loadOverview(caseId);
  }, [refresh, loadOverview, caseId]);

  if (error && !state)
    return (
      <section className="screen">
        <ErrorPanel title="The audit could not be read" message={error} onRetry={() => void refresh()} />
      </section>
    );
  if (!state)
    return (
      <section className="screen muted loading-line">
        <Spinner label="Reading the audit" />
      </section>
    );

  return (
    <section className="screen screen-audit" aria-labelledby="audit-heading">
      <div className="screen-header">
        <div>
          <h2 id="audit-heading">Audit</h2>
          <p className="muted">
            What the compromised model did in production: the window, its blast radius, and a reviewed random
            sample of its outputs with the intervals it supports.
          </p>
        </div>
      </div>
      <div className="behavior-setup">
        <LogsPanel caseId={caseId} state={state} onChanged={changed} />
        <WindowPanel caseId={caseId} state={state} onChanged={changed} />
      </div>
      {state.waitingFor ? (
        <StatusLine tone="warn" testId="audit-waiting">
          {state.waitingFor}
        </StatusLine>
      ) : null}
      {state.blastRadius && state.window ? (
        <>
          <Timeline radius={state.blastRadius} window={state.window} state={state} />
          <BlastRadius radius={state.blastRadius} usersPerDay={state.usersPerDay} />
          <SamplePanel caseId={caseId} state={state} radius={state.blastRadius} onChanged={changed} />
        </>
      ) : null}
      {state.sample && state.progress ? (
        <>
          <ReviewQueue
            caseId={caseId}
            sample={state.sample}
            reviewer={state.reviewer}
            initialProgress={state.progress}
            onLabelled={() => setLabelTick((t) => t + 1)}
          />
          <EstimatePanel caseId={caseId} tick={labelTick} onRecorded={() => void loadOverview(caseId)} />
        </>
      ) : null}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

function LogsPanel({
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
          if (!path.trim()) return setMessage({ tone: 'bad', text: 'Give the path of a log file.' });
          void importOne(path.trim()).then((done) => {
            if (done) setPath('');
            onChanged();
          });
        }}
      >
        <label htmlFor="audit-log-path">Another log (a file on this workstation, preserved first)</label>
        <div className="field-inline">
          <input
            id="audit-log-path"
            className="mono-input field-grow"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/path/to/requests.jsonl"
            spellCheck={false}
            disabled={busy !== null}
          />
          <button type="submit" className="btn" disabled={busy !== null}>
            Import
          </button>
        </div>
      </form>
      <FormMessage message={message} testId="audit-import-message" />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Window
// ---------------------------------------------------------------------------------------------

function policyText(w: AuditWindowView | null): string {
  if (!w?.policy) return '';
  return JSON.stringify(w.policy, null, 2);
}

function WindowPanel({
  caseId,
  state,
  onChanged,
}: {
  caseId: string;
  state: AuditState;
  onChanged: () => void;
}) {
  const w = state.window;
  const [from, setFrom] = useState<'deployments' | 'manual'>(
    w?.source.kind === 'manual' || state.deployments.length === 0 ? 'manual' : 'deployments',
  );
  const [deployments, setDeployments] = useState(state.deployments[0]?.evidencePath ?? '');
  const [start, setStart] = useState(w?.start ?? '');
  const [end, setEnd] = useState(w?.end ?? '');
  const [policy, setPolicy] = useState(policyText(w));
  const { busy, message, run } = useAction();

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const set = await api.setAuditWindow({
        caseId,
        from,
        start: from === 'manual' ? start : null,
        end: from === 'manual' ? end : null,
        deployments: from === 'deployments' ? deployments || null : null,
        policy,
      });
      setStart(set.start);
      setEnd(set.end);
      onChanged();
      return `Window ${set.id} set: ${utc(set.start)} → ${utc(set.end)}.`;
    });
  };

  return (
    <form className="behavior-panel" onSubmit={submit} aria-labelledby="audit-window-heading">
      <h3 id="audit-window-heading">Compromise window</h3>
      {w ? (
        <div data-testid="audit-window">
          <p>
            <strong>{utc(w.start)}</strong> → <strong>{utc(w.end)}</strong>{' '}
            <span className="muted">(end excluded; window {w.id})</span>
          </p>
          <p className="muted">{windowSource(w)}</p>
          <p className="muted">
            Authorized tools:{' '}
            {w.policy
              ? `${Object.keys(w.policy.tools).join(', ')} (policy sha256 ${w.policySha256?.slice(0, 12)}…)`
              : 'none given: tool calls are not audited'}
          </p>
        </div>
      ) : (
        <p className="muted">Not set yet.</p>
      )}
      <fieldset className="audit-radio" disabled={busy}>
        <legend className="muted">Set it</legend>
        <label>
          <input
            type="radio"
            name="audit-window-from"
            checked={from === 'deployments'}
            onChange={() => setFrom('deployments')}
            disabled={state.deployments.length === 0}
          />{' '}
          from the deployment records (compromised version deployed → isolated)
        </label>
        <label>
          <input
            type="radio"
            name="audit-window-from"
            checked={from === 'manual'}
            onChange={() => setFrom('manual')}
          />{' '}
          by hand
        </label>
      </fieldset>
      {from === 'deployments' ? (
        <div className="field">
          <label htmlFor="audit-deployments">Deployment records</label>
          <select id="audit-deployments" value={deployments} onChange={(e) => setDeployments(e.target.value)}>
            {state.deployments.map((d) => (
              <option key={d.sha256} value={d.evidencePath}>
                {d.evidencePath} ({d.events.length} events)
              </option>
            ))}
          </select>
        </div>
      ) : (
        <div className="field-inline">
          <div className="field">
            <label htmlFor="audit-start">Start (UTC unless a zone is given)</label>
            <input
              id="audit-start"
              className="mono-input"
              value={start}
              onChange={(e) => setStart(e.target.value)}
              placeholder="2026-10-06T14:12:00Z"
            />
          </div>
          <div className="field">
            <label htmlFor="audit-end">End (excluded)</label>
            <input
              id="audit-end"
              className="mono-input"
              value={end}
              onChange={(e) => setEnd(e.target.value)}
              placeholder="2026-10-20T09:30:00Z"
            />
          </div>
        </div>
      )}
      <div className="field">
        <label htmlFor="audit-policy">Authorized tools policy (YAML or JSON; blank for none)</label>
        <textarea
          id="audit-policy"
          className="mono-input audit-policy"
          rows={7}
          value={policy}
          onChange={(e) => setPolicy(e.target.value)}
          spellCheck={false}
          placeholder={
            'tools:\n  lookup_order: {}\n  refund_order: { require: [ticket_id], max: { amount: 200 } }'
          }
        />
        <span className="field-help">
          Each tool allowed, with optional rules: require (arguments that must be present), max (numeric
          limits), allow (permitted values). A call to any other tool is unauthorized.
        </span>
      </div>
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Setting…' : w ? 'Set a new window' : 'Set the window'}
        </button>
      </div>
      <FormMessage message={message} testId="audit-window-message" />
    </form>
  );
}

function windowSource(w: AuditWindowView): string {
  const s = w.source;
  if (s.kind === 'manual') return `Set by hand by ${w.actor} at ${utc(w.createdAt)}.`;
  return `From ${s.evidencePath} (line ${s.start.line} “${s.start.event}” ${s.version} → line ${s.end.line} “${s.end.event}”), set by ${w.actor}.`;
}

// ---------------------------------------------------------------------------------------------
// Timeline and blast radius
// ---------------------------------------------------------------------------------------------

interface DayPoint {
  day: string;
  inside: number;
  outside: number;
}

function allDays(radius: BlastRadiusView): DayPoint[] {
  const map = new Map<string, DayPoint>();
  const at = (day: string) => {
    let p = map.get(day);
    if (!p) map.set(day, (p = { day, inside: 0, outside: 0 }));
    return p;
  };
  for (const d of radius.inside.perDay) at(d.day).inside += d.requests;
  for (const d of radius.outside.perDay) at(d.day).outside += d.requests;
  const days = [...map.keys()].sort();
  if (days.length === 0) return [];
  // Fill the days without a request so the axis is true to time.
  const out: DayPoint[] = [];
  for (let t = Date.parse(days[0]!); t <= Date.parse(days[days.length - 1]!); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(map.get(day) ?? { day, inside: 0, outside: 0 });
  }
  return out;
}

function Timeline({
  radius,
  window: w,
  state,
}: {
  radius: BlastRadiusView;
  window: AuditWindowView;
  state: AuditState;
}) {
  const data = allDays(radius);
  const events: DeploymentEvent[] = state.deployments
    .flatMap((d) => d.events)
    .filter((e) => e.kind !== 'other');
  const inRange = (day: string) =>
    data.length > 0 && day >= data[0]!.day && day <= data[data.length - 1]!.day;
  const width = Math.max(640, Math.min(1400, data.length * 22 + 80));
  return (
    <div className="integrity-section" data-testid="audit-timeline">
      <div className="integrity-section-header">
        <h3>Requests per day</h3>
        <span className="muted">
          UTC days; the window is shaded; deployment events marked ({events.length}) · inside{' '}
          {num(radius.inside.requests)}, outside {num(radius.outside.requests)}
        </span>
      </div>
      <div
        className="heatmap-scroll"
        role="img"
        aria-label={`Requests per day from ${data[0]?.day ?? '-'} to ${data[data.length - 1]?.day ?? '-'}; window ${w.start} to ${w.end}`}
      >
        <BarChart width={width} height={240} data={data} margin={{ top: 24, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid {...H_GRID} />
          <XAxis dataKey="day" {...BOTTOM_AXIS} />
          <YAxis {...COUNT_AXIS} width={44} />
          <ReferenceArea
            x1={w.start.slice(0, 10)}
            x2={w.end.slice(0, 10)}
            fill="var(--bad-bg)"
            fillOpacity={0.8}
            ifOverflow="extendDomain"
          />
          <Tooltip
            cursor={{ fill: 'var(--bg-hover)' }}
            content={({ active, payload, label }) =>
              active && payload?.length ? (
                <div className="chart-tooltip">
                  <strong>{String(label)}</strong>
                  <div>
                    inside the window: {num(Number(payload.find((p) => p.dataKey === 'inside')?.value ?? 0))}
                  </div>
                  <div>outside: {num(Number(payload.find((p) => p.dataKey === 'outside')?.value ?? 0))}</div>
                  {events
                    .filter((e) => e.timestamp.slice(0, 10) === label)
                    .map((e) => (
                      <div key={`${e.line}`}>
                        {e.timestamp.slice(11, 16)} {e.event} {e.version ?? ''}
                      </div>
                    ))}
                </div>
              ) : null
            }
          />
          <Bar dataKey="outside" stackId="r" fill="var(--series-baseline)" isAnimationActive={false} />
          <Bar dataKey="inside" stackId="r" fill="var(--series-suspect)" isAnimationActive={false} />
          {events
            .filter((e) => inRange(e.timestamp.slice(0, 10)))
            .map((e) => (
              <ReferenceLine
                key={`${e.line}-${e.timestamp}`}
                x={e.timestamp.slice(0, 10)}
                stroke={e.kind === 'isolate' ? 'var(--ok)' : 'var(--bad)'}
                strokeDasharray="4 3"
                label={{
                  value: `${e.kind === 'isolate' ? '■' : '▲'} ${e.version ?? e.event}`,
                  position: 'top',
                  fill: 'var(--text-muted)',
                  fontSize: 10,
                }}
              />
            ))}
        </BarChart>
      </div>
      <p className="heatmap-caption">
        <span className="heatmap-legend">
          <span className="legend-swatch legend-suspect" /> inside the window{' '}
          <span className="legend-swatch legend-baseline" /> outside
          <span className="muted"> · ▲ deployed · ■ isolated or rolled back</span>
        </span>
      </p>
    </div>
  );
}

function Card({
  label,
  inside,
  outside,
  testId,
}: {
  label: string;
  inside: number;
  outside: number;
  testId: string;
}) {
  return (
    <div className="audit-card" data-testid={testId}>
      <div className="audit-card-label">{label}</div>
      <div className="audit-card-value num">{num(inside)}</div>
      <div className="muted audit-card-sub">outside the window: {num(outside)}</div>
    </div>
  );
}

function BlastRadius({ radius, usersPerDay }: { radius: BlastRadiusView; usersPerDay: UsersPerDay[] }) {
  const i = radius.inside;
  const o = radius.outside;
  const tools = [...new Set([...Object.keys(i.toolCalls.byName), ...Object.keys(o.toolCalls.byName)])]
    .sort()
    .map((name) => ({ name, inside: i.toolCalls.byName[name] ?? 0 }));
  const downstream = Object.entries(i.downstream).sort((a, b) => b[1] - a[1]);
  return (
    <div className="integrity-section" aria-labelledby="audit-blast-heading">
      <div className="integrity-section-header">
        <h3 id="audit-blast-heading">Blast radius</h3>
        <span className="muted">
          from {radius.sources.length} imported {radius.sources.length === 1 ? 'log' : 'logs'} · first request
          inside {utc(i.first)}, last {utc(i.last)}
        </span>
      </div>
      <div className="audit-cards">
        <Card label="Requests" inside={i.requests} outside={o.requests} testId="audit-card-requests" />
        <Card label="Distinct users" inside={i.users} outside={o.users} testId="audit-card-users" />
        <Card
          label="Conversations"
          inside={i.conversations}
          outside={o.conversations}
          testId="audit-card-conversations"
        />
        <Card
          label="Tool calls"
          inside={i.toolCalls.total}
          outside={o.toolCalls.total}
          testId="audit-card-tools"
        />
        <Card
          label="Outputs used downstream"
          inside={Object.values(i.downstream).reduce((a, b) => a + b, 0)}
          outside={Object.values(o.downstream).reduce((a, b) => a + b, 0)}
          testId="audit-card-downstream"
        />
      </div>
      {radius.notes.map((n) => (
        <p key={n} className="muted integrity-note">
          {n}
        </p>
      ))}
      <div className="audit-charts">
        <figure className="behavior-panel" data-testid="audit-tools-chart">
          <figcaption className="heatmap-caption">Tool calls by tool, inside the window</figcaption>
          <BarChart
            width={420}
            height={Math.max(120, tools.length * 28 + 30)}
            data={tools}
            layout="vertical"
            margin={{ top: 4, right: 24, bottom: 4, left: 8 }}
          >
            <CartesianGrid stroke="var(--border)" horizontal={false} />
            <XAxis
              type="number"
              allowDecimals={false}
              tick={{ fill: 'var(--text-muted)', fontSize: 10 }}
              axisLine={false}
              tickLine={false}
            />
            <YAxis
              type="category"
              dataKey="name"
              width={110}
              tick={{ fill: 'var(--text-muted)', fontSize: 11 }}
              axisLine={false}
              tickLine={false}
            />
            <Tooltip cursor={{ fill: 'var(--bg-hover)' }} />
            <Bar dataKey="inside" name="calls" fill="var(--series-suspect)" isAnimationActive={false} />
          </BarChart>
        </figure>
        <figure className="behavior-panel" data-testid="audit-users-chart">
          <figcaption className="heatmap-caption">
            <span>Users per day inside the window</span>
            <span className="heatmap-legend">
              <span className="legend-swatch legend-baseline" /> users{' '}
              <span className="legend-swatch legend-suspect" /> new (first request in the window)
            </span>
          </figcaption>
          <BarChart
            width={460}
            height={200}
            data={usersPerDay}
            margin={{ top: 4, right: 8, bottom: 4, left: 0 }}
          >
            <CartesianGrid {...H_GRID} />
            <XAxis dataKey="day" {...BOTTOM_AXIS} />
            <YAxis {...COUNT_AXIS} width={36} />
            <Tooltip cursor={{ fill: 'var(--bg-hover)' }} />
            <Bar dataKey="users" name="users" fill="var(--series-baseline)" isAnimationActive={false} />
            <Bar dataKey="newUsers" name="new users" fill="var(--series-suspect)" isAnimationActive={false} />
          </BarChart>
        </figure>
        <div className="behavior-panel">
          <h4>Downstream systems that consumed outputs</h4>
          {downstream.length === 0 ? (
            <p className="muted">None named in the logs inside the window.</p>
          ) : (
            <table className="table table-compact" data-testid="audit-downstream">
              <tbody>
                {downstream.map(([name, n]) => (
                  <tr key={name}>
                    <td className="mono">{name}</td>
                    <td className="num">{num(n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4>Model versions inside</h4>
          <p className="mono">
            {Object.entries(i.modelVersions)
              .map(([v, n]) => `${v}: ${num(n)}`)
              .join(' · ')}
          </p>
        </div>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Planner and draw
// ---------------------------------------------------------------------------------------------

function parseShare(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  return m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
}

function SamplePanel({
  caseId,
  state,
  radius,
  onChanged,
}: {
  caseId: string;
  state: AuditState;
  radius: BlastRadiusView;
  onChanged: () => void;
}) {
  const population = radius.inside.requests;
  const [prevalence, setPrevalence] = useState('1%');
  const [confidence, setConfidence] = useState('95%');
  const { state: planned, load: loadPlan } = useLoadable<ReviewPlanView>();
  const [size, setSize] = useState('');
  const [strata, setStrata] = useState<AuditStrata>('none');
  const [allocation, setAllocation] = useState<AuditAllocation>('proportional');
  const [seed, setSeed] = useState(() => `${caseId}-${new Date().toISOString().slice(0, 10)}`);
  const { busy, message, run } = useAction();

  const p = parseShare(prevalence);
  const c = parseShare(confidence);
  const valid = p > 0 && p < 1 && c > 0 && c < 1;
  const plan = valid ? planned.data : null;
  const planError = valid
    ? planned.error
    : 'Give the prevalence and the confidence as shares between 0 and 1, or percentages.';

  useEffect(() => {
    if (!valid) return;
    void loadPlan(
      () =>
        api.planAuditReview({
          prevalence: p,
          confidence: c,
          population: population > 0 ? population : null,
        }),
      { keep: true },
    );
  }, [valid, p, c, population, loadPlan]);

  const draw = (e: React.FormEvent) => {
    e.preventDefault();
    const n = Number(size || plan?.sampleSize);
    void run(async () => {
      const s = await api.drawAuditSample({ caseId, size: n, strata, allocation, seed });
      onChanged();
      return `Sample ${s.id} drawn: ${num(s.size)} of ${num(s.population)} records.`;
    });
  };

  return (
    <div className="integrity-section" aria-labelledby="audit-plan-heading">
      <div className="integrity-section-header">
        <h3 id="audit-plan-heading">Sample</h3>
        <span className="muted">
          Plan how many records to review, then draw them reproducibly; the seed goes into the custody log.
        </span>
      </div>
      <div className="behavior-setup">
        <div className="behavior-panel">
          <h4>Planner</h4>
          <div className="field-inline">
            <div className="field">
              <label htmlFor="audit-prevalence">Smallest harmful rate to detect</label>
              <input
                id="audit-prevalence"
                value={prevalence}
                onChange={(e) => setPrevalence(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="audit-confidence">Confidence</label>
              <input
                id="audit-confidence"
                value={confidence}
                onChange={(e) => setConfidence(e.target.value)}
              />
            </div>
          </div>
          {plan ? (
            <p data-testid="audit-plan">
              <strong className="num">{num(plan.sampleSize)}</strong> records. {plan.statement}{' '}
              <span className="muted">({plan.method})</span>
            </p>
          ) : (
            <p className="field-error">{planError}</p>
          )}
        </div>
        <form className="behavior-panel" onSubmit={draw}>
          <h4>Draw</h4>
          <div className="field-inline">
            <div className="field">
              <label htmlFor="audit-size">Size</label>
              <input
                id="audit-size"
                inputMode="numeric"
                value={size}
                onChange={(e) => setSize(e.target.value)}
                placeholder={plan ? String(plan.sampleSize) : ''}
              />
            </div>
            <div className="field">
              <label htmlFor="audit-strata">Strata</label>
              <select
                id="audit-strata"
                value={strata}
                onChange={(e) => setStrata(e.target.value as AuditStrata)}
              >
                {AUDIT_STRATA.map((s) => (
                  <option key={s} value={s}>
                    {s === 'none' ? 'none' : `by ${s}`}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="audit-allocation">Allocation</label>
              <select
                id="audit-allocation"
                value={allocation}
                onChange={(e) => setAllocation(e.target.value as AuditAllocation)}
                disabled={strata === 'none'}
              >
                {AUDIT_ALLOCATIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="field">
            <label htmlFor="audit-seed">Seed</label>
            <input
              id="audit-seed"
              className="mono-input"
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
            />
          </div>
          <div>
            <button type="submit" className="btn btn-primary" disabled={busy || (!size && !plan)}>
              {busy ? 'Drawing…' : `Draw ${num(Number(size || plan?.sampleSize || 0))} of ${num(population)}`}
            </button>
          </div>
          <FormMessage message={message} testId="audit-sample-message" />
        </form>
      </div>
      {state.sample ? (
        <SampleSummary sample={state.sample} />
      ) : (
        <EmptyState title="No sample drawn for this window yet" />
      )}
    </div>
  );
}

function SampleSummary({ sample }: { sample: SampleView }) {
  return (
    <div className="audit-sample" data-testid="audit-sample">
      <p>
        Sample {sample.id}: <strong>{num(sample.size)}</strong> of {num(sample.population)} records,{' '}
        {sample.strata === 'none' ? 'simple random' : `stratified by ${sample.strata} (${sample.allocation})`}
        , seed <code>{sample.seed}</code>, drawn by {sample.actor} at {utc(sample.createdAt)} · ids sha256{' '}
        <Hash value={sample.idsSha256} />
      </p>
      {sample.strata !== 'none' ? (
        <details>
          <summary>{sample.strataDetail.length} strata</summary>
          <table className="table table-compact">
            <thead>
              <tr>
                <th>Stratum</th>
                <th className="num">Records</th>
                <th className="num">Drawn</th>
              </tr>
            </thead>
            <tbody>
              {sample.strataDetail.map((s) => (
                <tr key={s.key}>
                  <td className="mono">{s.key}</td>
                  <td className="num">{num(s.population)}</td>
                  <td className="num">{num(s.allocated)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </div>
  );
}
