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
 * 4. Draw, by one of two methods:
 *    - `bottom-k` (the default): in each stratum, the n_h records with the smallest SHA-256 of the
 *      UTF-8 bytes of seed ‖ request id (written as lower-case hex and compared as text; ties, which
 *      would need a SHA-256 collision, by request id). A uniformly random subset that any SQL engine
 *      with SHA-256 re-derives exactly: sampleStatement gives the one statement that does it. The
 *      sample lists the drawn records stratum by stratum, each by ascending hash.
 *    - `floyd` (samples drawn before bottom-k existed): one xoshiro256** generator seeded with the
 *      seed string (src/core/stats createRng); for each stratum in order, sampleWithoutReplacement(N_h,
 *      n_h) (Floyd) gives positions within the stratum; listed stratum by stratum, positions ascending.
 * 5. The sample's digest is the SHA-256 of the request ids, each followed by a newline, in list order.
 * The seed, method, size, strata, allocation and digest are recorded in the custody log with the sample.
 */
import { createHash } from 'node:crypto';
import { createRng, stratifiedAllocation, type AllocationStratum } from '../stats';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { requireImportsFinished } from './blast-radius';
import { appendAuditEvent } from './custody';
import { bottomKSql, type Engine } from './engine/queries';
import { effectiveLabel, type LabelEntry } from './labels';
import { utcDay } from './timestamps';
import { requireWindow, windowById, type AuditWindow } from './window';

export const STRATA = ['none', 'day', 'tool', 'user'] as const;
export type Strata = (typeof STRATA)[number];
export const ALLOCATIONS = ['proportional', 'neyman'] as const;
export type Allocation = (typeof ALLOCATIONS)[number];
export const SAMPLE_METHODS = ['bottom-k', 'floyd'] as const;
export type SampleMethod = (typeof SAMPLE_METHODS)[number];

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
  method: SampleMethod;
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
  /** How the records are drawn (the module comment); bottom-k unless said. */
  method?: SampleMethod;
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

/**
 * Keys sorted by their UTF-8 bytes. UTF-16 code-unit order (JavaScript's) is the same as UTF-8 byte
 * order unless a surrogate meets a unit from U+E000 to U+FFFF; only then is each key encoded.
 */
function sortUtf8(keys: readonly string[]): string[] {
  if (!keys.some((k) => /[\uD800-\uFFFF]/.test(k))) return [...keys].sort();
  return keys
    .map((k) => ({ k, b: Buffer.from(k, 'utf8') }))
    .sort((x, y) => Buffer.compare(x.b, y.b))
    .map((x) => x.k);
}

/**
 * The window's population: record ids in population order, and the stratum of each (an index into
 * the sorted keys, kept in an array indexed by record id: no object per record).
 */
class Population {
  /** N_h per stratum, in key order. */
  readonly sizes: number[];

  constructor(
    readonly keys: string[],
    private readonly ids: readonly number[],
    private readonly minId: number,
    /** Stratum of record `minId + i`; -1 for a record outside the population. */
    private readonly stratumOfId: Int32Array,
  ) {
    this.sizes = keys.map(() => 0);
    for (const id of ids) this.sizes[stratumOfId[id - minId]!]!++;
  }

  get total(): number {
    return this.ids.length;
  }

  /** The stratum of a record, or -1 when it is not in the population. */
  stratumOf(id: number): number {
    const i = id - this.minId;
    return i >= 0 && i < this.stratumOfId.length ? this.stratumOfId[i]! : -1;
  }

