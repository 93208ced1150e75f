/**
 * `audit estimate`: what the review of the sample supports about the whole window.
 *
 * Harmful outputs (the playbook's "Output audit"): a sampled record is positive when its combined
 * label (labels.ts) is harmful, negative when benign; unsure and escalate are unresolved and left out
 * of n (a worst case counting them harmful is shown beside), unreviewed records too. Reported:
 * - x/n with the Wilson and Clopper–Pearson intervals (src/core/stats);
 * - when x = 0, the upper bound the review supports: exact one-sided 1 − (1 − c)^(1/n), and the rule
 *   of three;
 * - for a stratified sample, the stratified estimate Σ W_h p̂_h with its variance
 *   Σ W_h² (1 − n_h/N_h) p̂_h(1 − p̂_h)/(n_h − 1) (Cochran 1977, ch. 5), once every stratum has at least
 *   two reviewed records (or all of its records);
 * - projected affected requests in the window: the exact hypergeometric interval for the count
 *   (Buonaccorsi 1987) for a simple random or proportionally allocated (self-weighting) sample, the
 *   stratified interval times N for a Neyman sample with positives; never below the count found;
 * - projected affected users: at least the distinct users of the harmful records found; expected, the
 *   projected requests times the users per harmful request found; at most the projected requests' upper
 *   bound (each request has one user) and the users in the window.
 *
 * Unauthorized tool calls (the playbook's "Tool call audit": review *all* tool calls of the window):
 * every tool call in the window is checked against the authorized-tools policy (policy.ts) — a census,
 * exact — and, for the same method as the outputs, the share of sampled records with an unauthorized
 * call is estimated with the same intervals. Without a policy the check is "not analysed".
 *
 * The result can be recorded as findings of stage 'audit' (recordEstimate), which the report reads.
 */
import {
  clopperPearson,
  hypergeometricCountInterval,
  projectCount,
  ruleOfThree,
  stratifiedProportion,
  wilson,
  zeroFoundUpperBound,
  type ProportionInterval,
  type StratifiedProportionResult,
} from '../stats';
import { recordFindings, type NewFinding } from '../store/findings';
import type { CaseStore } from '../store/workstation';
import { blastRadius, type BlastRadius } from './blast-radius';
import { agreement, currentLabels, effectiveLabel, type Agreement, type Label } from './labels';
import { toolCallViolations, type LoadedPolicy } from './policy';
import { requireSample, sampleItems, windowOfSample, type Sample, type SampleItem } from './sample';
import { windowPolicy, type AuditWindow } from './window';
import { perWindow } from './window-cache';

/** A count projected onto the window, with the method that produced its interval. */
export interface ProjectedRange {
  expected: number;
  lower: number;
  upper: number;
  method: string;
}

export interface StratumCount {
  key: string;
  size: number;
  sampled: number;
  positives: number;
}

/** A prevalence estimated from the sample. */
export interface Prevalence {
  positives: number;
  sampled: number;
  estimate: number;
  wilson: ProportionInterval;
  clopperPearson: ProportionInterval;
  /** When nothing was found: the upper bounds the review supports. */
  zeroFound: { exact: ProportionInterval; ruleOfThree: ProportionInterval } | null;
  stratified: (StratifiedProportionResult & { strata: StratumCount[] }) | null;
  /** Why there is no stratified estimate for a stratified sample. */
  stratifiedUnavailable: string | null;
  /** Affected requests among the window's records. */
  projectedRequests: ProjectedRange;
}

export interface HarmfulEstimate {
  status: 'estimated' | 'not-analysed';
  sampleSize: number;
  reviewed: number;
  unreviewed: number;
  unresolved: { unsure: number; escalate: number };
  prevalence: Prevalence | null;
  /** x + u harmful out of n + u, if every unresolved record were harmful. */
  ifUnresolvedHarmful: { estimate: number; wilson: ProportionInterval } | null;
  harmfulRequestIds: string[];
  projectedUsers: (ProjectedRange & { found: number }) | null;
}

export interface ToolCallAudit {
  status: 'analysed' | 'not-analysed';
  policySha256: string | null;
  policySource: 'window' | 'argument' | null;
  census: {
    calls: number;
    unauthorizedCalls: number;
    requestsWithUnauthorized: number;
    byTool: Record<string, { calls: number; unauthorized: number }>;
    /** Unauthorized calls by tool and broken rule ("refund_order: amount over 200"). */
    byReason: Record<string, number>;
    /** Request ids with an unauthorized call, in time order (the first 1000). */
    requestIds: string[];
  } | null;
  sample: Prevalence | null;
}

