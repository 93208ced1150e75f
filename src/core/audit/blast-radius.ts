/**
 * The blast radius (the playbook's "Assess blast radius" table): how many requests and users the
 * compromised model served, what tools it called, which downstream systems consumed its outputs, day
 * by day, inside the window and, for contrast, outside it. Counts come straight from the imported
 * records, in SQL over the (ts_ms, request_id) index; nothing is sampled or estimated here.
 *
 * Users and conversations are distinct non-missing ids; records without a user id are counted apart,
 * so `users` is then a lower bound (a note says so). `requests` counts model-call records; tool
 * executions that could not be attributed to a model call (OpenTelemetry) are counted apart.
 */
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { isoUtc, utcDay } from './timestamps';
import { perWindow } from './window-cache';
import { requireWindow, type AuditWindow } from './window';

const DAY_MS = 86_400_000;

export interface RegionStats {
  requests: number;
  users: number;
  requestsWithoutUser: number;
  conversations: number;
  requestsWithoutConversation: number;
  toolExecutionsWithoutModelCall: number;
  toolCalls: { total: number; byName: Record<string, number> };
  requestsWithToolCalls: number;
  /** Requests whose output a downstream system consumed, by system. */
  downstream: Record<string, number>;
  modelVersions: Record<string, number>;
  perDay: { day: string; requests: number }[];
  inputTokens: number | null;
  outputTokens: number | null;
  first: string | null;
  last: string | null;
}

export interface BlastRadius {
  caseId: string;
  window: Pick<AuditWindow, 'id' | 'start' | 'end' | 'source'>;
  inside: RegionStats;
  outside: RegionStats;
  /** Imported logs the numbers come from. */
  sources: { file: string; sha256: string; records: number }[];
  notes: string[];
}

/** SQL predicates for the two regions on a time column; both take (start, end). */
const REGIONS = {
  inside: (col: string) => `${col} >= ? AND ${col} < ?`,
  outside: (col: string) => `(${col} < ? OR ${col} >= ?)`,
} as const;

type Region = keyof typeof REGIONS;

function countsBy(store: CaseStore, sql: string, args: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of store.db
    .prepare(sql)
    .raw()
    .all(...args) as [string, number][])
    out[r[0]] = r[1];
  return out;
}

function regionStats(store: CaseStore, region: Region, w: AuditWindow): RegionStats {
  const where = REGIONS[region]('ts_ms');
  const args = [w.startMs, w.endMs];
  const db = store.db;
  const base = db
    .prepare(
      `SELECT count(*) AS requests, count(DISTINCT user_id) AS users, count(user_id) AS withUser,
         count(DISTINCT conversation_id) AS conversations, count(conversation_id) AS withConversation,
         sum(tool_call_count > 0) AS withTools, sum(input_tokens) AS inputTokens, sum(output_tokens) AS outputTokens,
         min(ts_ms) AS first, max(ts_ms) AS last
       FROM audit_records WHERE kind = 'model' AND ${where}`,
    )
    .get(...args) as {
    requests: number;
    users: number;
    withUser: number;
    conversations: number;
    withConversation: number;
    withTools: number | null;
    inputTokens: number | null;
    outputTokens: number | null;
    first: number | null;
    last: number | null;
  };
  const toolOnly = db
    .prepare(`SELECT count(*) AS n FROM audit_records WHERE kind = 'tool' AND ${where}`)
    .get(...args) as { n: number };
  const byName = countsBy(
    store,
    `SELECT c.name, count(*) FROM audit_tool_calls c JOIN audit_records r ON r.id = c.record_id
     WHERE ${REGIONS[region]('r.ts_ms')} GROUP BY c.name ORDER BY c.name`,
    args,
  );
  const perDay = (
    db
      .prepare(
        `SELECT ts_ms / ${DAY_MS} AS d, count(*) FROM audit_records WHERE kind = 'model' AND ${where} GROUP BY d ORDER BY d`,
      )
      .raw()
      .all(...args) as [number, number][]
  ).map(([d, n]) => ({ day: utcDay(d * DAY_MS), requests: n }));
  return {
    requests: base.requests,
    users: base.users,
    requestsWithoutUser: base.requests - base.withUser,
    conversations: base.conversations,
    requestsWithoutConversation: base.requests - base.withConversation,
    toolExecutionsWithoutModelCall: toolOnly.n,
    toolCalls: { total: Object.values(byName).reduce((a, b) => a + b, 0), byName },
    requestsWithToolCalls: base.withTools ?? 0,
    downstream: countsBy(
      store,
      `SELECT downstream, count(*) FROM audit_records WHERE kind = 'model' AND downstream IS NOT NULL AND ${where} GROUP BY downstream ORDER BY downstream`,
      args,
    ),
    modelVersions: countsBy(
      store,
      `SELECT coalesce(model_version, '(not logged)'), count(*) FROM audit_records WHERE kind = 'model' AND ${where} GROUP BY 1 ORDER BY 1`,
      args,
    ),
    perDay,
    inputTokens: base.inputTokens,
    outputTokens: base.outputTokens,
    first: base.first === null ? null : isoUtc(base.first),
    last: base.last === null ? null : isoUtc(base.last),
  };
}