  /**
   * Bottom-k: per stratum, the `counts[h]` record ids with the smallest SHA-256 hex of seed ‖ request
   * id, each list by ascending hash. `rowsOf(lo, hi)` gives [id, request id] of the population's
   * records with lo ≤ id < hi (any order: ties are broken by request id, so the result is the same).
   */
  bottomK(
    rowsOf: (lo: number, hi: number) => [number, string][],
    seed: string,
    counts: readonly number[],
  ): number[][] {
    const kept: { h: string; rid: string; id: number }[][] = counts.map(() => []);
    const before = (a: { h: string; rid: string }, h: string, rid: string): boolean =>
      a.h < h || (a.h === h && Buffer.compare(Buffer.from(a.rid), Buffer.from(rid)) < 0);
    let seen = 0;
    const end = this.minId + this.stratumOfId.length;
    for (let lo = this.minId; lo < end; lo += KEY_SCAN_SPAN) {
      for (const [id, rid] of rowsOf(lo, Math.min(lo + KEY_SCAN_SPAN, end))) {
        const s = this.stratumOf(id);
        if (s < 0) continue;
        seen++;
        const k = counts[s]!;
        if (k === 0) continue;
        const list = kept[s]!;
        const h = createHash('sha256')
          .update(seed + rid, 'utf8')
          .digest('hex');
        if (list.length === k && before(list[k - 1]!, h, rid)) continue;
        // Insert in order (binary search); the list never holds more than k.
        let lo2 = 0;
        let hi2 = list.length;
        while (lo2 < hi2) {
          const mid = (lo2 + hi2) >> 1;
          if (before(list[mid]!, h, rid)) lo2 = mid + 1;
          else hi2 = mid;
        }
        list.splice(lo2, 0, { h, rid, id });
        if (list.length > k) list.pop();
      }
    }
    if (seen !== this.ids.length) throw new Error('population changed while drawing');
    return kept.map((l) => l.map((x) => x.id));
  }

  /** The record ids at the given ascending positions within each stratum, in one pass. */
  pick(positions: readonly (readonly number[])[]): number[][] {
    const out: number[][] = positions.map(() => []);
    const seen = new Int32Array(this.keys.length);
    const next = new Int32Array(this.keys.length);
    for (const id of this.ids) {
      const h = this.stratumOfId[id - this.minId]!;
      const at = seen[h]!++;
      const wanted = positions[h]!;
      if (next[h]! < wanted.length && wanted[next[h]!] === at) {
        out[h]!.push(id);
        next[h]!++;
      }
    }
    return out;
  }
}

const POPULATION_SQL = (column: string): string =>
  `SELECT ${column} FROM audit_records INDEXED BY audit_records_time
   WHERE ts_ms >= ? AND ts_ms < ? AND kind = 'model' ORDER BY ts_ms, request_id`;

/** The same records in rowid order, from an id range (a sequential read of the table's pages). */
const KEY_SCAN_SQL = (column: string): string =>
  `SELECT ${column} FROM audit_records NOT INDEXED
   WHERE id >= ? AND id < ? AND ts_ms >= ? AND ts_ms < ? AND kind = 'model' ORDER BY id`;

/** Ids per step of the rowid-order key scan: bounds the keys held in memory at once. */
const KEY_SCAN_SPAN = 131_072;

/**
 * The window's population by stratum. The population order comes from the covering time index
 * (record ids alone). The key of each record comes, for `day`, from the same index; for `tool` and
 * `user`, from a pass over the table in rowid order (sequential pages) rather than a lookup per
 * record in time order, matched to the population's ids sorted. Only single-column results are
 * read, and each distinct key is labelled once.
 */