export interface AuditEstimate {
  caseId: string;
  confidence: number;
  window: Pick<AuditWindow, 'id' | 'start' | 'end' | 'source'>;
  sample: Omit<Sample, 'notes'>;
  blastRadius: BlastRadius;
  harmful: HarmfulEstimate;
  toolCalls: ToolCallAudit;
  agreement: Agreement | null;
  notes: string[];
}

export interface EstimateOptions {
  sampleId?: number;
  confidence?: number;
  /** Overrides the policy stored with the window. */
  policy?: LoadedPolicy | null;
  /** Two reviewers to measure agreement between (default: the pair with most records in common). */
  reviewers?: [string, string];
}

const KEEP_IDS = 1000;

// ---------------------------------------------------------------------------------------------
// Prevalence
// ---------------------------------------------------------------------------------------------

function stratifiedOf(
  strata: StratumCount[],
  confidence: number,
): Pick<Prevalence, 'stratified' | 'stratifiedUnavailable'> {
  const missing = strata.filter((s) => s.sampled < Math.min(2, s.size));
  if (missing.length > 0) {
    const which = missing
      .slice(0, 5)
      .map((s) => s.key)
      .join(', ');
    return {
      stratified: null,
      stratifiedUnavailable: `strata with fewer than 2 reviewed records: ${which}${missing.length > 5 ? ', …' : ''}`,
    };
  }
  const result = stratifiedProportion(strata, confidence);
  // The statistics name strata by index; name them by key here.
  const notes = result.notes.map((n) =>
    n.replace(/strata\[(\d+)\]/g, (m, i: string) => strata[Number(i)]?.key ?? m),
  );
  return { stratified: { ...result, notes, strata }, stratifiedUnavailable: null };
}

/**
 * Affected requests in the window. The exact hypergeometric interval for the count (Buonaccorsi
 * 1987) when the sample is simple random or proportionally allocated (self-weighting); for a Neyman
 * sample with positives, the stratified interval times N. Never below the x positives found.
 */
function projection(
  x: number,
  n: number,
  N: number,
  confidence: number,
  stratified: StratifiedProportionResult | null,
): ProjectedRange {
  if (stratified && x > 0) {
    const p = projectCount(stratified, N);
    return {
      expected: Math.max(x, p.expected),
      lower: Math.max(x, p.lower),
      upper: Math.max(x, p.upper),
      method: `${stratified.method}, times N`,
    };
  }
  const c = hypergeometricCountInterval(x, n, N, confidence);
  return { expected: Math.round(c.estimate), lower: c.lower, upper: c.upper, method: c.method };
}

/**
 * Prevalence from x positives among n sampled records of a window of N (strata given when the sample
 * was stratified, with `selfWeighting` true for proportional allocation), with the intervals and
 * projections described in the module comment.
 */
export function prevalenceOf(
  x: number,
  n: number,
  N: number,
  confidence: number,
  strata: StratumCount[] | null,
  selfWeighting = true,
): Prevalence {
  const strat = strata ? stratifiedOf(strata, confidence) : { stratified: null, stratifiedUnavailable: null };
  return {
    positives: x,
    sampled: n,
    estimate: x / n,
    wilson: wilson(x, n, confidence),
    clopperPearson: clopperPearson(x, n, confidence),
    zeroFound: x === 0 ? { exact: zeroFoundUpperBound(n, confidence), ruleOfThree: ruleOfThree(n) } : null,
    ...strat,
    projectedRequests: projection(x, n, N, confidence, selfWeighting ? null : strat.stratified),
  };
}

// ---------------------------------------------------------------------------------------------
// Harmful outputs
// ---------------------------------------------------------------------------------------------

interface LabelledItem extends SampleItem {
  label: Label | null;
  users: string | null;
}

function labelledItems(store: CaseStore, sample: Sample): LabelledItem[] {
  const labels = currentLabels(store, sample.id);
  // The user of every sampled record in one query (not one lookup per item).
  const userOf = new Map(
    store.db
      .prepare(
        `SELECT i.record_id, r.user_id FROM audit_sample_items i
         JOIN audit_records r ON r.id = i.record_id WHERE i.sample_id = ?`,
      )
      .raw()
      .all(sample.id) as [number, string | null][],
  );
  return sampleItems(store, sample.id).map((it) => ({
    ...it,
    label: effectiveLabel(labels.get(it.recordId)),
    users: userOf.get(it.recordId) ?? null,
  }));
}

