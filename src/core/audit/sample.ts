/**
 * A reproducible review sample of the records inside the compromise window.
 *
 * The draw is fully specified, so anyone holding the same logs can repeat it with their own code:
 * 1. Population: model-call records with start ≤ time < end, ordered by (time, request id), the
 *    request ids compared as UTF-8 bytes.
 * 2. Strata: `none` (one stratum), `day` (UTC calendar day, YYYY-MM-DD), `tool` (the sorted distinct
 *    tool names a record called, comma-joined; "(none)" for no call) or `user` (the user id; "(no user
 *    id)" when missing). Strata are ordered by key (UTF-8 bytes); each keeps the population order.
 * 3. Allocation of the sample size n over strata: stratifiedAllocation in src/core/stats (proportional,
 *    or Neyman with S_h = √(p_h(1 − p_h)), p_h = (x_h + ½)/(m_h + 1) from the x_h harmful among m_h
 *    records of the stratum already labelled harmful or benign — a pilot review; with no labels at all
 *    every S_h is equal and Neyman is proportional, which the result notes).
 * 4. Draw: one xoshiro256** generator seeded with the seed string (src/core/stats createRng); for each
 *    stratum in order, sampleWithoutReplacement(N_h, n_h) (Floyd) gives positions within the stratum.
 * 5. The sample lists the drawn records stratum by stratum, positions ascending. Its digest is the
 *    SHA-256 of the request ids, each followed by a newline, in that order.
 * The seed, size, strata, allocation and digest are recorded in the custody log with the sample.
 */
import { createHash } from 'node:crypto';
import { createRng, stratifiedAllocation, type AllocationStratum } from '../stats';
import type { CaseStore } from '../store/workstation';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { requireImportsFinished } from './blast-radius';
import { appendAuditEvent } from './custody';
import { effectiveLabel, type LabelEntry } from './labels';
import { utcDay } from './timestamps';
import { requireWindow, windowById, type AuditWindow } from './window';

export const STRATA = ['none', 'day', 'tool', 'user'] as const;
export type Strata = (typeof STRATA)[number];
export const ALLOCATIONS = ['proportional', 'neyman'] as const;
export type Allocation = (typeof ALLOCATIONS)[number];

export interface StratumDetail {
  key: string;
  /** N_h: records of the stratum in the window. */
  population: number;
  /** n_h: records drawn from it. */
  allocated: number;
  /** S_h used by Neyman allocation. */
  sd?: number;
}

export interface Sample {
  id: number;
  windowId: number;
  seed: string;
  size: number;
  strata: Strata;
  allocation: Allocation;
  population: number;
  strataDetail: StratumDetail[];
  idsSha256: string;
  actor: string;
  createdAt: string;
  notes: string[];
}

export interface SampleItem {
  position: number;
  recordId: number;
  requestId: string;
  stratum: string;
}

export interface DrawOptions {
  /** Sample size, or 'all' to review every record in the window (a census). */
  size: number | 'all';
  seed: string;
  strata?: Strata;
  allocation?: Allocation;
  actor: string;
}

const KEY_COLUMN: Record<Strata, string> = {
  none: '0',
  day: `ts_ms / ${86_400_000}`,
  tool: 'tools',
  user: 'user_id',
};

/** The stratum key of a record from its key column (a UTC day number for `day`). */
function keyOf(strata: Strata, v: unknown): string {
  switch (strata) {
    case 'none':
      return 'all';
    case 'day':
      return utcDay((v as number) * 86_400_000);
    case 'tool':
      return v === '' ? '(none)' : String(v);
    case 'user':
      return v === null ? '(no user id)' : String(v);
  }
}

/** Keys sorted by their UTF-8 bytes (each key encoded once). */
function sortUtf8(keys: readonly string[]): string[] {
  return keys
    .map((k) => ({ k, b: Buffer.from(k, 'utf8') }))
    .sort((x, y) => Buffer.compare(x.b, y.b))
    .map((x) => x.k);
}

/** The window's population grouped by stratum: record ids in population order per stratum key. */
interface Population {
  keys: string[];
  members: number[][];
  total: number;
}

const POPULATION_SQL = (column: string): string =>
  `SELECT ${column} FROM audit_records INDEXED BY audit_records_time
   WHERE ts_ms >= ? AND ts_ms < ? AND kind = 'model' ORDER BY ts_ms, request_id`;