function loadPopulation(store: CaseStore, w: AuditWindow, strata: Strata): Population {
  const ids = store.db.prepare(POPULATION_SQL('id')).pluck().all(w.startMs, w.endMs) as number[];
  let minId = ids[0] ?? 0;
  let maxId = ids[0] ?? -1;
  for (const id of ids) {
    if (id < minId) minId = id;
    if (id > maxId) maxId = id;
  }
  const groupOf = new Int32Array(maxId - minId + 1).fill(-1);
  // Groups by raw key value (a day number, a tool list, a user id), numbered as first met.
  const index = new Map<unknown, number>();
  const groupIndex = (raw: unknown): number => {
    let g = index.get(raw);
    if (g === undefined) {
      g = index.size;
      index.set(raw, g);
    }
    return g;
  };
  const changed = (): ProbityError =>
    new ProbityError('internal', `${store.id}: the window's records changed while drawing`);
  if (strata === 'none') {
    if (ids.length > 0) groupIndex(0);
    for (const id of ids) groupOf[id - minId] = 0;
  } else if (strata === 'day') {
    const keys = store.db.prepare(POPULATION_SQL(KEY_COLUMN.day)).pluck().all(w.startMs, w.endMs);
    if (keys.length !== ids.length) throw changed();
    for (let i = 0; i < ids.length; i++) groupOf[ids[i]! - minId] = groupIndex(keys[i]);
  } else {
    // Mark the population; the scan returns their keys in id order, which is the order of the marks.
    for (const id of ids) groupOf[id - minId] = 0;
    const scan = store.db.prepare(KEY_SCAN_SQL(KEY_COLUMN[strata])).pluck();
    let offset = 0;
    for (let lo = minId; lo <= maxId; lo += KEY_SCAN_SPAN) {
      const keys = scan.all(lo, lo + KEY_SCAN_SPAN, w.startMs, w.endMs);
      const end = Math.min(lo + KEY_SCAN_SPAN, maxId + 1) - minId;
      let k = 0;
      for (; offset < end; offset++) {
        if (groupOf[offset] === -1) continue;
        if (k === keys.length) throw changed();
        groupOf[offset] = groupIndex(keys[k++]);
      }
      if (k !== keys.length) throw changed();
    }
  }
  // Label each group once; groups with the same label are one stratum.
  const labelOf = [...index.keys()].map((raw) => keyOf(strata, raw));
  const keys = sortUtf8([...new Set(labelOf)]);
  const stratumOfLabel = new Map(keys.map((k, h) => [k, h]));
  const stratumOfGroup = Int32Array.from(labelOf, (l) => stratumOfLabel.get(l)!);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i]!;
    if (g >= 0) groupOf[i] = stratumOfGroup[g]!;
  }
  return new Population(keys, ids, minId, groupOf);
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
  const x = pop.keys.map(() => 0);
  const m = pop.keys.map(() => 0);
  for (const [recordId, entries] of byRecord) {
    const h = pop.stratumOf(recordId);
    if (h < 0) continue;
    const l = effectiveLabel(entries);
    if (l === 'harmful' || l === 'benign') {
      m[h]!++;
      if (l === 'harmful') x[h]!++;
    }
  }
  const sds = pop.keys.map((_, h) => {
    const p = (x[h]! + 0.5) / (m[h]! + 1);
    return Math.sqrt(p * (1 - p));
  });
  return { sds, labelled: m.reduce((a, b) => a + b, 0) };
}