function strataCounts(
  sample: Sample,
  items: LabelledItem[],
  positive: (it: LabelledItem) => boolean,
  counted: (it: LabelledItem) => boolean,
): StratumCount[] {
  const byStratum = new Map<string, { sampled: number; positives: number }>();
  for (const it of items) {
    if (!counted(it)) continue;
    const c = byStratum.get(it.stratum) ?? { sampled: 0, positives: 0 };
    c.sampled++;
    if (positive(it)) c.positives++;
    byStratum.set(it.stratum, c);
  }
  return sample.strataDetail.map((d) => ({
    key: d.key,
    size: d.population,
    sampled: byStratum.get(d.key)?.sampled ?? 0,
    positives: byStratum.get(d.key)?.positives ?? 0,
  }));
}

function projectedUsers(
  found: LabelledItem[],
  requests: ProjectedRange,
  usersInWindow: number,
): ProjectedRange & { found: number } {
  const users = new Set(found.map((it) => it.users).filter((u): u is string => u !== null));
  const perRequest = found.length > 0 ? users.size / found.length : 0;
  const upper = Math.min(usersInWindow, requests.upper);
  const lower = Math.min(users.size, upper);
  return {
    found: users.size,
    expected: Math.min(upper, Math.max(lower, Math.round(requests.expected * perRequest))),
    lower,
    upper,
    method:
      'at least the users of the harmful records found; expected = projected requests × users per harmful request found; at most the projected requests (one user each) and the users in the window',
  };
}

function harmfulEstimate(
  sample: Sample,
  items: LabelledItem[],
  confidence: number,
  usersInWindow: number,
): HarmfulEstimate {
  const isResolved = (it: LabelledItem) => it.label === 'harmful' || it.label === 'benign';
  const resolved = items.filter(isResolved);
  const found = items.filter((it) => it.label === 'harmful');
  const unsure = items.filter((it) => it.label === 'unsure').length;
  const escalate = items.filter((it) => it.label === 'escalate').length;
  const base = {
    sampleSize: items.length,
    reviewed: resolved.length,
    unreviewed: items.filter((it) => it.label === null).length,
    unresolved: { unsure, escalate },
    harmfulRequestIds: found.map((it) => it.requestId).sort(),
  };
  if (resolved.length === 0) {
    return {
      status: 'not-analysed',
      ...base,
      prevalence: null,
      ifUnresolvedHarmful: null,
      projectedUsers: null,
    };
  }
  const strata =
    sample.strata === 'none' ? null : strataCounts(sample, items, (it) => it.label === 'harmful', isResolved);
  const prevalence = prevalenceOf(
    found.length,
    resolved.length,
    sample.population,
    confidence,
    strata,
    sample.allocation === 'proportional',
  );
  const u = unsure + escalate;
  return {
    status: 'estimated',
    ...base,
    prevalence,
    ifUnresolvedHarmful:
      u > 0
        ? {
            estimate: (found.length + u) / (resolved.length + u),
            wilson: wilson(found.length + u, resolved.length + u, confidence),
          }
        : null,
    projectedUsers: projectedUsers(found, prevalence.projectedRequests, usersInWindow),
  };
}

// ---------------------------------------------------------------------------------------------
// Tool calls
// ---------------------------------------------------------------------------------------------

type Census = NonNullable<ToolCallAudit['census']>;

function countCall(census: Census, name: string, rules: readonly string[]): void {
  const t = (census.byTool[name] ??= { calls: 0, unauthorized: 0 });
  census.calls++;
  t.calls++;
  if (rules.length === 0) return;
  census.unauthorizedCalls++;
  t.unauthorized++;
  for (const r of rules) census.byReason[`${name}: ${r}`] = (census.byReason[`${name}: ${r}`] ?? 0) + 1;
}

/** Every tool call of the window checked against the policy; the flagged records by id. */
function toolCensus(
  store: CaseStore,
  w: AuditWindow,
  policy: LoadedPolicy,
): { census: Census; flagged: Set<number> } {
  const census: Census = {
    calls: 0,
    unauthorizedCalls: 0,
    requestsWithUnauthorized: 0,
    byTool: {},
    byReason: {},
    requestIds: [],
  };
  const flagged = new Map<number, { ts: number; requestId: string }>();
  const rows = store.db
    .prepare(
      `SELECT c.record_id, r.ts_ms, r.request_id, c.name, c.arguments FROM audit_tool_calls c
       JOIN audit_records r ON r.id = c.record_id WHERE r.ts_ms >= ? AND r.ts_ms < ?`,
    )
    .raw()
    .iterate(w.startMs, w.endMs) as IterableIterator<[number, number, string, string, string | null]>;
  for (const [recordId, ts, requestId, name, args] of rows) {
    const rules = toolCallViolations(policy.policy, { name, arguments: args }).map((v) => v.rule);
    countCall(census, name, rules);
    if (rules.length > 0) flagged.set(recordId, { ts, requestId });
  }
  census.requestsWithUnauthorized = flagged.size;
  census.requestIds = [...flagged.values()]
    .sort((a, b) => a.ts - b.ts || (a.requestId < b.requestId ? -1 : 1))
    .slice(0, KEEP_IDS)
    .map((f) => f.requestId);
  return { census, flagged: new Set(flagged.keys()) };
}

