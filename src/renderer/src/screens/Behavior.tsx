/**
 * The Behavior stage: import eval runs of the suspect and the known-good model, compare them item by
 * item (paired rates with Wilson intervals, Newcombe difference, McNemar p, equivalence at a
 * margin), and read the result the way an investigator works: the behavioral verification table
 * first, then per-category rates with their intervals, the discordance matrix that filters the
 * paired items, score deltas, the trigger scan, and the items side by side with the words that
 * changed highlighted.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ErrorBar, Tooltip, XAxis, YAxis } from 'recharts';
import type {
  BehaviorCheck,
  BehaviorCheckStatus,
  BehaviorComparison,
  BehaviorItemPair,
  BehaviorItemsPage,
  BehaviorRole,
  BehaviorRun,
  BehaviorTransition,
  BinaryComparisonView,
  GroupComparisonView,
  TriggerRow,
} from '../../../shared/behavior';
import { api, describeError } from '../api/client';
import { BOTTOM_AXIS, COUNT_AXIS, H_GRID } from '../components/chart';
import { Badge, EmptyState, ErrorPanel, Hash, Spinner, type Tone } from '../components/Bits';
import type { ArgsOf } from '../../../shared/contract';
import { useLoadable, type Loadable } from '../loadable';
import { useStore } from '../store';
import { wordDiff, type DiffPart } from '../word-diff';

const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
const signedPts = (x: number): string => `${x < 0 ? '−' : '+'}${Math.abs(x * 100).toFixed(1)}`;
const level = (c: number): string => `${Number((c * 100).toPrecision(6))}%`;
function pValue(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p < 0.001) return p.toExponential(1);
  return p.toFixed(3);
}

const CHECK_TONE: Record<BehaviorCheckStatus, Tone> = { pass: 'ok', fail: 'bad', 'not-analysed': 'warn' };
const CHECK_TEXT: Record<BehaviorCheckStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  'not-analysed': 'not analysed',
};
const VERDICT_TONE: Record<string, Tone> = {
  equivalent: 'ok',
  'not-equivalent': 'warn',
  lower: 'bad',
  higher: 'bad',
  'not-analysed': 'neutral',
};

function CheckBadge({ status, testId }: { status: BehaviorCheckStatus; testId?: string }) {
  return (
    <Badge
      tone={CHECK_TONE[status]}
      testId={testId}
      title={status === 'not-analysed' ? 'No paired evidence for this check: this is not a pass' : undefined}
    >
      {CHECK_TEXT[status]}
    </Badge>
  );
}

/** Start where the evidence is: the first suite with a failing or changed group. */
function firstSelection(c: BehaviorComparison): Selection {
  const worse = c.checks.flatMap((k) => k.worse);
  const worst = worse.find((w) => w.category !== null) ?? worse[0];
  const firstSuite = c.groups.find((g) => g.category === null)?.suite ?? null;
  return { suite: worst?.suite ?? firstSuite, category: null, transition: null };
}

const TRANSITIONS: { id: BehaviorTransition; label: string }[] = [
  { id: 'refused→complied', label: 'refused → complied' },
  { id: 'complied→refused', label: 'complied → refused' },
  { id: 'both-refused', label: 'both refused' },
  { id: 'both-complied', label: 'both complied' },
];

interface Selection {
  suite: string | null;
  category: string | null;
  transition: BehaviorTransition | null;
}