/** Imports that have not finished: their records are partial, so the audit refuses to count them. */
export function requireImportsFinished(store: CaseStore): void {
  const open = store.db
    .prepare("SELECT id, evidence_path, status FROM audit_imports WHERE status != 'finished' ORDER BY id")
    .all() as { id: number; evidence_path: string; status: string }[];
  if (open.length === 0) return;
  const names = open.map((o) => `${o.evidence_path} (${o.status})`).join(', ');
  throw new ProbityError(
    'conflict',
    `${store.id}: unfinished log import: ${names}; run probity audit import again with the same file to finish it`,
  );
}

function sourcesOf(store: CaseStore): BlastRadius['sources'] {
  return (
    store.db
      .prepare("SELECT evidence_path, sha256, stats FROM audit_imports WHERE status = 'finished' ORDER BY id")
      .all() as { evidence_path: string; sha256: string; stats: string }[]
  ).map((r) => ({
    file: r.evidence_path,
    sha256: r.sha256,
    records: (JSON.parse(r.stats) as { records: number }).records,
  }));
}

function notesOf(store: CaseStore, w: AuditWindow, inside: RegionStats, outside: RegionStats): string[] {
  const notes: string[] = [];
  if (inside.requestsWithoutUser > 0) {
    notes.push(
      `${inside.requestsWithoutUser} requests in the window have no user id: ${inside.users} users is a lower bound.`,
    );
  }
  if (w.source.kind === 'deployments') {
    const v = w.source.version;
    const outsideV = outside.modelVersions[v] ?? 0;
    if (outsideV > 0)
      notes.push(
        `${outsideV} requests outside the window were served by ${v}: check the window against the deployment records.`,
      );
    const insideOther = inside.requests - (inside.modelVersions[v] ?? 0);
    if (insideOther > 0)
      notes.push(`${insideOther} requests inside the window name a model version other than ${v}.`);
  }
  const zoneless = (
    store.db.prepare("SELECT stats FROM audit_imports WHERE status = 'finished'").all() as { stats: string }[]
  ).reduce(
    (a, r) => a + ((JSON.parse(r.stats) as { zonelessTimestamps?: number }).zonelessTimestamps ?? 0),
    0,
  );
  if (zoneless > 0) notes.push(`${zoneless} imported timestamps had no time zone and were taken as UTC.`);
  return notes;
}

/** The blast radius of a window, by default the current one (see the module comment). */
export function blastRadius(store: CaseStore, window?: AuditWindow): BlastRadius {
  requireImportsFinished(store);
  const w = window ?? requireWindow(store);
  return perWindow(store, 'blast-radius', w.id, '', () => {
    const inside = regionStats(store, 'inside', w);
    const outside = regionStats(store, 'outside', w);
    return {
      caseId: store.id,
      window: { id: w.id, start: w.start, end: w.end, source: w.source },
      inside,
      outside,
      sources: sourcesOf(store),
      notes: notesOf(store, w, inside, outside),
    };
  });
}
