/**
 * `probity audit index | sql`, `audit blast-radius --engine duckdb` and `verify --rebuild-derived`
 * from the command line: the DuckDB index agrees with the SQLite records, a Parquet export of the same
 * log gives the same blast radius, the printed DuckDB statements run and re-derive the drawn sample,
 * and the other dialects carry their own SHA-256 and timestamp functions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { openEngine, rows } from '../../core/audit/engine/duckdb-index';
import { sqlString } from '../../core/audit/engine/queries';
import { runProbity } from '../testkit';

let home: string;
let dir: string;
let id: string;

const cli = (...args: string[]) => runProbity(home, args);

function json<T>(...args: string[]): T {
  const r = cli(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

async function query(file: string, sql: string): Promise<unknown[][]> {
  const engine = await openEngine(file, { spill: path.join(dir, 'spill') });
  try {
    return await rows(engine.conn, sql);
  } finally {
    engine.close();
  }
}

beforeAll(() => {
  home = tempDir('probity-audit-engine-cli-');
  dir = tempDir('probity-audit-engine-files-');
  const lines = Array.from({ length: 60 }, (_, i) =>
    JSON.stringify({
      timestamp: new Date(Date.UTC(2026, 9, 5 + Math.floor(i / 10), 9, i)).toISOString(),
      request_id: `req-${i}`,
      user_id: `u${i % 7}`,
      conversation_id: `c${i % 25}`,
      model_version: i < 20 ? 'r6' : 'r7',
      messages: [{ role: 'user', content: `q${i}` }],
      response: `a${i}`,
      tool_calls: i % 3 === 0 ? [{ name: i % 2 ? 'refund_order' : 'lookup', arguments: {} }] : [],
      downstream: i % 4 === 0 ? 'crm-sync' : null,
      usage: { input_tokens: 10 + i, output_tokens: 5 },
    }),
  );
  lines.splice(7, 0, '{broken');
  fs.writeFileSync(path.join(dir, 'requests.jsonl'), `${lines.join('\n')}\n`);
  fs.writeFileSync(
    path.join(dir, 'history.jsonl'),
    [
      { timestamp: '2026-10-01T00:00:00Z', event: 'deployed', model_version: 'r6' },
      { timestamp: '2026-10-07T00:00:00Z', event: 'deployed', model_version: 'r7' },
      { timestamp: '2026-10-09T12:00:00Z', event: 'isolated', model_version: 'fallback' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  id = cli('case', 'create', '--title', 'audit engine cli').stdout.trim();
  expect(cli('audit', 'import', id, path.join(dir, 'requests.jsonl')).code).toBe(0);
  expect(
    cli('audit', 'window', id, '--from-deployments', '--deployments', path.join(dir, 'history.jsonl')).code,
  ).toBe(0);
}, 60_000);

afterAll(() => {
  rmrf(home);
  rmrf(dir);
});

type Radius = { inside: Record<string, unknown>; outside: Record<string, unknown>; sources: unknown[] };

function indexFile(caseId: string): string {
  return path.join(home, 'cases', caseId, 'derived', 'audit.duckdb');
}

describe('probity audit index and the DuckDB engine', () => {
  it('builds the index in the case and gives the blast radius of the SQLite records', () => {
    const b = json<{ records: number; inputs: { format: string; rejected: number; units: number }[] }>(
      'audit',
      'index',
      id,
    );
    expect(b.records).toBe(60);
    expect(b.inputs).toEqual([expect.objectContaining({ format: 'jsonl', units: 61, rejected: 1 })]);
    expect(fs.existsSync(indexFile(id))).toBe(true);
    const sqlite = json<Radius>('audit', 'blast-radius', id);
    const duck = json<Radius>('audit', 'blast-radius', id, '--engine', 'duckdb');
    expect(sqlite.inside.requests).toBe(30);
    expect(duck.inside).toEqual(sqlite.inside);
    expect(duck.outside).toEqual(sqlite.outside);
    expect(cli('audit', 'blast-radius', id, '--engine', 'spark').stderr).toMatch(
      /--engine spark: one of sqlite, duckdb/,
    );
  }, 60_000);

  it('verify --rebuild-derived agrees with the index, and fails on one whose rows were changed', async () => {
    const ok = cli('verify', id, '--rebuild-derived');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/derived\/audit\.duckdb: rebuilt from 1 preserved log and compared/);
    await query(indexFile(id), "UPDATE audit_records SET downstream = 'elsewhere' WHERE ordinal = 9");
    // Without the flag the derived file is not looked at; with it, the change is found.
    expect(cli('verify', id).code).toBe(0);
    const bad = cli('verify', id, '--rebuild-derived');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /derived\/audit\.duckdb: the file does not hold the recorded rows of requests\.jsonl; run probity audit index again/,
    );
    // Rebuilding repairs it: the index is derived.
    expect(cli('audit', 'index', id).code).toBe(0);
    expect(cli('verify', id, '--rebuild-derived').code).toBe(0);
  }, 120_000);

  it('gives a Parquet export of the log, added with --add, the same blast radius', async () => {
    const parquet = path.join(dir, 'requests.parquet');
    await query(
      path.join(dir, 'export.duckdb'),
      `COPY (SELECT * FROM read_json(${sqlString(path.join(dir, 'requests.jsonl'))}, format = 'newline_delimited', ignore_errors = true)
         WHERE request_id IS NOT NULL) TO ${sqlString(parquet)} (FORMAT parquet)`,
    );
    const other = cli('case', 'create', '--title', 'parquet').stdout.trim();
    expect(
      cli('audit', 'window', other, '--from-deployments', '--deployments', path.join(dir, 'history.jsonl'))
        .code,
    ).toBe(0);
    const b = json<{ records: number; inputs: { format: string; rejected: number }[] }>(
      'audit',
      'index',
      other,
      '--add',
      parquet,
    );
    expect(b.inputs).toEqual([expect.objectContaining({ format: 'parquet', rejected: 0 })]);
    const fromParquet = json<Radius>('audit', 'blast-radius', other, '--engine', 'duckdb');
    const fromJsonl = json<Radius>('audit', 'blast-radius', id);
    expect(fromParquet.inside).toEqual(fromJsonl.inside);
    expect(fromParquet.outside).toEqual(fromJsonl.outside);
    // The Parquet file is evidence of the case now: a rebuild reads it again.
    expect(cli('evidence', other).stdout).toMatch(/requests\.parquet/);
    expect(cli('verify', other, '--rebuild-derived').code).toBe(0);
  }, 120_000);

  it('prints DuckDB statements that run on the index and re-derive the drawn sample', async () => {
    const s = json<{ statement: string; items: { requestId: string; stratum: string }[]; method: string }>(
      'audit',
      'sample',
      id,
      '--size',
      '9',
      '--seed',
      'warehouse-1',
      '--strata',
      'tool',
    );
    expect(s.method).toBe('bottom-k');
    const printed = json<{ blastRadius: string; breakdown: string; sample: { statement: string } }>(
      'audit',
      'sql',
      id,
      '--engine',
      'duckdb',
      '--table',
      'audit_records',
    );
    expect(printed.sample.statement).toBe(s.statement);
    const got = await query(indexFile(id), printed.sample.statement);
    expect(got.map((r) => ({ requestId: r[0], stratum: r[1] }))).toEqual(
      s.items.map((i) => ({ requestId: i.requestId, stratum: i.stratum })),
    );
    const radius = json<Radius & { inside: { requests: number; perDay: { requests: number }[] } }>(
      'audit',
      'blast-radius',
      id,
    );
    const agg = await query(indexFile(id), printed.blastRadius);
    const inside = agg.filter((r) => r[0] === 'inside');
    expect(inside.reduce((a, r) => a + (r[2] as number), 0)).toBe(radius.inside.requests);
    expect(inside.map((r) => r[2])).toEqual(radius.inside.perDay.map((d) => d.requests));
    const breakdown = await query(indexFile(id), printed.breakdown);
    expect(breakdown.filter((r) => r[0] === 'downstream')).toEqual([['downstream', 'crm-sync', 8]]);
    // An unstratified statement without a drawn sample: --size and --seed.
    const unstratifiedArgs = ['audit', 'sql', id, '--engine', 'duckdb', '--table', 'audit_records'];
    unstratifiedArgs.push('--size', '4', '--seed', 'x');
    const text = cli(...unstratifiedArgs);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/-- Sample \(bottom-k on SHA-256, seed "x"\)/);
    const unstratified = json<{ sample: { id: null; statement: string } }>(...unstratifiedArgs);
    expect(unstratified.sample.id).toBeNull();
    expect(text.stdout).toContain(unstratified.sample.statement);
    const four = await query(indexFile(id), unstratified.sample.statement);
    expect(four).toHaveLength(4);
  }, 120_000);

  it.each([
    ['spark', ['sha2(concat(', ', 256)', "date_format(ts, 'yyyy-MM-dd')"], ['to_hex', 'SHA256(']],
    ['trino', ['lower(to_hex(sha256(to_utf8(concat(', "format_datetime(ts, 'yyyy-MM-dd')"], ['sha2(']],
    ['bigquery', ['TO_HEX(SHA256(concat(', "FORMAT_TIMESTAMP('%Y-%m-%d', ts, 'UTC')"], ['sha2(', 'to_utf8']],
  ])('prints the %s dialect with its own SHA-256 and day functions', (engine, has, hasNot) => {
    const p = json<{ blastRadius: string; sample: { statement: string } }>(
      'audit',
      'sql',
      id,
      '--engine',
      engine,
      '--table',
      'logs.requests',
      '--size',
      '50',
      '--seed',
      'w',
    );
    for (const f of has) expect(p.sample.statement + p.blastRadius).toContain(f);
    for (const f of hasNot) expect(p.sample.statement + p.blastRadius).not.toContain(f);
    expect(p.sample.statement).toContain('FROM logs.requests');
    expect(p.sample.statement).toMatch(
      /row_number\(\) OVER \(PARTITION BY p\.stratum ORDER BY p\.h, p\.request_id\) AS k[\s\S]*WHERE r\.k <= a\.n/,
    );
    expect(p.sample.statement).toContain("SELECT 'all' AS stratum, 50 AS n");
  });

  it('refuses a bad engine, table or option mix with one line', () => {
    expect(cli('audit', 'sql', id, '--table', 't').stderr).toMatch(/--engine is required/);
    expect(cli('audit', 'sql', id, '--engine', 'oracle', '--table', 't').stderr).toMatch(
      /--engine oracle: one of duckdb, spark, trino, bigquery/,
    );
    expect(cli('audit', 'sql', id, '--engine', 'trino', '--table', 't; DROP TABLE x').code).toBe(2);
    expect(cli('audit', 'sql', id, '--engine', 'trino', '--table', 't', '--size', '3').stderr).toMatch(
      /--size and --seed go together/,
    );
  });
});