function loadPopulation(store: CaseStore, w: AuditWindow, strata: Strata): Population {
  if (strata === 'none') {
    // One stratum: the record ids alone, straight from the covering index.
    const ids = store.db.prepare(POPULATION_SQL('id')).pluck().all(w.startMs, w.endMs) as number[];
    return { keys: ['all'], members: [ids], total: ids.length };
  }
  const rows = store.db
    .prepare(POPULATION_SQL(`id, ${KEY_COLUMN[strata]}`))
    .raw()
    .iterate(w.startMs, w.endMs) as IterableIterator<[number, unknown]>;
  // Group by the raw column value (a day number, a tool list, a user id); label each group once.
  const index = new Map<unknown, number>();
  const members: number[][] = [];
  let total = 0;
  for (const [id, raw] of rows) {
    let h = index.get(raw);
    if (h === undefined) {
      h = members.length;
      index.set(raw, h);
      members.push([]);
    }
    members[h]!.push(id);
    total++;
  }
  const byKey = new Map<string, number[]>();
  for (const [raw, h] of index) byKey.set(keyOf(strata, raw), members[h]!);
  const keys = sortUtf8([...byKey.keys()]);
  return { keys, members: keys.map((k) => byKey.get(k)!), total };
}

/** Pilot prevalence per stratum from labels already given to records of the window (Neyman only). */
function pilotSd(store: CaseStore, pop: Population): { sds: number[]; labelled: number } {
  const rows = store.db
    .prepare('SELECT l.id, l.record_id, l.reviewer, l.label FROM audit_labels l ORDER BY l.id')
    .raw()
    .all() as [number, number, string, LabelEntry['label']][];
  const byRecord = new Map<number, Map<string, LabelEntry>>();
  for (const [id, recordId, reviewer, label] of rows) {
    const m = byRecord.get(recordId) ?? new Map<string, LabelEntry>();
    m.set(reviewer, { id, recordId, requestId: '', reviewer, label, note: null, createdAt: '' });
    byRecord.set(recordId, m);
  }
  let labelled = 0;
  const sds = pop.members.map((ids) => {
    let x = 0;
    let m = 0;
    for (const id of ids) {
      const l = effectiveLabel(byRecord.get(id));
      if (l === 'harmful' || l === 'benign') {
        m++;
        if (l === 'harmful') x++;
      }
    }
    labelled += m;
    const p = (x + 0.5) / (m + 1);
    return Math.sqrt(p * (1 - p));
  });
  return { sds, labelled };
}

function allocate(
  store: CaseStore,
  pop: Population,
  n: number,
  allocation: Allocation,
  notes: string[],
): StratumDetail[] {
  const strata: AllocationStratum[] = pop.members.map((m) => ({ size: m.length }));
  let sds: number[] | null = null;
  if (allocation === 'neyman') {
    const pilot = pilotSd(store, pop);
    sds = pilot.sds;
    strata.forEach((s, h) => (s.sd = sds![h]));
    if (pilot.labelled === 0)
      notes.push(
        'No labels from a pilot review yet: every stratum has the same S_h, so Neyman allocation equals proportional allocation.',
      );
  }
  const alloc = stratifiedAllocation(strata, n, allocation);
  return pop.keys.map((key, h) => ({
    key,
    population: pop.members[h]!.length,
    allocated: alloc[h] ?? 0,
    ...(sds ? { sd: sds[h] } : {}),
  }));
}

function requireSize(size: number | 'all', population: number): number {
  if (size === 'all') return population;
  if (!Number.isSafeInteger(size) || size < 1)
    throw new ProbityError('usage', `--size ${size}: must be a whole number ≥ 1 (or all)`);
  if (size > population) {
    throw new ProbityError(
      'usage',
      `--size ${size}: only ${population} records are in the window (use --size all to review every one)`,
    );
  }
  return size;
}

/**
 * Draw and store a sample of the current window (see the module comment for the exact procedure).
 * @throws ProbityError when no window is set, an import is unfinished, or the size exceeds the window.
 */
export function drawSample(store: CaseStore, opts: DrawOptions): Sample {
  requireImportsFinished(store);
  const w = requireWindow(store);
  const strata = opts.strata ?? 'none';
  const allocation = opts.allocation ?? 'proportional';
  if (opts.seed === '') throw new ProbityError('usage', 'a sample needs a --seed');
  const pop = loadPopulation(store, w, strata);
  if (pop.total === 0)
    throw new ProbityError('usage', `${store.id}: no records in the window ${w.start} → ${w.end}`);
  const n = requireSize(opts.size, pop.total);
  const notes: string[] = [];
  const detail = allocate(store, pop, n, allocation, notes);
  const rng = createRng(opts.seed);
  const drawn: { recordId: number; stratum: string }[] = [];
  detail.forEach((d, h) => {
    const members = pop.members[h]!;
    for (const i of rng.sampleWithoutReplacement(members.length, d.allocated))
      drawn.push({ recordId: members[i]!, stratum: d.key });
  });
  return storeSample(store, { w, opts, strata, allocation, pop, detail, drawn, notes });
}

function requestIdsOf(store: CaseStore, ids: readonly number[]): string[] {
  const stmt = store.db.prepare('SELECT request_id FROM audit_records WHERE id = ?').pluck();
  return ids.map((id) => stmt.get(id) as string);
}

