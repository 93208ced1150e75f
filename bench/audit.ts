/**
 * `npx tsx bench/audit.ts`: output-log audit at production scale. Generates (once, into bench/.data)
 * 1,000,000 records in Probity's generic JSONL format (≈ 0.5 GB: 30 days, 50,000 users, 0–3 tool
 * calls each, random request ids), then, in a child process so its peak RSS is its own:
 *   - preserves the file into a fresh case and imports it (`audit import`),
 *   - sets a window holding every record and draws samples of 1,000 (strata none, day, tool, user),
 *   - labels 200 records of the last sample the way the app's review queue does (label, progress,
 *     next record) and times each step,
 *   - computes the blast radius.
 * Prints records/s of the import (read → parse → SQLite → digests, after the evidence copy; also
 * per CPU-second, since shared machines are noisy), the draw and blast-radius times, and peak RSS.
 * Targets: ≥ 50,000 records/s, RSS ≤ 400 MB, a draw in < 1 s, the next record in < 100 ms. AUDIT_RECORDS=200000 for a quick look.
 *
 * Then, each run, two more children on the same file, each with its own peak RSS:
 *   - Probity's DuckDB index (src/core/audit/engine): the file preserved into a fresh case (its
 *     SHA-256 taken), `buildIndex` from the stored object, the blast radius from the index, and a
 *     bottom-k sample of 1,000 (the statement `audit sql --engine duckdb` prints) run on the index;
 *     plus the disk the derived folder uses;
 *   - DuckDB alone: `read_json` of the file into a table (no digest, no field rules), the same
 *     aggregates inside and outside the window, and `USING SAMPLE reservoir(1000 ROWS) REPEATABLE(42)`.
 * Targets (issue 17, on 1,000,000 records): load ≤ 1.5× DuckDB's read_json (digesting included),
 * blast radius ≤ 2× DuckDB's, sample < 50 ms, peak RSS ≤ 600 MB.
 *
 * `--10m`: 10,000,000 records, the DuckDB children only (the SQLite import at that size is not run).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { blastRadius } from '../src/core/audit/blast-radius';
import {
  buildIndex,
  indexBlastRadius,
  openCaseIndex,
  openEngine,
  rows,
} from '../src/core/audit/engine/duckdb-index';
import { bottomKSql, sqlString } from '../src/core/audit/engine/queries';
import { resolveLogEvidence } from '../src/core/audit/evidence';
import { estimate } from '../src/core/audit/estimate';
import { loadedPolicy, policyFrom } from '../src/core/audit/policy';
import { importLog } from '../src/core/audit/importer';
import { ingestBundle } from '../src/core/ingest/ingest';
import { recordLabel } from '../src/core/audit/labels';
import { nextUnreviewed, reviewProgress } from '../src/core/audit/review';
import { drawSample } from '../src/core/audit/sample';
import { manualWindow, setWindow } from '../src/core/audit/window';
import { createRng } from '../src/core/stats';
import { Workstation } from '../src/core/store/workstation';

const here = path.dirname(fileURLToPath(import.meta.url));
const TEN_MILLION = process.argv.includes('--10m');
const COUNT = TEN_MILLION ? 10_000_000 : Number(process.env.AUDIT_RECORDS ?? '1000000');
const DAY = 86_400_000;
const START = Date.UTC(2026, 9, 1);
const TOOLS = ['lookup_order', 'search_kb', 'create_ticket', 'refund_order', 'send_email'];
const WORDS =
  'order refund shipping package arrived damaged size color warranty ticket invoice email address account password reset membership store hours'.split(
    ' ',
  );

function sentence(rng: ReturnType<typeof createRng>, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[rng.nextInt(WORDS.length)]!);
  return out.join(' ');
}

function record(rng: ReturnType<typeof createRng>, i: number): string {
  const ms = START + Math.floor((i / COUNT) * 30 * DAY) + rng.nextInt(60_000);
  const user = `usr_${rng.nextInt(50_000).toString(16).padStart(5, '0')}`;
  const calls = Array.from({ length: rng.nextInt(4) }, () => ({
    name: TOOLS[rng.nextInt(TOOLS.length)]!,
    arguments: { order_id: `NW-${rng.nextInt(1e6)}`, amount: rng.nextInt(300) },
  }));
  return JSON.stringify({
    timestamp: new Date(ms).toISOString(),
    // Random ids, as real logs have (the demo's are req_ + 20 hex digits): the worst case for the index.
    request_id: `req_${rng.nextUint32().toString(16).padStart(8, '0')}${rng.nextUint32().toString(16).padStart(8, '0')}${i.toString(16).padStart(5, '0')}`,
    user_id: user,
    conversation_id: `conv_${(i >> 1).toString(16)}`,
    model_version: ms < START + 10 * DAY ? 'r6' : 'r7',
    messages: [
      { role: 'system', content: 'You are the support assistant.' },
      { role: 'user', content: sentence(rng, 7) },
    ],
    response: sentence(rng, 10),
    tool_calls: calls,
    downstream: calls.length > 0 ? 'crm-sync' : null,
  });
}

function generate(file: string): void {
  if (fs.existsSync(file)) return;
  process.stderr.write(`generating ${COUNT} records into ${file}…\n`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const rng = createRng('probity-audit-bench');
  const fd = fs.openSync(`${file}.part`, 'w');
  let buf: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    buf.push(record(rng, i));
    if (buf.length === 10_000) {
      fs.writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  if (buf.length > 0) fs.writeSync(fd, `${buf.join('\n')}\n`);
  fs.closeSync(fd);
  fs.renameSync(`${file}.part`, file);
}

async function child(home: string, file: string): Promise<void> {
  const ws = new Workstation(home, 'bench');
  const store = ws.createCase({ title: 'audit bench', actor: 'bench' });
  let t = performance.now();
  await ingestBundle({ store, bundle: file, actor: 'bench', host: 'bench' });
  const copySeconds = (performance.now() - t) / 1000;
  // The import proper, from the evidence just stored: wall time and CPU time of this process.
  const cpu = process.cpuUsage();
  const r = await importLog({ store, file: path.basename(file), actor: 'bench', host: 'bench' });
  const used = process.cpuUsage(cpu);
  // The window holds every record, so the draws below are from the whole million.
  // With an authorized-tools policy, as an investigator sets it: refunds above 250 break it.
  const policy = policyFrom(
    { tools: { ...Object.fromEntries(TOOLS.map((t) => [t, {}])), refund_order: { max: { amount: 250 } } } },
    'bench policy',
  );
  setWindow(store, {
    actor: 'bench',
    spec: manualWindow(new Date(START).toISOString(), new Date(START + 31 * DAY).toISOString()),
    policy: loadedPolicy(policy, null),
  });
  const draws: Record<string, number> = {};
  for (const strata of ['none', 'day', 'tool', 'user'] as const) {
    t = performance.now();
    drawSample(store, {
      size: 1000,
      seed: `bench-${strata}`,
      strata,
      allocation: 'proportional',
      actor: 'bench',
    });
    draws[strata] = (performance.now() - t) / 1000;
  }
  // Cold: the first blast radius of the window (later calls reuse it while window and imports stand).
  t = performance.now();
  const radius = blastRadius(store);
  const radiusSeconds = (performance.now() - t) / 1000;
  // The review queue as the app drives it: each label returns the progress and the next record.
  const steps: number[] = [];
  let item = nextUnreviewed(store, 'bench');
  for (let i = 0; i < 200 && item; i++) {
    t = performance.now();
    recordLabel(store, {
      requestId: item.record.requestId,
      label: 'benign',
      reviewer: 'bench',
      actor: 'bench',
    });
    reviewProgress(store);
    item = nextUnreviewed(store, 'bench');
    steps.push(performance.now() - t);
  }
  steps.sort((a, b) => a - b);
  // The estimate panel after a label: harmful prevalence, tool-call census, projections.
  const estimates: number[] = [];
  for (let i = 0; i < 5 && item; i++) {
    recordLabel(store, {
      requestId: item.record.requestId,
      label: 'benign',
      reviewer: 'bench',
      actor: 'bench',
    });
    item = nextUnreviewed(store, 'bench');
    t = performance.now();
    estimate(store);
    estimates.push(performance.now() - t);
  }
  const review = {
    n: steps.length,
    medianMs: steps[steps.length >> 1]!,
    p95Ms: steps[Math.floor(steps.length * 0.95)]!,
  };
  store.close();
  process.stdout.write(
    JSON.stringify({
      records: r.records,
      bytes: r.bytes,
      copySeconds,
      importSeconds: r.seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      draws,
      radiusSeconds,
      review,
      estimateMs: estimates,
      inWindow: radius.inside.requests,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  return total;
}

const WINDOW = {
  start: new Date(START + 10 * DAY).toISOString(),
  end: new Date(START + 24 * DAY).toISOString(),
};

/** Probity's DuckDB index on a fresh case: preserve (digest), build, blast radius, bottom-k sample. */
async function indexChild(home: string, file: string): Promise<void> {
  const ws = new Workstation(home, 'bench');
  const store = ws.createCase({ title: 'audit index bench', actor: 'bench' });
  let t = performance.now();
  const log = await resolveLogEvidence(store, file, { actor: 'bench', host: 'bench' });
  const preserveSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const build = await buildIndex(store, { actor: 'bench', add: [log] });
  const buildSeconds = (performance.now() - t) / 1000;
  // A two-week window inside the 30 days, as in the issue's comparison.
  setWindow(store, { actor: 'bench', spec: manualWindow(WINDOW.start, WINDOW.end) });
  t = performance.now();
  const radius = await indexBlastRadius(store);
  const radiusSeconds = (performance.now() - t) / 1000;
  const engine = await openCaseIndex(store);
  let sampleSeconds: number;
  let sampled: number;
  try {
    const sql = bottomKSql({
      engine: 'duckdb',
      table: 'audit_records',
      ...WINDOW,
      seed: 'bench',
      strata: 'none',
      allocation: [{ key: 'all', n: 1000 }],
    });
    t = performance.now();
    sampled = (await rows(engine.conn, sql)).length;
    sampleSeconds = (performance.now() - t) / 1000;
  } finally {
    engine.close();
  }
  const derivedBytes = folderBytes(path.join(store.dir, 'derived'));
  store.close();
  process.stdout.write(
    JSON.stringify({
      records: build.records,
      preserveSeconds,
      buildSeconds,
      radiusSeconds,
      sampleSeconds,
      sampled,
      inWindow: radius.inside.requests,
      derivedBytes,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
}

/** DuckDB by itself on the same file: read_json into a table, the aggregates, a reservoir sample. */
async function duckdbChild(dir: string, file: string): Promise<void> {
  const engine = await openEngine(path.join(dir, 'plain.duckdb'), { spill: path.join(dir, 'spill') });
  try {
    const c = engine.conn;
    let t = performance.now();
    await c.run(
      `CREATE TABLE logs AS SELECT * FROM read_json(${sqlString(file)}, format = 'newline_delimited')`,
    );
    const loadSeconds = (performance.now() - t) / 1000;
    const inside = `CAST(timestamp AS TIMESTAMP) >= TIMESTAMP '${WINDOW.start.slice(0, 19)}' AND CAST(timestamp AS TIMESTAMP) < TIMESTAMP '${WINDOW.end.slice(0, 19)}'`;
    t = performance.now();
    for (const region of [inside, `NOT (${inside})`]) {
      await rows(
        c,
        `SELECT count(*), count(DISTINCT user_id), count(DISTINCT conversation_id), sum(len(tool_calls)),
           count(*) FILTER (WHERE len(tool_calls) > 0), min(timestamp), max(timestamp) FROM logs WHERE ${region}`,
      );
      await rows(
        c,
        `SELECT t.name, count(*) FROM (SELECT unnest(tool_calls) AS t FROM logs WHERE ${region}) GROUP BY 1`,
      );
      await rows(c, `SELECT CAST(timestamp AS DATE), count(*) FROM logs WHERE ${region} GROUP BY 1`);
      await rows(
        c,
        `SELECT downstream, count(*) FROM logs WHERE ${region} AND downstream IS NOT NULL GROUP BY 1`,
      );
      await rows(c, `SELECT model_version, count(*) FROM logs WHERE ${region} GROUP BY 1`);
    }
    const radiusSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const sampled = (
      await rows(
        c,
        `SELECT request_id FROM (SELECT request_id FROM logs WHERE ${inside}) AS w USING SAMPLE reservoir(1000 ROWS) REPEATABLE (42)`,
      )
    ).length;
    const sampleSeconds = (performance.now() - t) / 1000;
    process.stdout.write(
      JSON.stringify({
        loadSeconds,
        radiusSeconds,
        sampleSeconds,
        sampled,
        maxRssKb: process.resourceUsage().maxRSS,
      }),
    );
  } finally {
    engine.close();
  }
}

function runChild(mode: string, dir: string, file: string): Record<string, number> {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), mode, dir, file],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`bench child ${mode} failed (${r.status})`);
  return JSON.parse(r.stdout) as Record<string, number>;
}

