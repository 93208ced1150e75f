/**
 * Every SQL statement of the audit's analytics engine, in one place: the derived index's schema, the
 * loaders that read preserved log objects with DuckDB's own readers, the blast-radius aggregates, and
 * the bottom-k sample statement in the four dialects Probity prints (DuckDB, Spark SQL, Trino,
 * BigQuery).
 *
 * The derived index holds one row per model call (`audit_records`) and one per tool call
 * (`audit_tool_calls`), each keyed by its evidence locator: the SHA-256 of the preserved object and
 * the record's ordinal in it (the n-th non-blank line of a JSONL log, the n-th row of a Parquet file,
 * counting from 1). Field rules follow the generic format (src/core/audit/formats/generic.ts): ids are
 * text or numbers, `response` may be a message object whose `tool_calls` count too, tool calls are
 * `{name}` or `{function: {name}}`, and timestamps follow src/core/audit/timestamps.ts (ISO 8601 with
 * or without zone — zoneless is UTC and counted —, or epoch numbers whose unit is read from their
 * magnitude).
 */
import { MAPPABLE_FIELDS } from '../types';

/** What the loaders produce; bumped when a field rule changes, and recorded with every build. */
export const INDEX_IMPORTER = 'probity-duckdb-generic/1';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS audit_records (
  object_sha256 VARCHAR NOT NULL,
  ordinal BIGINT NOT NULL,
  request_id VARCHAR NOT NULL,
  ts_ms BIGINT NOT NULL,
  ts TIMESTAMP NOT NULL,
  zoneless BOOLEAN NOT NULL,
  user_id VARCHAR,
  conversation_id VARCHAR,
  model_version VARCHAR,
  downstream VARCHAR,
  kind VARCHAR NOT NULL,
  tools VARCHAR NOT NULL,
  tool_call_count INTEGER NOT NULL,
  input_tokens BIGINT,
  output_tokens BIGINT
);
CREATE TABLE IF NOT EXISTS audit_tool_calls (
  object_sha256 VARCHAR NOT NULL,
  ordinal BIGINT NOT NULL,
  idx INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  ts_ms BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS index_inputs (
  object_sha256 VARCHAR NOT NULL,
  path VARCHAR NOT NULL,
  format VARCHAR NOT NULL,
  units BIGINT NOT NULL,
  records BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  importer VARCHAR NOT NULL
);
`;

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Text of a JSON id field: a non-empty string, or a number written out; anything else is missing. */
const text = (j: string): string =>
  `CASE json_type(${j}) WHEN 'VARCHAR' THEN nullif(${j} ->> '$', '') ` +
  `WHEN 'BIGINT' THEN ${j} ->> '$' WHEN 'UBIGINT' THEN ${j} ->> '$' WHEN 'DOUBLE' THEN ${j} ->> '$' END`;

/** Milliseconds from an epoch number, unit from its magnitude (timestamps.ts: epochToMs). */
const epochMs = (x: string): string =>
  `CASE WHEN abs(${x}) < 1e11 THEN round(${x} * 1000) WHEN abs(${x}) < 1e14 THEN round(${x}) ` +
  `WHEN abs(${x}) < 1e17 THEN round(${x} / 1000) ELSE round(${x} / 1e6) END`;

const ISO_RE = `'^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}(:\\d{2}([.,]\\d+)?)?\\s*(Z|z|[+-]\\d{2}(:?\\d{2})?)?$'`;
const ZONE_RE = `'(Z|z|[+-]\\d{2}(:?\\d{2})?)$'`;
const EPOCH_RE = `'^-?\\d+(\\.\\d+)?$'`;

/**
 * The load of one unit relation `u` (columns: ordinal, and the fields as JSON) into the two tables.
 * A unit without a usable timestamp is not a record (counted as rejected by the caller).
 */
function loadFrom(units: string, sha256: string): string {
  const sha = sqlString(sha256);
  return `
CREATE OR REPLACE TEMP TABLE staged AS
WITH u AS (${units}),
t AS (
  SELECT u.*, trim(timestamp ->> '$') AS ts_text, json_type(timestamp) AS ts_type FROM u
),
p AS (
  SELECT t.*,
    CASE
      WHEN ts_type IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN ${epochMs('CAST(ts_text AS DOUBLE)')}
      WHEN ts_type = 'VARCHAR' AND regexp_matches(ts_text, ${EPOCH_RE}) THEN ${epochMs('CAST(ts_text AS DOUBLE)')}
      WHEN ts_type = 'VARCHAR' AND regexp_matches(ts_text, ${ISO_RE})
        THEN epoch_ms(try_cast(
          regexp_replace(replace(replace(ts_text, 't', 'T'), ',', '.'), '(\\.\\d{3})\\d+', '\\1')
          || CASE WHEN regexp_matches(ts_text, ${ZONE_RE}) THEN '' ELSE '+00:00' END AS TIMESTAMPTZ))
    END AS ms,
    ts_type = 'VARCHAR' AND NOT regexp_matches(ts_text, ${EPOCH_RE})
      AND NOT regexp_matches(ts_text, ${ZONE_RE}) AS zoneless_ts,
    list_filter(
      list_transform(
        coalesce(CASE WHEN json_type(tool_calls) = 'ARRAY' THEN json_extract(tool_calls, '$[*]') END, [])
        || coalesce(CASE WHEN json_type(response -> 'tool_calls') = 'ARRAY'
             THEN json_extract(response, '$.tool_calls[*]') END, []),
        c -> coalesce(${text("(c -> 'function' -> 'name')")}, ${text("(c -> 'name')")})),
      n -> n IS NOT NULL) AS names
  FROM t
)
SELECT ${sha} AS object_sha256, ordinal,
  coalesce(${text('request_id')}, ${sqlString(sha256.slice(0, 12))} || ':' || ordinal) AS request_id,
  CAST(ms AS BIGINT) AS ts_ms, make_timestamp(CAST(ms AS BIGINT) * 1000) AS ts, zoneless_ts AS zoneless,
  ${text('user_id')} AS user_id, ${text('conversation_id')} AS conversation_id,
  ${text('model_version')} AS model_version, ${text('downstream')} AS downstream,
  'model' AS kind,
  CASE len(names) WHEN 0 THEN '' WHEN 1 THEN names[1] ELSE array_to_string(list_sort(list_distinct(names)), ',') END AS tools,
  len(names) AS tool_call_count,
  CAST(round(TRY_CAST(coalesce(usage ->> 'input_tokens', usage ->> 'prompt_tokens') AS DOUBLE)) AS BIGINT) AS input_tokens,
  CAST(round(TRY_CAST(coalesce(usage ->> 'output_tokens', usage ->> 'completion_tokens') AS DOUBLE)) AS BIGINT) AS output_tokens,
  names
FROM p WHERE ms IS NOT NULL;
INSERT INTO audit_records SELECT * EXCLUDE (names) FROM staged;
INSERT INTO audit_tool_calls
  SELECT object_sha256, ordinal, i AS idx, names[i] AS name, ts_ms
  FROM (SELECT *, unnest(range(1, len(names) + 1)) AS i FROM staged);
`;
}

/** Fields read from each unit, all as JSON (the field rules then apply in SQL). */
const FIELDS = [...MAPPABLE_FIELDS, 'usage'] as const;

/**
 * A generic JSONL log: read_json with explicit columns; one unit per non-blank line. A line that is
 * not JSON is read as a unit of empty fields (ignore_errors), so it keeps its place in the count and is
 * rejected for want of a timestamp instead of failing the whole load.
 */
export function loadJsonlSql(file: string, sha256: string): string {
  const columns = `{${FIELDS.map((f) => `${f}: 'JSON'`).join(', ')}}`;
  return loadFrom(
    `SELECT ${FIELDS.join(', ')}, ordinality AS ordinal FROM read_json(${sqlString(file)},
       format = 'newline_delimited', columns = ${columns}, maximum_object_size = 67108864, ignore_errors = true) WITH ORDINALITY`,
    sha256,
  );
}

/** A Parquet export: each row as a JSON object (whatever its column types), one unit per row. */
export function loadParquetSql(file: string, sha256: string): string {
  const col = (f: string): string => `j -> ${sqlString(f)} AS ${f}`;
  return loadFrom(
    `SELECT ${FIELDS.map(col).join(', ')}, ordinal FROM (
       SELECT to_json(r) AS j, r.file_row_number + 1 AS ordinal
       FROM read_parquet(${sqlString(file)}, file_row_number = true) AS r)`,
    sha256,
  );
}

/** Units (non-blank lines or rows) of a file, to count what was rejected. */
export function unitCountSql(file: string, format: 'jsonl' | 'parquet'): string {
  return format === 'parquet'
    ? `SELECT count(*) FROM read_parquet(${sqlString(file)})`
    : `SELECT count(*) FROM read_json(${sqlString(file)}, format = 'newline_delimited',
         columns = {timestamp: 'JSON'}, maximum_object_size = 67108864, ignore_errors = true)`;
}

/** Rows loaded from one object and a digest of their content, in locator order. */
export const OBJECT_SUMMARY_SQL = `
SELECT object_sha256, count(*) AS records,
  sha256(string_agg(concat_ws(chr(31), ordinal, request_id, ts_ms, coalesce(user_id, chr(0)),
    coalesce(conversation_id, chr(0)), coalesce(model_version, chr(0)), coalesce(downstream, chr(0)),
    kind, tools, tool_call_count, coalesce(CAST(input_tokens AS VARCHAR), chr(0)),
    coalesce(CAST(output_tokens AS VARCHAR), chr(0))), chr(10) ORDER BY ordinal)) AS digest
FROM audit_records GROUP BY object_sha256 ORDER BY object_sha256`;

// ---------------------------------------------------------------------------------------------
// Blast radius (the same aggregates as blast-radius.ts over the SQLite tables)
// ---------------------------------------------------------------------------------------------

/** Region predicates on ts_ms; both take ($1 start, $2 end). */
export const REGION = {
  inside: (col: string) => `${col} >= $1 AND ${col} < $2`,
  outside: (col: string) => `(${col} < $1 OR ${col} >= $2)`,
} as const;
export type Region = keyof typeof REGION;

export function regionBaseSql(region: Region): string {
  return `SELECT count(*) FILTER (WHERE kind = 'model') AS requests,
    count(DISTINCT user_id) FILTER (WHERE kind = 'model') AS users,
    count(user_id) FILTER (WHERE kind = 'model') AS with_user,
    count(DISTINCT conversation_id) FILTER (WHERE kind = 'model') AS conversations,
    count(conversation_id) FILTER (WHERE kind = 'model') AS with_conversation,
    count(*) FILTER (WHERE kind = 'model' AND tool_call_count > 0) AS with_tools,
    count(*) FILTER (WHERE kind = 'tool') AS tool_only,
    sum(input_tokens) FILTER (WHERE kind = 'model') AS input_tokens,
    sum(output_tokens) FILTER (WHERE kind = 'model') AS output_tokens,
    min(ts_ms) FILTER (WHERE kind = 'model') AS first, max(ts_ms) FILTER (WHERE kind = 'model') AS last
  FROM audit_records WHERE ${REGION[region]('ts_ms')}`;
}

export const regionToolsSql = (region: Region): string =>
  `SELECT name, count(*) FROM audit_tool_calls WHERE ${REGION[region]('ts_ms')} GROUP BY name ORDER BY name`;

export const regionDownstreamSql = (region: Region): string =>
  `SELECT downstream, count(*) FROM audit_records WHERE kind = 'model' AND downstream IS NOT NULL
   AND ${REGION[region]('ts_ms')} GROUP BY downstream ORDER BY downstream`;

export const regionVersionsSql = (region: Region): string =>
  `SELECT coalesce(model_version, '(not logged)') AS v, count(*) FROM audit_records WHERE kind = 'model'
   AND ${REGION[region]('ts_ms')} GROUP BY v ORDER BY v`;

export const regionPerDaySql = (region: Region): string =>
  `SELECT CAST(floor(ts_ms / 86400000) AS BIGINT) AS d, count(*) FROM audit_records WHERE kind = 'model'
   AND ${REGION[region]('ts_ms')} GROUP BY d ORDER BY d`;

// ---------------------------------------------------------------------------------------------
// The recomputable sample (bottom-k on SHA-256), and the warehouse forms of both queries
// ---------------------------------------------------------------------------------------------

export const ENGINES = ['duckdb', 'spark', 'trino', 'bigquery'] as const;
export type Engine = (typeof ENGINES)[number];

/** The per-engine pieces: lower-case hex SHA-256 of a string, UTC day of a timestamp, a UTC instant. */
const DIALECT: Record<
  Engine,
  { sha256: (x: string) => string; day: (ts: string) => string; instant: (iso: string) => string }
> = {
  duckdb: {
    sha256: (x) => `sha256(${x})`,
    day: (ts) => `strftime(${ts}, '%Y-%m-%d')`,
    instant: (iso) => `TIMESTAMP '${iso.replace('T', ' ').replace('Z', '')}'`,
  },
  spark: {
    sha256: (x) => `sha2(${x}, 256)`,
    day: (ts) => `date_format(${ts}, 'yyyy-MM-dd')`,
    instant: (iso) => `TIMESTAMP '${iso.replace('T', ' ').replace('Z', '')}'`,
  },
  trino: {
    sha256: (x) => `lower(to_hex(sha256(to_utf8(${x}))))`,
    day: (ts) => `format_datetime(${ts}, 'yyyy-MM-dd')`,
    instant: (iso) => `TIMESTAMP '${iso.replace('T', ' ').replace('Z', '')}'`,
  },
  bigquery: {
    sha256: (x) => `TO_HEX(SHA256(${x}))`,
    day: (ts) => `FORMAT_TIMESTAMP('%Y-%m-%d', ${ts}, 'UTC')`,
    instant: (iso) => `TIMESTAMP '${iso.replace('T', ' ').replace('Z', '+00')}'`,
  },
};

export const SAMPLE_STRATA = ['none', 'day', 'tool', 'user'] as const;
export type SampleStrata = (typeof SAMPLE_STRATA)[number];

/** The stratum key of a record, as sample.ts defines it, in SQL. */
function stratumSql(engine: Engine, strata: SampleStrata): string {
  switch (strata) {
    case 'none':
      return `'all'`;
    case 'day':
      return DIALECT[engine].day('ts');
    case 'tool':
      return `CASE WHEN tools = '' THEN '(none)' ELSE tools END`;
    case 'user':
      return `coalesce(user_id, '(no user id)')`;
  }
}

export interface SampleQuerySpec {
  engine: Engine;
  table: string;
  /** ISO 8601 UTC bounds of the window, [start, end). */
  start: string;
  end: string;
  seed: string;
  strata: SampleStrata;
  /** n_h per stratum key (from the allocation), in key order. */
  allocation: readonly { key: string; n: number }[];
}

/**
 * The one statement that re-derives a bottom-k sample: in each stratum, the n_h model calls of the
 * window with the smallest lower-case hex SHA-256 of (seed ‖ request id), ties by request id; listed
 * stratum by stratum, each in that order. Its table has the columns of the derived index's
 * audit_records (request_id, ts as a UTC timestamp, user_id, tools, kind).
 */
export function bottomKSql(s: SampleQuerySpec): string {
  const d = DIALECT[s.engine];
  const alloc = s.allocation
    .map((a) => `SELECT ${sqlString(a.key)} AS stratum, ${a.n} AS n`)
    .join('\n    UNION ALL ');
  return `WITH population AS (
  SELECT request_id, ${stratumSql(s.engine, s.strata)} AS stratum,
    ${d.sha256(`concat(${sqlString(s.seed)}, request_id)`)} AS h
  FROM ${s.table}
  WHERE kind = 'model' AND ts >= ${d.instant(s.start)} AND ts < ${d.instant(s.end)}
),
allocation AS (
  ${alloc}
),
ranked AS (
  SELECT p.request_id, p.stratum, p.h,
    row_number() OVER (PARTITION BY p.stratum ORDER BY p.h, p.request_id) AS k
  FROM population p
)
SELECT r.request_id, r.stratum
FROM ranked r JOIN allocation a ON a.stratum = r.stratum
WHERE r.k <= a.n
ORDER BY r.stratum, r.k`;
}

/** The window's blast-radius aggregates for an engine, over the same table shape. */
export function blastRadiusSql(s: Pick<SampleQuerySpec, 'engine' | 'table' | 'start' | 'end'>): string {
  const d = DIALECT[s.engine];
  const inside = `ts >= ${d.instant(s.start)} AND ts < ${d.instant(s.end)}`;
  return `SELECT CASE WHEN ${inside} THEN 'inside' ELSE 'outside' END AS region,
  ${d.day('ts')} AS day,
  count(*) AS requests,
  count(DISTINCT user_id) AS users,
  count(DISTINCT conversation_id) AS conversations,
  sum(CASE WHEN tool_call_count > 0 THEN 1 ELSE 0 END) AS requests_with_tool_calls,
  sum(tool_call_count) AS tool_calls
FROM ${s.table}
WHERE kind = 'model'
GROUP BY 1, 2
ORDER BY 1, 2`;
}

/** Requests by tool set and by downstream system, inside the window, for an engine. */
export function breakdownSql(s: Pick<SampleQuerySpec, 'engine' | 'table' | 'start' | 'end'>): string {
  const d = DIALECT[s.engine];
  return `SELECT 'tools' AS dimension, tools AS value, count(*) AS requests
FROM ${s.table}
WHERE kind = 'model' AND ts >= ${d.instant(s.start)} AND ts < ${d.instant(s.end)}
GROUP BY tools
UNION ALL
SELECT 'downstream' AS dimension, downstream AS value, count(*) AS requests
FROM ${s.table}
WHERE kind = 'model' AND downstream IS NOT NULL AND ts >= ${d.instant(s.start)} AND ts < ${d.instant(s.end)}
GROUP BY downstream
ORDER BY 1, 2`;
}
