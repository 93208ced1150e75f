/**
 * The Integrity stage: the playbook's Integrity Verification (four checks) against a known-good
 * baseline case, the provenance chain with its compromise point, and the weight diff as a heatmap
 * of layers × tensor roles. Every run is recorded by the host (findings + a custody event).
 */
import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import type {
  IntegrityCheck,
  IntegrityItem,
  IntegrityRun,
  IntegrityRunOptions,
  IntegrityStatus,
  ProvenanceHashChange,
  ProvenanceResult,
  ProvenanceStepResult,
  WeightDiffResult,
} from '../../../shared/integrity';
import { api } from '../api/client';
import { Badge, EmptyState, ErrorPanel, Hash, Spinner, type Tone } from '../components/Bits';
import { utc } from '../format';
import { useLoadable, type Loadable } from '../loadable';
import { useStore } from '../store';
import { WeightHeatmap, ChangedTensors } from './WeightDiff';

const STATUS_TONE: Record<IntegrityStatus, Tone> = { pass: 'ok', fail: 'bad', 'not-analysed': 'warn' };
const STATUS_TEXT: Record<IntegrityStatus, string> = {
  pass: 'pass',
  fail: 'fail',
  'not-analysed': 'not analysed',
};

export function StatusBadge({ status, testId }: { status: IntegrityStatus; testId?: string }) {
  return (
    <Badge
      tone={STATUS_TONE[status]}
      testId={testId}
      title={status === 'not-analysed' ? 'Nothing could be compared: this is not a pass' : undefined}
    >
      {STATUS_TEXT[status]}
    </Badge>
  );
}

/** The obvious baseline: a case titled as the known-good reference. */
function pickDefaultBaseline(cases: { id: string; title: string }[], caseId: string): string {
  const others = cases.filter((c) => c.id !== caseId);
  return others.find((c) => /known-good|reference|baseline/i.test(c.title))?.id ?? '';
}