function storeSample(
  store: CaseStore,
  d: {
    w: AuditWindow;
    opts: DrawOptions;
    strata: Strata;
    allocation: Allocation;
    pop: Population;
    detail: StratumDetail[];
    drawn: { recordId: number; stratum: string }[];
    notes: string[];
  },
): Sample {
  const requestIds = requestIdsOf(
    store,
    d.drawn.map((x) => x.recordId),
  );
  const hash = createHash('sha256');
  for (const r of requestIds) hash.update(`${r}\n`);
  const idsSha256 = hash.digest('hex');
  const at = utcNow();
  let id = 0;
  store.db.transaction(() => {
    id = Number(
      store.db
        .prepare(
          `INSERT INTO audit_samples (window_id, seed, size, strata, allocation, population, strata_detail, ids_sha256, actor, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          d.w.id,
          d.opts.seed,
          d.drawn.length,
          d.strata,
          d.allocation,
          d.pop.total,
          canonicalJson(d.detail),
          idsSha256,
          d.opts.actor,
          at,
        ).lastInsertRowid,
    );
    const ins = store.db.prepare(
      'INSERT INTO audit_sample_items (sample_id, position, record_id, stratum) VALUES (?, ?, ?, ?)',
    );
    d.drawn.forEach((x, i) => ins.run(id, i + 1, x.recordId, x.stratum));
    appendAuditEvent(store.db, {
      actor: d.opts.actor,
      action: 'audit.sample.drawn',
      subject: `sample ${id}`,
      at,
      details: {
        sampleId: id,
        windowId: d.w.id,
        seed: d.opts.seed,
        size: d.drawn.length,
        strata: d.strata,
        allocation: d.allocation,
        population: d.pop.total,
        strataCount: d.detail.length,
        idsSha256,
        prng: 'xoshiro256** seeded by FNV-1a 64 of the seed through SplitMix64; Floyd sampling per stratum',
      },
    });
  })();
  return { ...sampleById(store, id)!, notes: d.notes };
}

interface SampleRow {
  id: number;
  window_id: number;
  seed: string;
  size: number;
  strata: Strata;
  allocation: Allocation;
  population: number;
  strata_detail: string;
  ids_sha256: string;
  actor: string;
  created_at: string;
}

function toSample(r: SampleRow): Sample {
  return {
    id: r.id,
    windowId: r.window_id,
    seed: r.seed,
    size: r.size,
    strata: r.strata,
    allocation: r.allocation,
    population: r.population,
    strataDetail: JSON.parse(r.strata_detail) as StratumDetail[],
    idsSha256: r.ids_sha256,
    actor: r.actor,
    createdAt: r.created_at,
    notes: [],
  };
}

/** A sample by id, or null. */
export function sampleById(store: CaseStore, id: number): Sample | null {
  const r = store.db.prepare('SELECT * FROM audit_samples WHERE id = ?').get(id) as SampleRow | undefined;
  return r ? toSample(r) : null;
}

/** The latest sample of the current window, or null. */
export function currentSample(store: CaseStore): Sample | null {
  const w = requireWindow(store);
  const r = store.db
    .prepare('SELECT * FROM audit_samples WHERE window_id = ? ORDER BY id DESC LIMIT 1')
    .get(w.id) as SampleRow | undefined;
  return r ? toSample(r) : null;
}

/** The given sample, else the latest of the current window; an error saying how to draw one. */
export function requireSample(store: CaseStore, id?: number): Sample {
  const s = id === undefined ? currentSample(store) : sampleById(store, id);
  if (!s) {
    throw new ProbityError(
      id === undefined ? 'usage' : 'not-found',
      id === undefined
        ? `${store.id}: no sample drawn for the current window; run probity audit sample ${store.id} --size N --seed S`
        : `${store.id}: no sample ${id}`,
    );
  }
  return s;
}

/** The items of a sample in review order. */
export function sampleItems(store: CaseStore, sampleId: number): SampleItem[] {
  return (
    store.db
      .prepare(
        `SELECT i.position, i.record_id, r.request_id, i.stratum FROM audit_sample_items i
         JOIN audit_records r ON r.id = i.record_id WHERE i.sample_id = ? ORDER BY i.position`,
      )
      .raw()
      .all(sampleId) as [number, number, string, string][]
  ).map(([position, recordId, requestId, stratum]) => ({ position, recordId, requestId, stratum }));
}

/** The window a sample was drawn from. */
export function windowOfSample(store: CaseStore, s: Sample): AuditWindow {
  const w = windowById(store, s.windowId);
  if (!w)
    throw new ProbityError('internal', `${store.id}: sample ${s.id} names a missing window ${s.windowId}`);
  return w;
}