function allocate(
  store: CaseStore,
  pop: Population,
  n: number,
  allocation: Allocation,
  notes: string[],
): StratumDetail[] {
  const strata: AllocationStratum[] = pop.sizes.map((size) => ({ size }));
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
  // Members in canonical (sorted) order, as the stored JSON has them.
  return pop.keys.map((key, h) => ({
    allocated: alloc[h] ?? 0,
    key,
    population: pop.sizes[h]!,
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
  const method = opts.method ?? 'bottom-k';
  let picked: number[][];
  if (method === 'bottom-k') {
    // Rowid order: sequential pages, not a lookup per record in time order.
    const scan = store.db.prepare(KEY_SCAN_SQL('id, request_id')).raw();
    picked = pop.bottomK(
      (lo, hi) => scan.all(lo, hi, w.startMs, w.endMs) as [number, string][],
      opts.seed,
      detail.map((d) => d.allocated),
    );
  } else {
    const rng = createRng(opts.seed);
    picked = pop.pick(detail.map((d) => rng.sampleWithoutReplacement(d.population, d.allocated)));
  }
  const drawn: { recordId: number; stratum: string }[] = [];
  detail.forEach((d, h) => {
    for (const recordId of picked[h]!) drawn.push({ recordId, stratum: d.key });
  });
  return storeSample(store, { w, opts, strata, allocation, method, pop, detail, drawn, notes });
}

function requestIdsOf(store: CaseStore, ids: readonly number[]): string[] {
  const stmt = store.db.prepare('SELECT request_id FROM audit_records WHERE id = ?').pluck();
  return ids.map((id) => stmt.get(id) as string);
}

/**
 * canonicalJson of the strata detail, written out member by member (members in canonical order):
 * a draw by user can have tens of thousands of strata.
 */
export function detailJson(detail: readonly StratumDetail[]): string {
  const parts = detail.map(
    (d) =>
      `{"allocated":${JSON.stringify(d.allocated)},"key":${JSON.stringify(d.key)},"population":${JSON.stringify(d.population)}${d.sd === undefined ? '' : `,"sd":${JSON.stringify(d.sd)}`}}`,
  );
  return `[${parts.join(',')}]`;
}

function storeSample(
  store: CaseStore,
  d: {
    w: AuditWindow;
    opts: DrawOptions;
    strata: Strata;
    allocation: Allocation;
    method: SampleMethod;
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
          `INSERT INTO audit_samples (window_id, seed, size, strata, allocation, method, population, strata_detail, ids_sha256, actor, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          d.w.id,
          d.opts.seed,
          d.drawn.length,
          d.strata,
          d.allocation,
          d.method,
          d.pop.total,
          detailJson(d.detail),
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
        method: d.method,
        ...(d.method === 'bottom-k'
          ? {
              statement: sampleStatement(
                { strata: d.strata, seed: d.opts.seed, strataDetail: d.detail },
                d.w,
              ),
            }
          : {
              prng: 'xoshiro256** seeded by FNV-1a 64 of the seed through SplitMix64; Floyd sampling per stratum',
            }),
      },
    });
  })();
  return {
    id,
    windowId: d.w.id,
    seed: d.opts.seed,
    size: d.drawn.length,
    strata: d.strata,
    allocation: d.allocation,
    method: d.method,
    population: d.pop.total,
    strataDetail: d.detail,
    idsSha256,
    actor: d.opts.actor,
    createdAt: at,
    notes: d.notes,
  };
}

interface SampleRow {
  id: number;
  window_id: number;
  seed: string;
  size: number;
  strata: Strata;
  allocation: Allocation;
  method: SampleMethod;
  population: number;
  strata_detail: string;
  ids_sha256: string;
  actor: string;
  created_at: string;
}

/**
 * Parsed strata details, kept: a sample by user can have tens of thousands of strata, and the review
 * queue and the estimate read the sample on every label. Sample rows never change (append-only), so
 * a parse is reused for the same row; the arrays are frozen since they are shared.
 */
const parsedDetail = new Map<string, readonly StratumDetail[]>();
const KEEP_DETAILS = 8;

function strataDetailOf(r: SampleRow): StratumDetail[] {
  const key = [r.id, r.ids_sha256, r.strata, r.allocation, r.created_at, r.strata_detail.length].join('\0');
  let detail = parsedDetail.get(key);
  if (!detail) {
    detail = Object.freeze((JSON.parse(r.strata_detail) as StratumDetail[]).map((d) => Object.freeze(d)));
    parsedDetail.set(key, detail);
    while (parsedDetail.size > KEEP_DETAILS) parsedDetail.delete(parsedDetail.keys().next().value!);
  }
  return detail as StratumDetail[];
}

function toSample(r: SampleRow): Sample {
  return {
    id: r.id,
    windowId: r.window_id,
    seed: r.seed,
    size: r.size,
    strata: r.strata,
    allocation: r.allocation,
    method: r.method,
    population: r.population,
    strataDetail: strataDetailOf(r),
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

/**
 * The one SQL statement that re-derives a bottom-k sample (null for a `floyd` sample): run on a table
 * with the derived index's audit_records columns (request_id, ts as a UTC timestamp, user_id, tools,
 * kind), it returns the sample's request ids in list order. `engine` picks the dialect.
 */
export function sampleStatement(
  s: Pick<Sample, 'strata' | 'seed' | 'strataDetail'> & { method?: SampleMethod },
  w: Pick<AuditWindow, 'start' | 'end'>,
  opts: { engine?: Engine; table?: string } = {},
): string | null {
  if (s.method === 'floyd') return null;
  return bottomKSql({
    engine: opts.engine ?? 'duckdb',
    table: opts.table ?? 'audit_records',
    start: w.start,
    end: w.end,
    seed: s.seed,
    strata: s.strata,
    allocation: s.strataDetail.filter((d) => d.allocated > 0).map((d) => ({ key: d.key, n: d.allocated })),
  });
}