function toolCallAudit(
  store: CaseStore,
  sample: Sample,
  w: AuditWindow,
  items: LabelledItem[],
  confidence: number,
  override: LoadedPolicy | null | undefined,
): ToolCallAudit {
  const policy = override ?? windowPolicy(w);
  if (!policy)
    return { status: 'not-analysed', policySha256: null, policySource: null, census: null, sample: null };
  const { census, flagged } = perWindow(store, 'tool-census', w.id, policy.sha256, () =>
    toolCensus(store, w, policy),
  );
  const strata =
    sample.strata === 'none'
      ? null
      : strataCounts(
          sample,
          items,
          (it) => flagged.has(it.recordId),
          () => true,
        );
  return {
    status: 'analysed',
    policySha256: policy.sha256,
    policySource: override ? 'argument' : 'window',
    census,
    sample: prevalenceOf(
      items.filter((it) => flagged.has(it.recordId)).length,
      items.length,
      sample.population,
      confidence,
      strata,
      sample.allocation === 'proportional',
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Estimate
// ---------------------------------------------------------------------------------------------

function notesOf(
  sample: Sample,
  harmful: HarmfulEstimate,
  tools: ToolCallAudit,
  radius: BlastRadius,
): string[] {
  const notes: string[] = [...radius.notes];
  if (harmful.unreviewed > 0)
    notes.push(
      `Review incomplete: ${harmful.unreviewed} of ${harmful.sampleSize} sampled records have no label yet.`,
    );
  if (harmful.unresolved.unsure + harmful.unresolved.escalate > 0) {
    notes.push(
      `${harmful.unresolved.unsure} unsure and ${harmful.unresolved.escalate} escalated records are left out of n; see the worst case that counts them harmful.`,
    );
  }
  if (sample.population !== radius.inside.requests) {
    notes.push(
      `The window now holds ${radius.inside.requests} requests; the sample was drawn from ${sample.population}. Projections use the population at the draw.`,
    );
  }
  if (sample.size === sample.population)
    notes.push(
      'Every record in the window is in the sample (a census): once reviewed, the counts are exact.',
    );
  if (tools.status === 'not-analysed')
    notes.push(
      'No authorized-tools policy: unauthorized tool calls were not analysed (give --authorized-tools).',
    );
  const p = harmful.prevalence;
  if (p?.stratifiedUnavailable) notes.push(`No stratified estimate yet: ${p.stratifiedUnavailable}.`);
  if (sample.strata !== 'none' && sample.allocation === 'neyman')
    notes.push('Neyman allocation: the pooled x/n is not self-weighting; report the stratified estimate.');
  return notes;
}

/** Estimate from the review of a sample (see the module comment). Nothing is recorded. */
export function estimate(store: CaseStore, opts: EstimateOptions = {}): AuditEstimate {
  const confidence = opts.confidence ?? 0.95;
  const sample = requireSample(store, opts.sampleId);
  const w = windowOfSample(store, sample);
  const radius = blastRadius(store, w);
  const items = labelledItems(store, sample);
  const harmful = harmfulEstimate(sample, items, confidence, radius.inside.users);
  const toolCalls = toolCallAudit(store, sample, w, items, confidence, opts.policy);
  const { notes: _notes, ...sampleSummary } = sample;
  return {
    caseId: store.id,
    confidence,
    window: { id: w.id, start: w.start, end: w.end, source: w.source },
    sample: sampleSummary,
    blastRadius: radius,
    harmful,
    toolCalls,
    agreement: agreement(store, sample.id, opts.reviewers),
    notes: notesOf(sample, harmful, toolCalls, radius),
  };
}

// ---------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------

const pct = (p: number): string => `${(100 * p).toFixed(p < 0.001 && p > 0 ? 3 : 2)}%`;
const range = (i: { lower: number; upper: number }): string => `${pct(i.lower)}–${pct(i.upper)}`;

function blastFinding(e: AuditEstimate): NewFinding {
  const r = e.blastRadius.inside;
  const tools =
    Object.entries(r.toolCalls.byName)
      .map(([n, c]) => `${n} ${c}`)
      .join(', ') || 'none';
  const downstream = Object.keys(r.downstream).join(', ') || 'none named';
  return {
    check: 'blast-radius',
    status: 'info',
    subject: `${e.window.start} → ${e.window.end}`,
    summary: `${r.requests} requests from ${r.users} users in ${r.conversations} conversations inside the window; tool calls: ${tools}; downstream systems: ${downstream}.`,
    details: {
      window: e.window,
      inside: r,
      outside: e.blastRadius.outside,
      sources: e.blastRadius.sources,
      notes: e.blastRadius.notes,
    },
  };
}

function harmfulFinding(e: AuditEstimate): NewFinding {
  const h = e.harmful;
  const p = h.prevalence;
  if (h.status === 'not-analysed' || !p) {
    return {
      check: 'output-audit',
      status: 'not-analysed',
      summary: `No sampled output has been labelled harmful or benign yet (sample of ${h.sampleSize}).`,
      details: { ...h },
    };
  }
  const level = `${Math.round(e.confidence * 100)}%`;
  const summary =
    p.positives === 0
      ? `0 of ${p.sampled} reviewed outputs harmful: prevalence below ${pct(p.zeroFound!.exact.upper)} (${level} exact upper bound; rule of three ${pct(p.zeroFound!.ruleOfThree.upper)}), i.e. at most ${p.projectedRequests.upper} of ${e.sample.population} requests.`
      : `${p.positives} of ${p.sampled} reviewed outputs harmful (${pct(p.estimate)}; Wilson ${range(p.wilson)}, Clopper–Pearson ${range(p.clopperPearson)}): about ${p.projectedRequests.expected} of ${e.sample.population} requests (${p.projectedRequests.lower}–${p.projectedRequests.upper}) and ${h.projectedUsers?.lower ?? 0}–${h.projectedUsers?.upper ?? 0} users affected.`;
  return { check: 'output-audit', status: p.positives > 0 ? 'fail' : 'info', summary, details: { ...h } };
}

function toolFinding(e: AuditEstimate): NewFinding {
  const t = e.toolCalls;
  if (t.status === 'not-analysed' || !t.census) {
    return {
      check: 'tool-call-audit',
      status: 'not-analysed',
      summary: 'No authorized-tools policy was given: tool calls were not checked.',
      details: { ...t },
    };
  }
  const c = t.census;
  const summary =
    c.unauthorizedCalls === 0
      ? `All ${c.calls} tool calls in the window checked against the policy: none unauthorized.`
      : `${c.unauthorizedCalls} of ${c.calls} tool calls in the window are unauthorized, in ${c.requestsWithUnauthorized} requests (${Object.entries(
          c.byReason,
        )
          .map(([r, n]) => `${r}: ${n}`)
          .join('; ')}).`;
  return {
    check: 'tool-call-audit',
    status: c.unauthorizedCalls > 0 ? 'fail' : 'info',
    summary,
    details: { ...t },
  };
}

function agreementFinding(e: AuditEstimate): NewFinding | null {
  const a = e.agreement;
  if (!a) return null;
  const kappa = Number.isNaN(a.kappa)
    ? 'undefined'
    : `${a.kappa.toFixed(3)} (${a.interpretation}; ${Math.round(a.confidence * 100)}% CI ${a.lower.toFixed(3)} to ${a.upper.toFixed(3)})`;
  return {
    check: 'reviewer-agreement',
    status: 'info',
    subject: a.reviewers.join(' vs '),
    summary: `Cohen's kappa between ${a.reviewers[0]} and ${a.reviewers[1]} on ${a.n} records both reviewed: ${kappa}; ${a.disagreements.length} disagreements.`,
    details: { ...a },
  };
}

/** A JSON-safe copy: non-finite numbers (an undefined kappa is NaN) become null. */
function jsonSafe(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}

/** The findings an estimate makes for the report. */
export function estimateFindings(e: AuditEstimate): NewFinding[] {
  const out = [blastFinding(e), harmfulFinding(e), toolFinding(e)];
  const a = agreementFinding(e);
  if (a) out.push(a);
  return out.map((f) => ({ ...f, details: jsonSafe(f.details) as Record<string, unknown> }));
}

/** Record an estimate as findings of stage 'audit' (and their custody event). */
export function recordEstimate(store: CaseStore, e: AuditEstimate, actor: string): { runId: string } {
  const { runId } = recordFindings(store, {
    stage: 'audit',
    actor,
    inputs: {
      windowId: e.window.id,
      sampleId: e.sample.id,
      sampleIdsSha256: e.sample.idsSha256,
      confidence: e.confidence,
      policySha256: e.toolCalls.policySha256,
    },
    findings: estimateFindings(e),
  });
  return { runId };
}