export function IntegrityScreen({ caseId }: { caseId: string }) {
  const cases = useStore((s) => s.cases);
  const loadCases = useStore((s) => s.loadCases);
  const loadOverview = useStore((s) => s.loadOverview);
  const [baseline, setBaseline] = useState<string | null>(null);
  const integrity = useLoadable<IntegrityRun>();
  const provenance = useLoadable<ProvenanceResult>();
  const weights = useLoadable<WeightDiffResult>();
  const { load: loadIntegrity } = integrity;
  const { load: loadProvenance } = provenance;
  const { load: loadWeights, reset: resetWeights } = weights;
  const [running, setRunning] = useState(false);
  const [authorized, setAuthorized] = useState('');
  const [approvedConfig, setApprovedConfig] = useState('');
  const info = useStore((s) => s.info);
  const desktop = info.data ? info.data.pathInput === 'dialog' : api.transport === 'ipc';

  useEffect(() => {
    if (!cases.data && !cases.loading) void loadCases();
  }, [cases.data, cases.loading, loadCases]);

  useEffect(() => {
    void loadIntegrity(() => api.latestIntegrity({ caseId }));
  }, [caseId, loadIntegrity]);

  const others = useMemo(() => (cases.data ?? []).filter((c) => c.id !== caseId), [cases.data, caseId]);
  const chosen = baseline ?? pickDefaultBaseline(cases.data ?? [], caseId);

  const run = useCallback(async () => {
    const base = chosen || null;
    setRunning(true);
    const steps: Promise<unknown>[] = [
      loadIntegrity(
        () =>
          api.runIntegrity({
            caseId,
            baselineCaseId: base,
            authorizedAdapters: authorized.trim() === '' ? null : authorized,
            approvedConfig: approvedConfig.trim() === '' ? null : approvedConfig.trim(),
          }),
        { keep: true },
      ),
      loadProvenance(() => api.provenance({ caseId, baselineCaseId: base })),
    ];
    if (base) steps.push(loadWeights(() => api.diffWeights({ caseId, baselineCaseId: base })));
    else resetWeights();
    await Promise.all(steps);
    setRunning(false);
    // The runs were recorded as custody events: refresh the case header's chain line.
    void loadOverview(caseId);
  }, [
    caseId,
    chosen,
    authorized,
    approvedConfig,
    loadOverview,
    loadIntegrity,
    loadProvenance,
    loadWeights,
    resetWeights,
  ]);

  return (
    <section className="screen screen-integrity" aria-labelledby="integrity-heading">
      <div className="screen-header">
        <div>
          <h2 id="integrity-heading">Integrity</h2>
          <p className="muted">
            The playbook’s integrity verification, provenance chain and weight diff, against a known-good
            case.
          </p>
        </div>
      </div>
      <div className="toolbar integrity-toolbar">
        <div className="field field-inline">
          <label htmlFor="integrity-baseline">Baseline (known-good)</label>
          <select
            id="integrity-baseline"
            value={chosen}
            onChange={(e) => setBaseline(e.target.value)}
            disabled={running}
          >
            <option value="">No baseline (the case’s own checksums only)</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id} · {c.title}
              </option>
            ))}
          </select>
        </div>
        {cases.error ? <span className="field-error">Could not list the cases: {cases.error}</span> : null}
      </div>
      <div className="toolbar integrity-toolbar integrity-options">
        <div className="field integrity-option">
          <label htmlFor="integrity-authorized">Authorized adapters</label>
          <textarea
            id="integrity-authorized"
            className="mono-input"
            rows={2}
            value={authorized}
            onChange={(e) => setAuthorized(e.target.value)}
            disabled={running}
            placeholder="support-tune, or name sha256 per line"
            aria-describedby="integrity-authorized-help"
            spellCheck={false}
          />
          <span id="integrity-authorized-help" className="field-help">
            One per line or comma-separated; optional sha256 after a name. Empty: none is authorized.
          </span>
        </div>
        <div className="field integrity-option">
          <label htmlFor="integrity-approved">Approved serving config</label>
          <input
            id="integrity-approved"
            className="mono-input"
            value={approvedConfig}
            onChange={(e) => setApprovedConfig(e.target.value)}
            disabled={running}
            placeholder="/path/to/approved-config.yaml (optional)"
            aria-describedby="integrity-approved-help"
            spellCheck={false}
          />
          {desktop ? (
            <button
              type="button"
              className="btn integrity-browse"
              disabled={running}
              onClick={() =>
                void api.pickBundle({ kind: 'file' }).then(
                  (picked) => picked && setApprovedConfig(picked),
                  () => undefined,
                )
              }
            >
              Browse…
            </button>
          ) : null}
          <span id="integrity-approved-help" className="field-help">
            A file on this workstation; leave empty to compare with the baseline only.
          </span>
        </div>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void run()}
          disabled={running}
          data-testid="integrity-run"
        >
          {running ? (
            <>
              <Spinner label="Running integrity checks" /> Running…
            </>
          ) : (
            'Run integrity checks'
          )}
        </button>
      </div>

      <VerificationSection state={integrity.state} />
      <ProvenanceSection state={provenance.state} />
      <WeightSection
        state={weights.state}
        hasBaseline={chosen !== ''}
        ran={provenance.state.data !== null || provenance.state.loading}
      />
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Verification table

/** The lists the run compared against, so a reader knows what "authorized" meant. */
function RunOptionsLine({ options }: { options: IntegrityRunOptions }) {
  const a = options.authorizedAdapters;
  const c = options.approvedConfig;
  return (
    <p className="muted integrity-note" data-testid="integrity-options">
      <span data-testid="integrity-authorized-used">
        {a ? (
          <>
            authorized: <span className="mono">{a.names.join(', ') || '(empty list)'}</span>{' '}
            <span title={`sha256 ${a.sha256}`}>({a.label})</span>
          </>
        ) : (
          'none given: no adapter is authorized'
        )}
      </span>
      {' · '}
      <span data-testid="integrity-approved-used">
        {c ? (
          <>
            approved config{' '}
            <span className="mono" title={`sha256 ${c.sha256}`}>
              {c.label}
            </span>
          </>
        ) : (
          'no approved config: compared with the baseline only'
        )}
      </span>
    </p>
  );
}