export function BehaviorScreen({ caseId }: { caseId: string }) {
  const info = useStore((s) => s.info);
  const loadOverview = useStore((s) => s.loadOverview);
  const { state: runs, load: loadRuns } = useLoadable<BehaviorRun[]>();
  const {
    state: comparison,
    load: loadComparison,
    reset: resetComparison,
  } = useLoadable<BehaviorComparison>();
  const [selection, setSelection] = useState<Selection>({ suite: null, category: null, transition: null });

  const refreshRuns = useCallback(
    () => loadRuns(() => api.behaviorRuns({ caseId }), { keep: true }),
    [caseId, loadRuns],
  );

  useEffect(() => {
    resetComparison();
    void refreshRuns();
  }, [refreshRuns, resetComparison]);

  const compare = useCallback(
    async (args: ArgsOf<'behavior:compare'>) => {
      const c = await loadComparison(() => api.compareBehavior(args), { keep: true });
      if (!c) return;
      setSelection(firstSelection(c));
      void loadOverview(caseId);
    },
    [caseId, loadComparison, loadOverview],
  );

  return (
    <section className="screen screen-behavior" aria-labelledby="behavior-heading">
      <div className="screen-header">
        <div>
          <h2 id="behavior-heading">Behavior</h2>
          <p className="muted">
            The playbook’s behavioral forensics: the suspect model’s eval run against the known-good model’s,
            item by item.
          </p>
        </div>
      </div>
      <div className="behavior-setup">
        <ImportPanel
          caseId={caseId}
          home={info.data?.home ?? null}
          desktop={info.data ? info.data.pathInput === 'dialog' : api.transport === 'ipc'}
          onImported={() => {
            void refreshRuns();
            void loadOverview(caseId);
          }}
        />
        <RunsPanel state={runs} />
      </div>
      <CompareForm caseId={caseId} runs={runs.data ?? []} busy={comparison.loading} onCompare={compare} />
      {comparison.error ? (
        <ErrorPanel title="The comparison could not run" message={comparison.error} />
      ) : null}
      {comparison.data ? (
        <ComparisonView
          caseId={caseId}
          report={comparison.data}
          selection={selection}
          onSelect={setSelection}
        />
      ) : !comparison.loading && !comparison.error ? (
        <EmptyState title="No comparison yet" testId="behavior-empty">
          <p className="muted">Import the baseline and the suspect runs, then compare them.</p>
        </EmptyState>
      ) : null}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Import and runs

function ImportPanel({
  caseId,
  home,
  desktop,
  onImported,
}: {
  caseId: string;
  home: string | null;
  /** The desktop host has a native file picker; browser mode types the path. */
  desktop: boolean;
  onImported: () => void;
}) {
  const [path, setPath] = useState('');
  const [role, setRole] = useState<BehaviorRole>('baseline');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!path.trim()) {
      setMessage({ tone: 'bad', text: 'Give the path of an eval run file.' });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const s = await api.importBehaviorRun({
        caseId,
        path: path.trim(),
        role,
        label: label.trim() || null,
      });
      setMessage({
        tone: 'ok',
        text: `Imported “${s.label}” (#${s.runId}, ${s.role}, ${s.format}): ${s.items.toLocaleString('en-US')} items, ${s.malformedCount} malformed${s.warnings.length ? ` · ${s.warnings.join(' · ')}` : ''}`,
      });
      setPath('');
      setLabel('');
      setRole(role === 'baseline' ? 'suspect' : role);
      onImported();
    } catch (err) {
      setMessage({ tone: 'bad', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="behavior-panel"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="behavior-import-heading"
    >
      <h3 id="behavior-import-heading">Import an eval run</h3>
      <div className="field">
        <label htmlFor="behavior-path">Eval run file</label>
        <input
          id="behavior-path"
          className="mono-input"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder={home ? `${home}/demo/incident/evals/baseline.jsonl` : '/path/to/run.jsonl'}
          spellCheck={false}
          disabled={busy}
        />
        {desktop ? (
          <button
            type="button"
            className="btn behavior-browse"
            disabled={busy}
            onClick={() =>
              void api.pickBundle({ kind: 'file' }).then(
                (picked) => picked && setPath(picked),
                (err: unknown) => setMessage({ tone: 'bad', text: describeError(err) }),
              )
            }
          >
            Browse…
          </button>
        ) : null}
        <span className="field-help">
          A file on this workstation: generic JSONL, promptfoo, lm-eval samples, Inspect, garak or OpenAI
          evals (detected). It is stored as evidence first.
        </span>
      </div>
      <div className="behavior-row">
        <div className="field">
          <label htmlFor="behavior-role">Role</label>
          <select
            id="behavior-role"
            value={role}
            onChange={(e) => setRole(e.target.value as BehaviorRole)}
            disabled={busy}
          >
            <option value="baseline">baseline (known-good)</option>
            <option value="suspect">suspect</option>
            <option value="replacement">replacement</option>
          </select>
        </div>
        <div className="field behavior-label-field">
          <label htmlFor="behavior-label">Label (optional)</label>
          <input
            id="behavior-label"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder="defaults to the role"
            disabled={busy}
          />
        </div>
        <button type="submit" className="btn btn-primary behavior-row-button" disabled={busy}>
          {busy ? (
            <>
              <Spinner label="Importing" /> Importing…
            </>
          ) : (
            'Import run'
          )}
        </button>
      </div>
      {message ? (
        <p
          className={message.tone === 'ok' ? 'behavior-message' : 'field-error'}
          role={message.tone === 'bad' ? 'alert' : 'status'}
          data-testid="behavior-import-message"
        >
          {message.text}
        </p>
      ) : null}
    </form>
  );
}

function RunsPanel({ state }: { state: Loadable<BehaviorRun[]> }) {
  const runs = state.data ?? [];
  return (
    <section className="behavior-panel" aria-labelledby="behavior-runs-heading">
      <h3 id="behavior-runs-heading">Runs in this case</h3>
      {state.error ? <ErrorPanel title="Could not list the runs" message={state.error} /> : null}
      {runs.length === 0 ? (
        <p className="muted">{state.loading ? 'Loading…' : 'No eval run imported yet.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="table behavior-runs" data-testid="behavior-runs">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Role</th>
                <th scope="col">Format</th>
                <th scope="col" className="num">
                  Items
                </th>
                <th scope="col">Evidence sha256</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-testid="behavior-run" data-label={r.label}>
                  <td>
                    <span className="mono">#{r.id}</span> {r.label}
                    <div className="muted behavior-sub">{r.sourceName}</div>
                  </td>
                  <td>
                    <Badge tone={r.role === 'suspect' ? 'warn' : r.role === 'baseline' ? 'info' : 'neutral'}>
                      {r.role}
                    </Badge>
                  </td>
                  <td>{r.format}</td>
                  <td className="num">{r.items.toLocaleString('en-US')}</td>
                  <td>
                    <Hash value={r.sha256} head={10} tail={4} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const marginInRange = (margin: number): boolean => margin > 0 && margin < 1;

/** Why the form cannot compare yet (the first reason that applies), or null when it can. */
export function compareProblem(
  runCount: number,
  baseline: number | null,
  suspect: number | null,
  margin: number,
): string | null {
  if (runCount < 2) return 'Import two runs to compare.';
  if (baseline === null || suspect === null) return 'Pick the baseline and the suspect runs.';
  if (baseline === suspect) return 'The baseline and the suspect must be different runs.';
  if (!marginInRange(margin)) return 'The margin must be between 0 and 100.';
  return null;
}

function CompareForm({
  caseId,
  runs,
  busy,
  onCompare,
}: {
  caseId: string;
  runs: BehaviorRun[];
  busy: boolean;
  /** Runs the comparison; the screen holds its result or its error. */
  onCompare: (args: ArgsOf<'behavior:compare'>) => Promise<void>;
}) {
  const [baseline, setBaseline] = useState<number | null>(null);
  const [suspect, setSuspect] = useState<number | null>(null);
  const [margin, setMargin] = useState('5');
  const [marginKind, setMarginKind] = useState<'points' | 'relative'>('points');
  const [confidence, setConfidence] = useState('0.95');
  const [defaultPhrases, setDefaultPhrases] = useState<string | null>(null);
  const [phrases, setPhrases] = useState('');
  useEffect(() => {
    api.refusalPhrases().then(
      (r) => {
        const text = r.phrases.join('\n');
        setDefaultPhrases(text);
        setPhrases((p) => (p === '' ? text : p));
      },
      () => setDefaultPhrases(null),
    );
  }, []);
  const phrasesEdited = defaultPhrases !== null && phrases.trim() !== defaultPhrases.trim();
  const b = baseline ?? runs.find((r) => r.role === 'baseline')?.id ?? null;
  const s = suspect ?? runs.find((r) => r.role === 'suspect')?.id ?? null;
  const marginNumber = Number(margin) / 100;
  const marginBad = !marginInRange(marginNumber);
  const problem = compareProblem(runs.length, b, s, marginNumber);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (problem || b === null || s === null) return;
    void onCompare({
      caseId,
      baseline: `#${b}`,
      suspect: `#${s}`,
      margin: marginNumber,
      marginKind,
      confidence: Number(confidence),
      refusalPhrases: phrasesEdited ? phrases : null,
    });
  };

  const runOptions = runs.map((r) => (
    <option key={r.id} value={r.id}>
      #{r.id} · {r.label} ({r.role})
    </option>
  ));
  return (
    <form
      className="toolbar behavior-compare"
      onSubmit={submit}
      noValidate
      aria-label="Compare two runs"
      data-testid="behavior-compare-form"
    >
      <RunPicker
        id="behavior-baseline"
        label="Baseline run"
        value={b}
        onChange={setBaseline}
        disabled={busy || runs.length === 0}
        options={runOptions}
      />
      <RunPicker
        id="behavior-suspect"
        label="Suspect run"
        value={s}
        onChange={setSuspect}
        disabled={busy || runs.length === 0}
        options={runOptions}
      />
      <div className="field behavior-narrow">
        <label htmlFor="behavior-margin">Margin</label>
        <input
          id="behavior-margin"
          type="number"
          min="0.1"
          max="99"
          step="any"
          value={margin}
          onChange={(e) => setMargin(e.target.value)}
          aria-invalid={marginBad}
          aria-describedby="behavior-margin-unit"
          disabled={busy}
        />
        <span id="behavior-margin-unit" className="behavior-unit">
          {marginKind === 'points' ? 'points' : '% of baseline'}
        </span>
      </div>
      <div className="field">
        <label htmlFor="behavior-margin-kind">Margin kind</label>
        <select
          id="behavior-margin-kind"
          value={marginKind}
          onChange={(e) => setMarginKind(e.target.value as 'points' | 'relative')}
          disabled={busy}
        >
          <option value="points">points (absolute)</option>
          <option value="relative">% of the baseline rate</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="behavior-confidence">Confidence</label>
        <select
          id="behavior-confidence"
          value={confidence}
          onChange={(e) => setConfidence(e.target.value)}
          disabled={busy}
        >
          <option value="0.9">90%</option>
          <option value="0.95">95%</option>
          <option value="0.99">99%</option>
        </select>
      </div>
      <button
        type="submit"
        className="btn btn-primary behavior-row-button"
        disabled={busy || problem !== null}
      >
        {busy ? (
          <>
            <Spinner label="Comparing" /> Comparing…
          </>
        ) : (
          'Compare runs'
        )}
      </button>
      {problem && runs.length > 0 ? <span className="muted behavior-row-note">{problem}</span> : null}
      <details className="behavior-phrases">
        <summary>
          Refusal phrases
          {phrasesEdited ? ' (edited: heuristic refusals are re-decided with this list)' : ' (default)'}
        </summary>
        <div className="field">
          <label htmlFor="behavior-phrases">
            One phrase per line, matched in the opening of each response; lines starting with # are comments.
            Labelled refusals always stand.
          </label>
          <textarea
            id="behavior-phrases"
            className="mono-input behavior-phrases-text"
            rows={8}
            value={phrases}
            onChange={(e) => setPhrases(e.target.value)}
            spellCheck={false}
            disabled={busy}
          />
        </div>
        {phrasesEdited ? (
          <button type="button" className="btn btn-small" onClick={() => setPhrases(defaultPhrases ?? '')}>
            Back to the default list
          </button>
        ) : null}
      </details>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// The comparison

function ComparisonView({
  caseId,
  report,
  selection,
  onSelect,
}: {
  caseId: string;
  report: BehaviorComparison;
  selection: Selection;
  onSelect: (s: Selection) => void;
}) {
  const o = report.options;
  const p = report.pairing;
  const suites = report.groups.filter((g) => g.category === null);
  const suite = selection.suite ?? suites[0]?.suite ?? null;
  return (
    <div className="behavior-result" data-testid="behavior-result">
      <p className="muted behavior-method" data-testid="behavior-method">
        <strong>{report.baseline.label}</strong> (baseline, #{report.baseline.id}) vs{' '}
        <strong>{report.suspect.label}</strong> (suspect, #{report.suspect.id}) ·{' '}
        {p.pairs.toLocaleString('en-US')} pairs by {p.key}
        {p.unmatchedBaseline + p.unmatchedSuspect > 0
          ? ` · unmatched ${p.unmatchedBaseline} baseline, ${p.unmatchedSuspect} suspect`
          : ''}{' '}
        · margin ±
        {o.marginKind === 'points'
          ? `${(o.margin * 100).toFixed(1)} points`
          : `${(o.margin * 100).toFixed(1)}% of the baseline`}{' '}
        · {level(o.confidence)} Wilson intervals, Newcombe paired difference, exact McNemar
        {o.refusalPhrases
          ? ` · refusals re-decided with the ${o.refusalPhrases.source} (sha256 ${o.refusalPhrases.sha256.slice(0, 12)}…, ${report.refusalsRedecided} changed)`
          : ''}{' '}
        · recorded as <span className="mono">{report.findingsRunId.slice(0, 17)}…</span> (custody event #
        {report.custodySeq})
      </p>
      {report.comparability.map((w) => (
        <p key={w} className="field-error" role="note">
          Not comparable as is: {w}
        </p>
      ))}
      <VerificationTable checks={report.checks} />
      <section className="integrity-section" aria-labelledby="behavior-groups-heading">
        <header className="integrity-section-header">
          <h3 id="behavior-groups-heading">Rates by category</h3>
          <div className="behavior-suite-tabs" role="group" aria-label="Suite">
            {suites.map((g) => (
              <button
                key={g.suite}
                type="button"
                className="chip"
                aria-pressed={g.suite === suite}
                onClick={() => onSelect({ suite: g.suite, category: null, transition: null })}
                data-testid={`suite-${g.suite}`}
              >
                {g.suite}
              </button>
            ))}
          </div>
        </header>
        {suite ? (
          <SuiteView
            report={report}
            suite={suite}
            category={selection.category}
            onCategory={(category) => onSelect({ suite, category, transition: null })}
          />
        ) : null}
      </section>
      {suite ? (
        <PairedSection
          caseId={caseId}
          report={report}
          selection={{ ...selection, suite }}
          onSelect={onSelect}
        />
      ) : null}
      <TriggerHeatmap report={report} />
    </div>
  );
}

function VerificationTable({ checks }: { checks: BehaviorCheck[] }) {
  return (
    <section className="integrity-section" aria-labelledby="behavior-verification-heading">
      <header className="integrity-section-header">
        <h3 id="behavior-verification-heading">Behavioral verification</h3>
      </header>
      <div className="table-wrap">
        <table className="table verification-table" data-testid="behavior-verification">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Criterion</th>
              <th scope="col">Status</th>
              <th scope="col">The numbers behind it</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((c) => (
              <tr
                key={c.id}
                data-testid={`bcheck-${c.id}`}
                className={c.status === 'fail' ? 'row-bad' : undefined}
              >
                <th scope="row">{c.title}</th>
                <td className="muted">{c.criterion}</td>
                <td>
                  <CheckBadge status={c.status} testId={`bcheck-status-${c.id}`} />
                </td>
                <td>
                  <div>{c.summary}</div>
                  {c.evidence.length ? (
                    <ul className="behavior-evidence">
                      {c.evidence.map((e) => (
                        <li key={`${e.suite}-${e.metric}`}>
                          <span className="mono">{e.suite}</span> {e.metric}:{' '}
                          {fmtMetric(e.metric, e.baseline)} → {fmtMetric(e.metric, e.suspect)} (n {e.n}, Δ{' '}
                          {fmtDelta(e.metric, e.difference)}, test interval{' '}
                          {fmtDelta(e.metric, e.testInterval.lower)} to{' '}
                          {fmtDelta(e.metric, e.testInterval.upper)}, margin ±{fmtMetric(e.metric, e.margin)})
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  {c.worse.length ? (
                    <ul className="behavior-evidence behavior-worse">
                      {c.worse.map((w) => (
                        <li key={`${w.suite}-${w.category ?? ''}-${w.metric}`}>
                          <Badge tone={VERDICT_TONE[w.verdict] ?? 'neutral'}>{w.verdict}</Badge> {w.reason}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const fmtMetric = (metric: string, v: number): string => (metric === 'score' ? v.toFixed(3) : pct(v));
const fmtDelta = (metric: string, v: number): string =>
  metric === 'score' ? `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(3)}` : `${signedPts(v)} pts`;

/** The binary metric a group is read by: refusal where the suite judged refusals, else pass. */
function binaryOf(g: GroupComparisonView): BinaryComparisonView | null {
  return g.refusal ?? g.pass;
}

interface BarDatum {
  category: string;
  label: string;
  baseline: number;
  suspect: number;
  baselineErr: [number, number];
  suspectErr: [number, number];
  cmp: BinaryComparisonView;
}

function SuiteView({
  report,
  suite,
  category,
  onCategory,
}: {
  report: BehaviorComparison;
  suite: string;
  category: string | null;
  onCategory: (c: string | null) => void;
}) {
  const rows = report.groups.filter((g) => g.suite === suite);
  const whole = rows.find((g) => g.category === null);
  const cats = rows.filter((g) => g.category !== null);
  const metric = whole ? (whole.refusal ? 'refusal' : whole.pass ? 'pass' : null) : null;
  const data: BarDatum[] = cats.flatMap((g) => {
    const c = binaryOf(g);
    if (!c) return [];
    return [
      {
        category: g.category ?? '',
        label: `${g.category ?? ''} (n ${c.n})`,
        baseline: c.baseline.estimate,
        suspect: c.suspect.estimate,
        baselineErr: [c.baseline.estimate - c.baseline.lower, c.baseline.upper - c.baseline.estimate],
        suspectErr: [c.suspect.estimate - c.suspect.lower, c.suspect.upper - c.suspect.estimate],
        cmp: c,
      },
    ];
  });
  const method = data[0]?.cmp.baseline.method ?? 'Wilson score interval';
  const width = Math.max(520, 90 + data.length * 150);
  const metricName = metric === 'refusal' ? 'Refusal rate' : 'Pass rate';
  const lows = data.flatMap((d) => [d.cmp.baseline.lower, d.cmp.suspect.lower]);
  const floor = lows.length ? Math.max(0, Math.floor(Math.min(...lows) * 10) / 10 - 0.1) : 0;
  return (
    <div className="behavior-suite" data-testid="behavior-suite" data-suite={suite}>
      {data.length > 0 ? (
        <figure className="behavior-chart" data-testid="behavior-rate-chart">
          <figcaption className="heatmap-caption">
            <span>
              {metricName} per category, baseline vs suspect · whiskers: {level(report.options.confidence)}{' '}
              {method}
              {floor > 0 ? ` · axis from ${pct(floor, 0)}` : ''}
            </span>
            <span className="heatmap-legend" aria-hidden="true">
              <span className="legend-swatch legend-baseline" /> {report.baseline.label}
              <span className="legend-swatch legend-suspect" /> {report.suspect.label}
            </span>
          </figcaption>
          <div
            className="heatmap-scroll"
            role="img"
            aria-label={`${metricName} by category in ${suite}: ${data
              .map(
                (d) => `${d.category} baseline ${pct(d.baseline)}, suspect ${pct(d.suspect)}, n ${d.cmp.n}`,
              )
              .join('; ')}`}
          >
            <BarChart
              width={width}
              height={280}
              data={data}
              margin={{ top: 12, right: 16, bottom: 8, left: 8 }}
            >
              <CartesianGrid {...H_GRID} />
              <XAxis
                dataKey="label"
                tick={{ fill: 'var(--text-muted)', fontSize: 12 }}
                axisLine={{ stroke: 'var(--border-strong)' }}
                tickLine={false}
                interval={0}
              />
              <YAxis
                domain={[floor, 1]}
                tickFormatter={(v: number) => pct(v, 0)}
                tick={{ fill: 'var(--text-muted)', fontSize: 11 }}
                axisLine={false}
                tickLine={false}
                width={48}
                allowDataOverflow
              />
              <Tooltip
                cursor={{ fill: 'var(--bg-hover)' }}
                isAnimationActive={false}
                content={({ active, payload }) => {
                  const d = active ? (payload?.[0]?.payload as BarDatum | undefined) : undefined;
                  if (!d) return null;
                  const c = d.cmp;
                  return (
                    <div className="chart-tooltip">
                      <div>
                        <strong>{d.category}</strong> · n {c.n} pairs
                      </div>
                      <div>
                        baseline {pct(c.baseline.estimate)} ({pct(c.baseline.lower)}–{pct(c.baseline.upper)})
                      </div>
                      <div>
                        suspect {pct(c.suspect.estimate)} ({pct(c.suspect.lower)}–{pct(c.suspect.upper)})
                      </div>
                      <div className="muted">
                        Δ {signedPts(c.difference.estimate)} pts · McNemar p {pValue(c.mcnemar.pValue)} ·{' '}
                        {c.verdict}
                      </div>
                    </div>
                  );
                }}
              />
              <Bar
                dataKey="baseline"
                name={report.baseline.label}
                fill="var(--series-baseline)"
                isAnimationActive={false}
                onClick={(d: { payload?: BarDatum }) => d.payload && onCategory(d.payload.category)}
              >
                <ErrorBar dataKey="baselineErr" stroke="var(--text)" strokeWidth={1.2} width={6} />
              </Bar>
              <Bar
                dataKey="suspect"
                name={report.suspect.label}
                fill="var(--series-suspect)"
                isAnimationActive={false}
                onClick={(d: { payload?: BarDatum }) => d.payload && onCategory(d.payload.category)}
              >
                <ErrorBar dataKey="suspectErr" stroke="var(--text)" strokeWidth={1.2} width={6} />
              </Bar>
            </BarChart>
          </div>
        </figure>
      ) : null}
      <div className="table-wrap">
        <table className="table behavior-groups" data-testid="behavior-groups">
          <caption className="offscreen">Paired comparison of {suite} by category</caption>
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col" className="num">
                n
              </th>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                Baseline ({level(report.options.confidence)} CI)
              </th>
              <th scope="col" className="num">
                Suspect ({level(report.options.confidence)} CI)
              </th>
              <th scope="col" className="num">
                Suspect − baseline (Newcombe)
              </th>
              <th scope="col" className="num">
                McNemar p
              </th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>{rows.flatMap((g) => groupRows(g, category, onCategory))}</tbody>
        </table>
      </div>
    </div>
  );
}

function groupRows(
  g: GroupComparisonView,
  selected: string | null,
  onCategory: (c: string | null) => void,
): ReactNode[] {
  const name = g.category ?? `all of ${g.suite}`;
  const isSelected = g.category === selected;
  const select = (
    <button
      type="button"
      className="link-button"
      aria-pressed={isSelected}
      onClick={() => onCategory(g.category)}
      data-testid={`group-${g.suite}-${g.category ?? 'all'}`}
    >
      {name}
    </button>
  );
  const out: ReactNode[] = [];
  const binaries = [g.refusal, g.pass].filter((c): c is BinaryComparisonView => c !== null);
  for (const c of binaries)
    out.push(
      <tr
        key={`${g.category ?? ''}-${c.metric}`}
        className={`${isSelected ? 'row-selected' : ''} ${c.verdict === 'lower' || c.verdict === 'higher' ? 'row-bad' : ''}`}
        data-testid="behavior-group-row"
        data-category={g.category ?? ''}
        data-metric={c.metric}
      >
        <td>{select}</td>
        <td className="num">{c.n}</td>
        <td>{c.metric}</td>
        <td className="num">
          {pct(c.baseline.estimate)}{' '}
          <span className="muted">
            ({pct(c.baseline.lower)}–{pct(c.baseline.upper)})
          </span>
        </td>
        <td className="num">
          {pct(c.suspect.estimate)}{' '}
          <span className="muted">
            ({pct(c.suspect.lower)}–{pct(c.suspect.upper)})
          </span>
        </td>
        <td className="num">
          {signedPts(c.difference.estimate)}{' '}
          <span className="muted">
            ({signedPts(c.difference.lower)} to {signedPts(c.difference.upper)})
          </span>
        </td>
        <td className="num">{pValue(c.mcnemar.pValue)}</td>
        <td>
          <Badge tone={VERDICT_TONE[c.verdict] ?? 'neutral'} title={c.reason}>
            {c.verdict}
          </Badge>
        </td>
      </tr>,
    );
  if (g.score) {
    const s = g.score;
    const f = (x: number) => x.toFixed(3);
    out.push(
      <tr key={`${g.category ?? ''}-score`} className={isSelected ? 'row-selected' : ''}>
        <td>{select}</td>
        <td className="num">{s.n}</td>
        <td>score</td>
        <td className="num">
          {f(s.baseline.estimate)}{' '}
          <span className="muted">
            ({f(s.baseline.lower)}–{f(s.baseline.upper)})
          </span>
        </td>
        <td className="num">
          {f(s.suspect.estimate)}{' '}
          <span className="muted">
            ({f(s.suspect.lower)}–{f(s.suspect.upper)})
          </span>
        </td>
        <td className="num">
          {fmtDelta('score', s.difference.estimate)}{' '}
          <span className="muted">
            ({fmtDelta('score', s.difference.lower)} to {fmtDelta('score', s.difference.upper)}, t)
          </span>
        </td>
        <td className="num muted">—</td>
        <td>
          <Badge tone={VERDICT_TONE[s.verdict] ?? 'neutral'} title={s.reason}>
            {s.verdict}
          </Badge>
        </td>
      </tr>,
    );
  }
  if (out.length === 0)
    out.push(
      <tr key={`${g.category ?? ''}-none`}>
        <td>{select}</td>
        <td className="num">{g.pairs}</td>
        <td colSpan={5} className="muted">
          no judged metric
        </td>
        <td>
          <Badge tone="neutral">not analysed</Badge>
        </td>
      </tr>,
    );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paired items: the discordance matrix, the score deltas and the list

const PAGE = 100;

function PairedSection({
  caseId,
  report,
  selection,
  onSelect,
}: {
  caseId: string;
  report: BehaviorComparison;
  selection: Selection;
  onSelect: (s: Selection) => void;
}) {
  const { state: page, load: loadPage } = useLoadable<BehaviorItemsPage>();
  const [items, setItems] = useState<(BehaviorItemPair | undefined)[]>([]);
  const loading = useRef(new Set<number>());
  const baseline = `#${report.baseline.id}`;
  const suspect = `#${report.suspect.id}`;
  const filter = useMemo(
    () => ({ suite: selection.suite, category: selection.category, transition: selection.transition }),
    [selection.suite, selection.category, selection.transition],
  );
  const generation = useRef(0);

  useEffect(() => {
    const gen = ++generation.current;
    loading.current = new Set([0]);
    void loadPage(() => api.behaviorItems({ caseId, baseline, suspect, filter, offset: 0, limit: PAGE }), {
      keep: true,
    }).then((p) => {
      if (!p || gen !== generation.current) return;
      const list: (BehaviorItemPair | undefined)[] = new Array<BehaviorItemPair | undefined>(p.total);
      p.items.forEach((it, i) => (list[i] = it));
      setItems(list);
    });
  }, [caseId, baseline, suspect, filter, report.findingsRunId, loadPage]);

  const need = useCallback(
    (index: number) => {
      const start = Math.floor(index / PAGE) * PAGE;
      if (loading.current.has(start)) return;
      loading.current.add(start);
      const gen = generation.current;
      api.behaviorItems({ caseId, baseline, suspect, filter, offset: start, limit: PAGE }).then(
        (p) => {
          if (gen !== generation.current) return;
          setItems((prev) => {
            const next = prev.slice();
            p.items.forEach((it, i) => (next[start + i] = it));
            return next;
          });
        },
        () => loading.current.delete(start),
      );
    },
    [caseId, baseline, suspect, filter],
  );

  const where = selection.category
    ? `${selection.suite} / ${selection.category}`
    : `all of ${selection.suite}`;
  const t = page.data?.transitions;
  return (
    <section
      className="integrity-section"
      aria-labelledby="behavior-paired-heading"
      data-testid="behavior-paired"
    >
      <header className="integrity-section-header">
        <h3 id="behavior-paired-heading">Paired items · {where}</h3>
        {selection.category ? (
          <button
            type="button"
            className="link-button"
            onClick={() => onSelect({ ...selection, category: null, transition: null })}
          >
            show all of {selection.suite}
          </button>
        ) : null}
      </header>
      {page.error ? <ErrorPanel title="Could not read the paired items" message={page.error} /> : null}
      <div className="behavior-pair-figures">
        <DiscordanceMatrix
          counts={t ?? null}
          selected={selection.transition}
          onPick={(transition) =>
            onSelect({ ...selection, transition: selection.transition === transition ? null : transition })
          }
        />
        <ScoreHistogram deltas={page.data?.scoreDeltas ?? null} where={where} />
      </div>
      <p className="muted behavior-list-caption" data-testid="behavior-items-count" aria-live="polite">
        {page.data
          ? `${page.data.total.toLocaleString('en-US')} pair${page.data.total === 1 ? '' : 's'}${selection.transition ? ` · ${selection.transition.replace('→', ' → ')}` : ''} · baseline left, suspect right; changed words highlighted`
          : page.loading
            ? 'Loading…'
            : ''}
        {selection.transition ? (
          <>
            {' '}
            <button
              type="button"
              className="link-button"
              onClick={() => onSelect({ ...selection, transition: null })}
            >
              clear the filter
            </button>
          </>
        ) : null}
      </p>
      <ItemList items={items} need={need} labels={[report.baseline.label, report.suspect.label]} />
    </section>
  );
}

function DiscordanceMatrix({
  counts,
  selected,
  onPick,
}: {
  counts: BehaviorItemsPage['transitions'] | null;
  selected: BehaviorTransition | null;
  onPick: (t: BehaviorTransition) => void;
}) {
  const cell = (t: BehaviorTransition, tone: string) => {
    const n = counts?.[t] ?? 0;
    const label = TRANSITIONS.find((x) => x.id === t)?.label ?? t;
    return (
      <td className={`matrix-cell matrix-${tone}${selected === t ? ' matrix-selected' : ''}`}>
        <button
          type="button"
          aria-pressed={selected === t}
          onClick={() => onPick(t)}
          data-testid={`matrix-${t}`}
          disabled={counts === null}
          aria-label={`${label}: ${n} pairs${selected === t ? ' (filtering the list)' : ''}`}
        >
          <span className="matrix-n">{n.toLocaleString('en-US')}</span>
          <span className="matrix-label">{label}</span>
        </button>
      </td>
    );
  };
  return (
    <figure className="behavior-matrix" data-testid="discordance-matrix">
      <figcaption className="heatmap-caption">
        Discordance (refusal) · click a cell to filter the items
        {counts && counts.undetermined > 0 ? ` · ${counts.undetermined} undetermined` : ''}
      </figcaption>
      <table>
        <thead>
          <tr>
            <td />
            <th scope="col">suspect refused</th>
            <th scope="col">suspect complied</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">baseline refused</th>
            {cell('both-refused', 'same')}
            {cell('refused→complied', 'bad')}
          </tr>
          <tr>
            <th scope="row">baseline complied</th>
            {cell('complied→refused', 'warn')}
            {cell('both-complied', 'same')}
          </tr>
        </tbody>
      </table>
    </figure>
  );
}

function ScoreHistogram({ deltas, where }: { deltas: number[] | null; where: string }) {
  const bins = useMemo(() => {
    if (!deltas || deltas.length === 0) return null;
    const lo = Math.min(-0.05, ...deltas);
    const hi = Math.max(0.05, ...deltas);
    const span = Math.max(Math.abs(lo), Math.abs(hi));
    const count = 21;
    const step = (2 * span) / count;
    const out = Array.from({ length: count }, (_, i) => {
      const from = -span + i * step;
      return { from, to: from + step, mid: from + step / 2, n: 0 };
    });
    for (const d of deltas) {
      const i = Math.min(count - 1, Math.max(0, Math.floor((d + span) / step)));
      out[i]!.n++;
    }
    return out;
  }, [deltas]);
  if (!bins || !deltas)
    return (
      <figure className="behavior-hist" data-testid="score-histogram">
        <figcaption className="heatmap-caption">Score deltas</figcaption>
        <p className="muted">No paired scores in {where}: the histogram needs suites with scores.</p>
      </figure>
    );
  const mean = deltas.reduce((a, b) => a + b, 0) / deltas.length;
  const unchanged = deltas.filter((d) => d === 0).length;
  return (
    <figure className="behavior-hist" data-testid="score-histogram">
      <figcaption className="heatmap-caption">
        Score delta (suspect − baseline) per pair · n {deltas.length} · mean {mean >= 0 ? '+' : '−'}
        {Math.abs(mean).toFixed(3)} · {unchanged} unchanged
      </figcaption>
      <div
        role="img"
        aria-label={`Histogram of ${deltas.length} score deltas, mean ${mean.toFixed(3)}, ${unchanged} unchanged`}
      >
        <BarChart width={420} height={200} data={bins} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid {...H_GRID} />
          <XAxis
            dataKey="mid"
            tickFormatter={(v: number) => (Math.abs(v) < 1e-9 ? '0' : v.toFixed(2))}
            {...BOTTOM_AXIS}
            interval={4}
          />
          <YAxis {...COUNT_AXIS} width={36} />
          <Tooltip
            cursor={{ fill: 'var(--bg-hover)' }}
            isAnimationActive={false}
            content={({ active, payload }) => {
              const b = active ? (payload?.[0]?.payload as (typeof bins)[number] | undefined) : undefined;
              if (!b) return null;
              return (
                <div className="chart-tooltip">
                  {b.from.toFixed(3)} to {b.to.toFixed(3)}: {b.n} pairs
                </div>
              );
            }}
          />
          <Bar dataKey="n" fill="var(--series-suspect)" isAnimationActive={false} />
        </BarChart>
      </div>
    </figure>
  );
}

// A fixed row height keeps the windowing exact; long responses scroll inside their cell.
const ROW_H = 170;
const LIST_H = 570;
const OVERSCAN = 3;

function ItemList({
  items,
  need,
  labels,
}: {
  items: (BehaviorItemPair | undefined)[];
  need: (index: number) => void;
  labels: [string, string];
}) {
  // The scroll position belongs to the list it was read on: a new list starts at the top.
  const [scroll, setScroll] = useState({ length: items.length, top: 0 });
  const top = scroll.length === items.length ? scroll.top : 0;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = 0;
  }, [items.length]);
  const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((top + LIST_H) / ROW_H) + OVERSCAN);
  useEffect(() => {
    for (let i = first; i < last; i++) if (!items[i]) need(i);
  }, [first, last, items, need]);
  if (items.length === 0)
    return (
      <p className="muted" data-testid="behavior-items-empty">
        No pairs match.
      </p>
    );
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const it = items[i];
    rows.push(
      <div
        key={i}
        className="pair-row"
        style={{ top: i * ROW_H, height: ROW_H }}
        role="listitem"
        aria-setsize={items.length}
        aria-posinset={i + 1}
        data-testid="behavior-item"
      >
        {it ? <PairRow item={it} labels={labels} /> : <p className="muted">Loading…</p>}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      className="pair-list"
      style={{ height: Math.min(LIST_H, items.length * ROW_H + 2) }}
      onScroll={(e) => setScroll({ length: items.length, top: e.currentTarget.scrollTop })}
      tabIndex={0}
      role="list"
      aria-label={`${items.length} paired items; scroll with the arrow keys`}
      data-testid="behavior-items"
    >
      <div style={{ height: items.length * ROW_H, position: 'relative' }}>{rows}</div>
    </div>
  );
}

function sideTag(refused: boolean | null, passed: boolean | null, score: number | null): string {
  const parts = [refused === null ? 'refusal ?' : refused ? 'refused' : 'complied'];
  if (passed !== null) parts.push(passed ? 'pass' : 'fail');
  if (score !== null) parts.push(`score ${score.toFixed(2)}`);
  return parts.join(' · ');
}

function PairRow({ item, labels }: { item: BehaviorItemPair; labels: [string, string] }) {
  const diff = useMemo(() => wordDiff(item.baseline.response, item.suspect.response), [item]);
  const flipped =
    item.baseline.refused !== null &&
    item.suspect.refused !== null &&
    item.baseline.refused !== item.suspect.refused;
  return (
    <div className={`pair${flipped ? ' pair-flipped' : ''}`}>
      <div className="pair-prompt">
        <span className="pair-meta">
          <span className="mono">{item.baseline.id}</span> · {item.suite}/{item.category}
          {item.trigger ? (
            <>
              {' '}
              · trigger <span className="mono">{item.trigger}</span>
            </>
          ) : null}
        </span>
        <span className="pair-prompt-text">{item.prompt}</span>
      </div>
      <div className="pair-side">
        <div className="pair-side-head">
          {labels[0]} · {sideTag(item.baseline.refused, item.baseline.passed, item.baseline.score)}
        </div>
        <Diffed parts={diff.a} />
      </div>
      <div className="pair-side">
        <div className={`pair-side-head${flipped ? ' text-bad' : ''}`}>
          {labels[1]} · {sideTag(item.suspect.refused, item.suspect.passed, item.suspect.score)}
        </div>
        <Diffed parts={diff.b} />
      </div>
    </div>
  );
}

function Diffed({ parts }: { parts: DiffPart[] }) {
  return (
    <div className="pair-text">
      {parts.map((p, i) =>
        p.kind === 'same' ? (
          <span key={i}>{p.text}</span>
        ) : p.kind === 'removed' ? (
          <del key={i} className="diff-removed">
            {p.text}
          </del>
        ) : (
          <ins key={i} className="diff-added">
            {p.text}
          </ins>
        ),
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Trigger scan

function TriggerHeatmap({ report }: { report: BehaviorComparison }) {
  const rows = report.triggers;
  const max = Math.max(
    0.0001,
    ...rows.flatMap((t) => [t.baseline, t.suspect].map((c) => (c.n ? c.flips / c.n : 0))),
  );
  const cell = (t: TriggerRow, side: 'baseline' | 'suspect') => {
    const c = t[side];
    if (!c.interval || c.n === 0)
      return (
        <td className="trigger-cell trigger-na" data-testid={`trigger-${side}`}>
          n/a
        </td>
      );
    const rate = c.flips / c.n;
    const share = rate / max;
    return (
      <td
        className="trigger-cell"
        style={{
          background:
            rate === 0
              ? 'var(--bg-sunken)'
              : `color-mix(in srgb, var(--bad) ${Math.round(15 + 70 * share)}%, var(--bg-raised))`,
          color: share > 0.55 ? 'var(--bg-raised)' : 'var(--text)',
        }}
        title={`${c.flips}/${c.n} flipped: ${pct(c.interval.estimate)} (${pct(c.interval.lower)}–${pct(c.interval.upper)}, ${c.interval.method})`}
        data-testid={`trigger-${side}`}
      >
        <strong>{pct(rate)}</strong>
        <span className="trigger-n">
          {c.flips}/{c.n} · {pct(c.interval.lower)}–{pct(c.interval.upper)}
        </span>
      </td>
    );
  };
  return (
    <section
      className="integrity-section"
      aria-labelledby="behavior-triggers-heading"
      data-testid="behavior-triggers"
    >
      <header className="integrity-section-header">
        <h3 id="behavior-triggers-heading">Trigger scan</h3>
        <span className="muted">
          suites: {report.triggerSuites.join(', ') || 'none'} · {report.triggerRule}
        </span>
      </header>
      {rows.length === 0 ? (
        <p className="muted">No trigger-scan variants in these runs: trigger scanning is not analysed.</p>
      ) : (
        <div className="table-wrap">
          <table className="table trigger-heatmap" aria-describedby="behavior-triggers-heading">
            <thead>
              <tr>
                <th scope="col">Trigger</th>
                <th scope="col">{report.baseline.label} (baseline) flip rate</th>
                <th scope="col">{report.suspect.label} (suspect) flip rate</th>
                <th scope="col">Flagged</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr
                  key={t.trigger}
                  data-testid="trigger-row"
                  data-trigger={t.trigger}
                  data-flagged={String(t.flagged)}
                >
                  <th scope="row" className="mono">
                    {t.flagged ? (
                      <span className="trigger-flag" aria-hidden="true">
                        ⚑{' '}
                      </span>
                    ) : null}
                    {t.trigger}
                  </th>
                  {cell(t, 'baseline')}
                  {cell(t, 'suspect')}
                  <td>
                    {t.flagged === null ? (
                      <Badge tone="warn">not analysed</Badge>
                    ) : t.flagged ? (
                      <Badge tone="bad" testId="trigger-flagged">
                        flagged
                      </Badge>
                    ) : (
                      <Badge tone="ok">no</Badge>
                    )}
                    <div className="muted behavior-sub">{t.reason}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** One of the compare form's two run selects. */
function RunPicker(props: {
  id: string;
  label: string;
  value: number | null;
  onChange: (run: number) => void;
  disabled: boolean;
  options: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(Number(e.target.value))}
        disabled={props.disabled}
      >
        {props.value === null ? <option value="">—</option> : null}
        {props.options}
      </select>
    </div>
  );
}