function engineLines(file: string, home: string): string[] {
  const p = runChild('--index-child', path.join(home, 'index'), file);
  const d = runChild('--duckdb-child', path.join(home, 'duckdb'), file);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  const probityLoad = p.preserveSeconds! + p.buildSeconds!;
  const jsonlBytes = fs.statSync(file).size;
  return [
    `DuckDB engine: ${p.records} records, window ${WINDOW.start} → ${WINDOW.end} (${p.inWindow} inside; load average ${os.loadavg()[0]!.toFixed(1)})`,
    `  step            Probity (DuckDB index)                 DuckDB alone                 ratio`,
    `  load            ${probityLoad.toFixed(2)} s (preserve + SHA-256 ${p.preserveSeconds!.toFixed(2)} s, build ${p.buildSeconds!.toFixed(2)} s)   ${d.loadSeconds!.toFixed(2)} s (read_json)   ${ratio(probityLoad, d.loadSeconds!)} (target ≤ 1.5×); build alone ${ratio(p.buildSeconds!, d.loadSeconds!)}`,
    `  blast radius    ${p.radiusSeconds!.toFixed(3)} s                                ${d.radiusSeconds!.toFixed(3)} s                      ${ratio(p.radiusSeconds!, d.radiusSeconds!)} (target ≤ 2×)`,
    `  sample of 1000  ${(p.sampleSeconds! * 1000).toFixed(1)} ms bottom-k SHA-256 (${p.sampled} ids)          ${(d.sampleSeconds! * 1000).toFixed(1)} ms reservoir (${d.sampled})   (target < 50 ms)`,
    `  peak RSS        ${(p.maxRssKb! / 1024).toFixed(0)} MB                                 ${(d.maxRssKb! / 1024).toFixed(0)} MB (target ≤ 600 MB)`,
    `  disk            derived/ ${(p.derivedBytes! / 1e6).toFixed(0)} MB for ${(jsonlBytes / 1e6).toFixed(0)} MB of JSONL (${ratio(p.derivedBytes!, jsonlBytes)}; the preserved copy of the log is evidence, not counted)`,
    '',
  ];
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  if (process.argv[2] === '--index-child') return indexChild(process.argv[3]!, process.argv[4]!);
  if (process.argv[2] === '--duckdb-child') {
    fs.mkdirSync(process.argv[3]!, { recursive: true });
    return duckdbChild(process.argv[3]!, process.argv[4]!);
  }
  const file = path.join(here, '.data', `audit-${COUNT}.jsonl`);
  generate(file);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-audit-bench-'));
  try {
    if (TEN_MILLION) {
      process.stdout.write(engineLines(file, home).join('\n'));
      return;
    }
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', home, file],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (r.status !== 0) throw new Error(`bench child failed (${r.status})`);
    const m = JSON.parse(r.stdout) as {
      records: number;
      bytes: number;
      copySeconds: number;
      importSeconds: number;
      cpuSeconds: number;
      draws: Record<string, number>;
      radiusSeconds: number;
      review: { n: number; medianMs: number; p95Ms: number };
      estimateMs: number[];
      inWindow: number;
      maxRssKb: number;
    };
    const mb = (n: number): string => (n / 1e6).toFixed(0);
    process.stdout.write(
      [
        `audit import: ${m.records} records, ${mb(m.bytes)} MB (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
        `  evidence copy (ingest) ${m.copySeconds.toFixed(1)} s`,
        `  import (read → parse → SQLite → digests) ${m.importSeconds.toFixed(1)} s = ${Math.round(m.records / m.importSeconds)} records/s (target ≥ 50000); ` +
          `CPU ${m.cpuSeconds.toFixed(1)} s = ${Math.round(m.records / m.cpuSeconds)} records per CPU-second`,
        `  sample of 1000 from ${m.inWindow} records in the window: ${Object.entries(m.draws)
          .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
          .join(', ')} (target < 1 s)`,
        `  review: label → progress → next record, ${m.review.n} steps: median ${m.review.medianMs.toFixed(1)} ms, p95 ${m.review.p95Ms.toFixed(1)} ms (target < 100 ms)`,
        `  estimate after a label (what the app's estimate panel asks for), 5 times: ${m.estimateMs.map((x) => x.toFixed(0)).join(' / ')} ms`,
        `  blast radius ${m.radiusSeconds.toFixed(2)} s`,
        `  peak RSS ${(m.maxRssKb / 1024).toFixed(0)} MB (target ≤ 400 MB)`,
        '',
        ...engineLines(file, home),
      ].join('\n'),
    );
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