function VerificationSection({ state }: { state: Loadable<IntegrityRun> }) {
  const run = state.data;
  return (
    <section
      className="integrity-section"
      aria-labelledby="verification-heading"
      data-testid="integrity-verification"
    >
      <header className="integrity-section-header">
        <h3 id="verification-heading">Integrity verification</h3>
        {run ? (
          <span className="muted">
            <StatusBadge status={run.status} testId="integrity-overall" />{' '}
            {run.baseline ? (
              <>
                against <span className="mono">{run.baseline}</span>
              </>
            ) : (
              'no baseline'
            )}{' '}
            · {run.source === 'run' ? 'run' : 'recorded'} {utc(run.recordedAt)}
            {run.custodySeq !== null ? ` · custody event #${run.custodySeq}` : ''}
          </span>
        ) : null}
      </header>
      {run?.options ? <RunOptionsLine options={run.options} /> : null}
      {state.error ? <ErrorPanel title="The integrity checks could not run" message={state.error} /> : null}
      {state.loading && !run ? (
        <p className="muted loading-line">
          <Spinner /> Working…
        </p>
      ) : !run ? (
        state.error ? null : (
          <EmptyState title="No integrity run recorded for this case" testId="integrity-empty">
            <p className="muted">Pick the known-good case as the baseline and run the checks.</p>
          </EmptyState>
        )
      ) : (
        <>
          {run.source === 'recorded' ? (
            <p className="muted integrity-note">
              Rebuilt from the recorded findings: each check and its failing items. Run again to see every
              comparison.
            </p>
          ) : null}
          <div className="table-wrap">
            <table className="table verification-table" data-testid="verification-table">
              <thead>
                <tr>
                  <th scope="col" className="col-expander">
                    <span className="offscreen">Expand</span>
                  </th>
                  <th scope="col">Check</th>
                  <th scope="col">Status</th>
                  <th scope="col">Summary</th>
                  <th scope="col" className="num">
                    Fail
                  </th>
                  <th scope="col" className="num">
                    OK
                  </th>
                  <th scope="col" className="num">
                    Notes
                  </th>
                </tr>
              </thead>
              <tbody>
                {run.checks.map((c) => (
                  <CheckRow key={c.check} check={c} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function count(items: IntegrityItem[], status: IntegrityItem['status']): number {
  return items.filter((i) => i.status === status).length;
}

function CheckRow({ check }: { check: IntegrityCheck }) {
  const [open, setOpen] = useState(check.status !== 'pass');
  const [showOk, setShowOk] = useState(false);
  const fails = check.items.filter((i) => i.status === 'fail');
  const notes = check.items.filter((i) => i.status === 'info' || i.status === 'not-analysed');
  const oks = check.items.filter((i) => i.status === 'pass');
  const detailId = `check-${check.check}-details`;
  return (
    <>
      <tr
        className={`check-row${check.status === 'fail' ? ' is-fail' : ''}`}
        data-testid={`check-${check.check}`}
      >
        <td className="col-expander">
          <button
            type="button"
            className="btn btn-ghost btn-icon expander"
            aria-expanded={open}
            aria-controls={detailId}
            aria-label={`${open ? 'Hide' : 'Show'} the reasons for ${check.title}`}
            onClick={() => setOpen(!open)}
          >
            {open ? '▾' : '▸'}
          </button>
        </td>
        <th scope="row">{check.title}</th>
        <td>
          <StatusBadge status={check.status} testId={`check-status-${check.check}`} />
        </td>
        <td>{check.summary}</td>
        <td className="num">{fails.length || <span className="muted">0</span>}</td>
        <td className="num">{oks.length || <span className="muted">0</span>}</td>
        <td className="num">
          {count(check.items, 'info') + count(check.items, 'not-analysed') || (
            <span className="muted">0</span>
          )}
        </td>
      </tr>
      {open ? (
        <tr className="check-details-row">
          <td colSpan={7} id={detailId}>
            <div className="check-details">
              {check.reasons.length ? (
                <>
                  <h4>What was compared</h4>
                  <ul className="plain-list reasons">
                    {check.reasons.map((r, i) => (
                      <li key={i}>{r}</li>
                    ))}
                  </ul>
                </>
              ) : null}
              {fails.length ? (
                <ItemList title={`Failures (${fails.length})`} items={fails} tone="bad" />
              ) : null}
              {notes.length ? <ItemList title={`Notes (${notes.length})`} items={notes} tone="info" /> : null}
              {oks.length ? (
                <>
                  <button
                    type="button"
                    className="link-button"
                    aria-expanded={showOk}
                    onClick={() => setShowOk(!showOk)}
                  >
                    {showOk ? 'Hide' : 'Show'} the {oks.length} ok comparison{oks.length === 1 ? '' : 's'}
                  </button>
                  {showOk ? <ItemList title={`OK (${oks.length})`} items={oks} tone="ok" /> : null}
                </>
              ) : null}
              {check.items.length === 0 && !check.reasons.length ? (
                <p className="muted">Nothing was compared.</p>
              ) : null}
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}

const ITEM_LABEL: Record<IntegrityItem['status'], string> = {
  fail: 'FAIL',
  pass: 'ok',
  info: 'note',
  'not-analysed': 'not analysed',
};
const ITEM_TONE: Record<IntegrityItem['status'], Tone> = {
  fail: 'bad',
  pass: 'ok',
  info: 'info',
  'not-analysed': 'warn',
};

function ItemList({ title, items, tone }: { title: string; items: IntegrityItem[]; tone: Tone }) {
  return (
    <div className={`item-list item-list-${tone}`}>
      <h4>{title}</h4>
      <ul className="plain-list">
        {items.map((i, n) => (
          <li key={n} className="item-line">
            <Badge tone={ITEM_TONE[i.status]}>{ITEM_LABEL[i.status]}</Badge>
            <span className="item-summary">{i.summary}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Provenance chain

const STAGE_LABEL: Record<string, string> = {
  'base-model': 'Base model',
  'fine-tuning': 'Fine-tuning',
  'post-processing': 'Post-processing',
  deployment: 'Deployment',
  runtime: 'Runtime',
};

function ProvenanceSection({ state }: { state: Loadable<ProvenanceResult> }) {
  const r = state.data;
  if (!r && !state.loading && !state.error) return null;
  return (
    <section
      className="integrity-section"
      aria-labelledby="provenance-heading"
      data-testid="integrity-provenance"
    >
      <header className="integrity-section-header">
        <h3 id="provenance-heading">Provenance chain</h3>
        {r ? (
          <span className="muted">
            <StatusBadge status={r.status} /> {r.summary}
          </span>
        ) : null}
      </header>
      {state.error ? (
        <ErrorPanel title="The provenance chain could not be analysed" message={state.error} />
      ) : null}
      {state.loading ? (
        <p className="muted loading-line">
          <Spinner /> Walking the chain…
        </p>
      ) : r ? (
        <ProvenanceView r={r} />
      ) : null}
    </section>
  );
}

function ProvenanceView({ r }: { r: ProvenanceResult }) {
  if (!r.chain)
    return (
      <EmptyState title="No provenance record in the evidence">
        <ul className="plain-list muted">
          {r.reasons.map((x, i) => (
            <li key={i}>{x}</li>
          ))}
        </ul>
      </EmptyState>
    );
  const at = r.compromise?.at ?? null;
  return (
    <>
      <p className="muted integrity-note">
        Record <span className="mono">{r.chain.file}</span> ({r.chain.format}
        {r.chain.model ? `, model ${r.chain.model}` : ''}) · {r.reasons.slice(1).join(' · ')}
      </p>
      <ol
        className="prov-chain"
        aria-label="Provenance chain"
        style={{ gridTemplateColumns: `repeat(${r.steps.length + 1}, minmax(190px, 1fr))` }}
      >
        {r.steps.map((s) => (
          <ProvenanceStep key={s.index} step={s} compromised={at === s.stage && s.diverges} />
        ))}
        <li
          className={`prov-step${at === 'runtime' ? ' is-compromised' : ''}`}
          data-testid="prov-step-runtime"
        >
          <div className="prov-step-head">
            <span className="prov-stage">Runtime</span>
            {r.runtime ? (
              <StatusBadge
                status={at === 'runtime' ? 'fail' : r.runtime.compared > 0 ? 'pass' : 'not-analysed'}
              />
            ) : (
              <StatusBadge status="not-analysed" />
            )}
          </div>
          <p className="prov-desc">The evidence as collected, against the last step’s outputs.</p>
          {r.runtime ? (
            <>
              <p className="prov-counts">
                {r.runtime.compared} file{r.runtime.compared === 1 ? '' : 's'} compared ·{' '}
                {r.runtime.changed.length ? (
                  <span className="text-bad">{r.runtime.changed.length} changed</span>
                ) : (
                  'none changed'
                )}
              </p>
              <HashChanges title="Changed since the last step" list={r.runtime.changed} />
            </>
          ) : null}
          {at === 'runtime' ? <CompromiseMark /> : null}
        </li>
      </ol>
      {r.compromise ? (
        <div className="panel panel-bad compromise" data-testid="compromise-point">
          <strong>Compromise point: {r.compromise.point.name}</strong>
          <dl className="facts compromise-facts">
            <dt>Indicators</dt>
            <dd>{r.compromise.point.indicators}</dd>
            <dt>Investigation focus</dt>
            <dd>{r.compromise.point.investigationFocus}</dd>
            <dt>Where</dt>
            <dd>{STAGE_LABEL[r.compromise.at] ?? r.compromise.at}</dd>
          </dl>
          <h4>Why</h4>
          <ul className="plain-list reasons mono-list">
            {r.compromise.reasons.map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
          {r.compromise.vectors.length ? (
            <table
              className="table table-compact table-in-panel"
              aria-label="Compromise vectors to investigate"
            >
              <thead>
                <tr>
                  <th scope="col">Vector to investigate</th>
                  <th scope="col">Investigation steps</th>
                </tr>
              </thead>
              <tbody>
                {r.compromise.vectors.map((v) => (
                  <tr key={v.vector}>
                    <th scope="row">{v.vector}</th>
                    <td>{v.investigationSteps}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
      {r.otherRecords.some((o) => o.differences.length) || r.chain.problems.length || r.unreadable.length ? (
        <div className="panel panel-warn">
          <strong>Record problems</strong>
          <ul className="problem-list">
            {[
              ...r.chain.problems,
              ...r.unreadable,
              ...r.otherRecords.flatMap((o) => o.differences.map((d) => `${o.file}: ${d}`)),
            ].map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}

function CompromiseMark() {
  return (
    <p className="prov-mark" role="note">
      <span aria-hidden="true">⚑</span> Compromise point
    </p>
  );
}

function ProvenanceStep({ step, compromised }: { step: ProvenanceStepResult; compromised: boolean }) {
  const [open, setOpen] = useState(false);
  const evMatched = step.outputs.filter((o) => o.evidence === 'matched').length;
  const evOther = step.outputs.length - evMatched;
  const baseCompared = step.outputs.filter((o) => o.baseline !== null);
  const baseMatched = baseCompared.filter((o) => o.baseline === 'matched').length;
  const status: IntegrityStatus = step.diverges ? 'fail' : step.compared ? 'pass' : 'not-analysed';
  return (
    <li
      className={`prov-step${compromised ? ' is-compromised' : step.diverges ? ' is-diverging' : ''}`}
      data-testid={`prov-step-${step.stage}`}
    >
      <div className="prov-step-head">
        <span className="prov-stage">
          {step.index}. {STAGE_LABEL[step.stage] ?? step.stage}
        </span>
        <StatusBadge status={status} />
      </div>
      <p className="prov-desc" title={step.description}>
        {step.description || step.title}
      </p>
      {step.performedBy || step.performedAt ? (
        <p className="prov-meta muted">
          {step.performedBy ?? ''}
          {step.performedAt ? ` · ${step.performedAt}` : ''}
        </p>
      ) : null}
      <p className="prov-counts">
        {step.outputs.length} output{step.outputs.length === 1 ? '' : 's'} · evidence {evMatched} match
        {evOther ? <span className="text-warn">, {evOther} differ or missing</span> : null}
        {baseCompared.length ? (
          <>
            {' '}
            · baseline {baseMatched}/{baseCompared.length}
          </>
        ) : null}
      </p>
      <HashChanges title="Changed at this step (expected → observed)" list={step.changed} />
      <HashChanges title="Differ from the source" list={step.sourceChanged} />
      <HashChanges title="Inputs differ from the previous outputs" list={step.inputsChanged} />
      {step.added.length ? (
        <div className="prov-changes">
          <h5>First appear here</h5>
          <ul className="plain-list mono-list">
            {step.added.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {compromised ? <CompromiseMark /> : null}
      {step.outputs.length ? (
        <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide' : 'Show'} outputs
        </button>
      ) : null}
      {open ? (
        <table
          className="table table-compact prov-outputs"
          aria-label={`Outputs of ${STAGE_LABEL[step.stage] ?? step.stage}`}
        >
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Recorded</th>
              <th scope="col">Evidence</th>
              <th scope="col">Baseline</th>
            </tr>
          </thead>
          <tbody>
            {step.outputs.map((o, i) => (
              <tr key={`${o.path ?? ''}-${i}`}>
                <td className="mono-path">{o.path ?? '—'}</td>
                <td>
                  <Hash value={o.sha256} head={8} tail={0} copy={false} />
                </td>
                <td>
                  <Observed value={o.evidence} hash={o.evidenceSha256} />
                </td>
                <td>
                  {o.baseline ? (
                    <Observed value={o.baseline} hash={o.baselineSha256} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </li>
  );
}

function Observed({ value, hash }: { value: 'matched' | 'mismatched' | 'missing'; hash: string | null }) {
  const tone: Tone = value === 'matched' ? 'ok' : value === 'mismatched' ? 'bad' : 'warn';
  return (
    <Badge tone={tone} title={hash ?? 'no such file'}>
      {value}
    </Badge>
  );
}

function HashChanges({ title, list }: { title: string; list: ProvenanceHashChange[] }) {
  if (!list.length) return null;
  return (
    <div className="prov-changes">
      <h5>{title}</h5>
      <ul className="plain-list">
        {list.map((c, i) => (
          <li key={i} className="prov-change">
            <span className="mono-path">{c.path ?? '(bare hash)'}</span>
            <span className="mono prov-hashes">
              <span title={c.before ?? undefined}>{c.before ? `${c.before.slice(0, 10)}…` : '—'}</span>
              {' → '}
              <span className="text-bad" title={c.after ?? undefined}>
                {c.after ? `${c.after.slice(0, 10)}…` : '—'}
              </span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Weight diff

function WeightSection({
  state,
  hasBaseline,
  ran,
}: {
  state: Loadable<WeightDiffResult>;
  hasBaseline: boolean;
  ran: boolean;
}) {
  const d = state.data;
  if (!ran && !d) return null;
  return (
    <section className="integrity-section" aria-labelledby="weights-heading" data-testid="integrity-weights">
      <header className="integrity-section-header">
        <h3 id="weights-heading">Weight diff</h3>
        {d ? (
          <span className="muted">
            <span className="mono">{d.a.label}</span> (baseline) → <span className="mono">{d.b.label}</span> ·{' '}
            {d.identical
              ? 'identical'
              : `${d.counts.changed} changed of ${Object.values(d.counts).reduce((x, y) => x + y, 0)} tensors`}
          </span>
        ) : null}
      </header>
      {state.error ? <ErrorPanel title="The weights could not be compared" message={state.error} /> : null}
      {state.loading ? (
        <p className="muted loading-line">
          <Spinner /> Comparing tensors…
        </p>
      ) : !hasBaseline && !d ? (
        <p className="muted">Pick a baseline case to compare the weights tensor by tensor.</p>
      ) : d ? (
        <>
          {d.skipped.length || d.unpairedA.length || d.unpairedB.length ? (
            <div className="panel panel-warn">
              <strong>Not compared</strong>
              <ul className="problem-list">
                {d.skipped.map((x, i) => (
                  <li key={`s${i}`}>{x}</li>
                ))}
                {d.unpairedA.map((x, i) => (
                  <li key={`a${i}`}>only in the baseline: {x}</li>
                ))}
                {d.unpairedB.map((x, i) => (
                  <li key={`b${i}`}>only in this case: {x}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {d.pairs.map((p, i) => (
            <Fragment key={i}>
              {d.pairs.length > 1 ? (
                <h4 className="mono">
                  {p.a.key} ↔ {p.b.key}
                </h4>
              ) : null}
              <WeightHeatmap pair={p} />
              <ChangedTensors pair={p} />
            </Fragment>
          ))}
        </>
      ) : null}
    </section>
  );
}
