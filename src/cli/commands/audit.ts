/**
 * `probity audit …`: the output-log audit from the command line, a thin layer over src/core/audit.
 * Every command takes --json (stdout then carries only the JSON result); exit 0 ok, 2 bad usage or
 * unreadable input (one line naming the file or case and the reason).
 */
import type { CaseStore } from '../../core/store/workstation';
import { ProbityError } from '../../core/util/errors';
import { humanBytes } from '../../core/util/format';
import {
  ALLOCATIONS,
  blastRadius,
  currentSample,
  currentWindow,
  deploymentWindow,
  estimate,
  exportSample,
  importLog,
  LABELS,
  manualWindow,
  nextUnreviewed,
  planReview,
  readPolicyFile,
  recordEstimate,
  recordLabel,
  reviewProgress,
  setWindow,
  STRATA,
  drawSample,
  requireSample,
  SAMPLE_METHODS,
  sampleItems,
  sampleStatement,
  windowOfSample,
  type Allocation,
  type SampleMethod,
  type AuditEstimate,
  type AuditWindow,
  type BlastRadius,
  type ImportReport,
  type RegionStats,
  type ReviewPlan,
  type ReviewItem,
  type Sample,
  type Strata,
} from '../../core/audit';
import { LOG_FORMATS, type LogFormat } from '../../core/audit/types';
import type { Prevalence } from '../../core/audit/estimate';
import { pctFine as pct } from '../../shared/format';
import type { Command, CommandContext } from '../command';
import { choice, integerOpt, opt, proportionOpt } from '../options';
import { emit, pad, print as out, withCase } from '../output';
import {
  blastRadiusSql,
  bottomKSql,
  breakdownSql,
  ENGINES,
  type Engine as SqlEngine,
} from '../../core/audit/engine/queries';
import { resolveLogEvidence } from '../../core/audit/evidence';
import { requireWindow } from '../../core/audit/window';

const interval = (i: { lower: number; upper: number }): string => `${pct(i.lower)}–${pct(i.upper)}`;

function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  return `${d > 0 ? `${d} d ` : ''}${h} h ${min % 60} min`;
}

// ---------------------------------------------------------------------------------------------
// audit import
// ---------------------------------------------------------------------------------------------

function importLines(r: ImportReport): string[] {
  const head = r.alreadyImported
    ? `${r.caseId}: ${r.file} was already imported (import ${r.importId}): nothing written`
    : `${r.caseId}: imported ${r.file}${r.resumed ? ' (resumed)' : ''}: ${r.records} records, ${r.toolCalls} tool calls in ${r.seconds.toFixed(1)} s (${Math.round(r.recordsPerSecond)} records/s)`;
  const lines = [
    head,
    `  evidence sha256 ${r.sha256} (${humanBytes(r.bytes)}${r.preserved ? ', preserved into the case by this import' : ''})`,
    `  format ${r.format} (${r.mode === 'lines' ? 'JSON lines' : 'one document'})${
      Object.keys(r.mapping).length > 0
        ? `, mapped ${Object.entries(r.mapping)
            .map(([f, p]) => `${f}=${p}`)
            .join(' ')}`
        : ''
    }`,
    `  time range ${r.firstTimestamp ?? '-'} → ${r.lastTimestamp ?? '-'}`,
    `  malformed ${r.malformed} · duplicates skipped ${r.duplicates} · items without output ${r.skipped} · missing user ids ${r.missingUserIds} · zone-less times taken as UTC ${r.zonelessTimestamps} · request ids made from the line ${r.syntheticRequestIds}`,
  ];
  for (const p of r.problems.slice(0, 20))
    lines.push(`  line ${p.line}${p.item ? ` ${p.item}` : ''}: ${p.reason}`);
  if (r.malformed > 20) lines.push(`  … ${r.malformed - 20} more (--json lists up to 1000)`);
  if (r.duplicates > 0)
    lines.push(
      `  duplicate request ids on lines ${r.duplicateLines.slice(0, 20).join(', ')}${r.duplicates > 20 ? ', …' : ''}`,
    );
  for (const [reason, n] of Object.entries(r.skippedReasons).slice(0, 10))
    lines.push(`  skipped ${n}: ${reason}`);
  if (r.recordsSha256) lines.push(`  records sha256 ${r.recordsSha256}`);
  return lines;
}

const auditImport: Command = {
  summary:
    'Import an output log (generic JSONL, OpenAI chat-completion or Batch API output, OpenTelemetry GenAI spans as JSON). ' +
    'A file on disk is preserved as evidence first; the path of evidence already in the case works too. Malformed lines are ' +
    'reported by number and the rest imported; running it again resumes an interrupted import.',
  usage: `<case-id> <file> [--format auto|${LOG_FORMATS.join('|')}] [--map field=json.path …] [--home DIR] [--json]`,
  positionals: ['<case-id>', '<file>'],
  options: { format: { type: 'string' }, map: { type: 'string', multiple: true } },
  async run(ctx) {
    const format = choice<LogFormat | 'auto'>(ctx, 'format', ['auto', ...LOG_FORMATS], 'auto');
    const map = (ctx.options.map as string[] | undefined) ?? [];
    return withCase(ctx, async (store) => {
      const r = await importLog({
        store,
        file: ctx.args[1]!,
        format,
        map,
        actor: ctx.actor,
        host: ctx.host,
        signal: ctx.signal,
      });
      if (r.records === 0 && r.malformed > 0 && !r.alreadyImported) {
        throw new ProbityError(
          'malformed',
          `${r.file}: no record could be read (${r.malformed} malformed, first: line ${r.problems[0]?.line}: ${r.problems[0]?.reason})`,
          { file: r.file },
        );
      }
      if (ctx.json) emit(ctx, r);
      else out(ctx, importLines(r));
      return 0;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// audit window
// ---------------------------------------------------------------------------------------------

function sourceLine(w: AuditWindow): string {
  const s = w.source;
  if (s.kind === 'manual') {
    return `set by hand (--from ${s.from} --to ${s.to})${s.zonelessInputs.length > 0 ? `; taken as UTC: ${s.zonelessInputs.join(', ')}` : ''}`;
  }
  return (
    `deployment records ${s.evidencePath} (sha256 ${s.sha256}): version ${s.version} ` +
    `${s.start.event} at ${s.start.timestamp} (line ${s.start.line}) → ${s.end.event} at ${s.end.timestamp} (line ${s.end.line})`
  );
}

export function windowLines(caseId: string, w: AuditWindow): string[] {
  const tools = w.policy
    ? `${Object.keys(w.policy.tools).length} tools (${Object.keys(w.policy.tools).join(', ')}), policy sha256 ${w.policySha256}`
    : 'none given';
  return [
    `${caseId}: compromise window ${w.start} → ${w.end} (${duration(w.endMs - w.startMs)}; the end is excluded)`,
    `  source: ${sourceLine(w)}`,
    `  authorized tools: ${tools}`,
    `  set by ${w.actor} at ${w.createdAt} (window ${w.id})`,
  ];
}

async function windowSpec(ctx: CommandContext, store: CaseStore) {
  const from = opt(ctx, 'from');
  const to = opt(ctx, 'to');
  if (ctx.options['from-deployments'] === true) {
    if (from !== undefined || to !== undefined)
      throw new ProbityError('usage', 'give either --from-deployments or --from/--to, not both');
    return deploymentWindow(store, {
      ref: opt(ctx, 'deployments'),
      version: opt(ctx, 'version'),
      actor: ctx.actor,
      host: ctx.host,
    });
  }
  if (from === undefined && to === undefined) return null;
  if (from === undefined || to === undefined) throw new ProbityError('usage', 'give both --from and --to');
  return manualWindow(from, to);
}

const auditWindow: Command = {
  summary:
    'Set the compromise window: by hand, or from the deployment records in the evidence (the compromised version deployed → isolated). ' +
    'With --authorized-tools, store the authorized-tools policy with it. Without options, show the current window and its source.',
  usage:
    '<case-id> [--from TIME --to TIME | --from-deployments [--deployments PATH] [--version V]] [--authorized-tools FILE] [--json]',
  positionals: ['<case-id>'],
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    'from-deployments': { type: 'boolean' },
    deployments: { type: 'string' },
    version: { type: 'string' },
    'authorized-tools': { type: 'string' },
  },
  async run(ctx) {
    return withCase(ctx, async (store) => {
      const spec = await windowSpec(ctx, store);
      const toolsFile = opt(ctx, 'authorized-tools');
      let w: AuditWindow | null;
      if (spec)
        w = setWindow(store, {
          actor: ctx.actor,
          spec,
          policy: toolsFile ? readPolicyFile(toolsFile) : null,
        });
      else if (toolsFile) {
        const cur = currentWindow(store);
        if (!cur)
          throw new ProbityError(
            'usage',
            `${store.id}: set a window (--from/--to or --from-deployments) with the policy`,
          );
        w = setWindow(store, {
          actor: ctx.actor,
          spec: { startMs: cur.startMs, endMs: cur.endMs, source: cur.source },
          policy: readPolicyFile(toolsFile),
        });
      } else w = currentWindow(store);
      if (!w)
        throw new ProbityError(
          'usage',
          `${store.id}: no window set yet; give --from-deployments or --from and --to`,
        );
      if (ctx.json) emit(ctx, w);
      else out(ctx, windowLines(store.id, w));
      return 0;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// audit blast-radius
// ---------------------------------------------------------------------------------------------

function namedRows(title: string, a: Record<string, number>, b: Record<string, number>): string[][] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return [[title, '', ''], ...names.map((n) => [`  ${n}`, String(a[n] ?? 0), String(b[n] ?? 0)])];
}

function regionRows(i: RegionStats, o: RegionStats): string[][] {
  const row = (label: string, f: (r: RegionStats) => string | number): string[] => [
    label,
    String(f(i)),
    String(f(o)),
  ];
  const rows = [
    ['', 'INSIDE', 'OUTSIDE'],
    row('requests', (r) => r.requests),
    row('distinct users', (r) => r.users),
    row('requests without a user id', (r) => r.requestsWithoutUser),
    row('distinct conversations', (r) => r.conversations),
    row('requests with tool calls', (r) => r.requestsWithToolCalls),
    row('tool calls', (r) => r.toolCalls.total),
    ...namedRows('tool calls by tool', i.toolCalls.byName, o.toolCalls.byName),
    ...namedRows('outputs consumed downstream', i.downstream, o.downstream),
    ...namedRows('model versions', i.modelVersions, o.modelVersions),
  ];
  if (i.outputTokens !== null || o.outputTokens !== null)
    rows.push(row('output tokens', (r) => r.outputTokens ?? '-'));
  if (i.toolExecutionsWithoutModelCall + o.toolExecutionsWithoutModelCall > 0) {
    rows.push(row('tool executions without a model call', (r) => r.toolExecutionsWithoutModelCall));
  }
  return rows;
}

function perDayLines(r: RegionStats): string[] {
  const max = Math.max(1, ...r.perDay.map((d) => d.requests));
  return r.perDay.map(
    (d) =>
      `  ${d.day}  ${String(d.requests).padStart(7)}  ${'#'.repeat(Math.round((40 * d.requests) / max))}`,
  );
}

function blastLines(b: BlastRadius): string[] {
  return [
    `Blast radius of ${b.caseId}: window ${b.window.start} → ${b.window.end}`,
    `  from ${b.sources.length} imported log${b.sources.length === 1 ? '' : 's'} (${b.sources.reduce((a, s) => a + s.records, 0)} records)`,
    '',
    ...pad(regionRows(b.inside, b.outside)),
    `first and last request inside: ${b.inside.first ?? '-'} … ${b.inside.last ?? '-'}; outside: ${b.outside.first ?? '-'} … ${b.outside.last ?? '-'}`,
    '',
    'Requests per day inside the window (UTC):',
    ...perDayLines(b.inside),
    ...(b.notes.length > 0 ? ['', ...b.notes.map((n) => `note: ${n}`)] : []),
  ];
}

const auditBlastRadius: Command = {
  summary:
    'Requests, distinct users and conversations, tool calls by tool, requests per day and downstream systems, inside the window and outside it ' +
    '(--engine duckdb: computed by the DuckDB audit index, which probity audit index builds).',
  usage: '<case-id> [--engine sqlite|duckdb] [--json]',
  positionals: ['<case-id>'],
  options: { engine: { type: 'string' } },
  async run(ctx) {
    const engine = choice(ctx, 'engine', ['sqlite', 'duckdb'] as const, 'sqlite');
    return withCase(ctx, async (store) => {
      const b =
        engine === 'duckdb'
          ? await (await import('../../core/audit/engine/duckdb-index')).indexBlastRadius(store)
          : blastRadius(store);
      if (ctx.json) emit(ctx, b);
      else out(ctx, blastLines(b));
      return 0;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// audit index / audit sql
// ---------------------------------------------------------------------------------------------

const auditIndex: Command = {
  summary:
    "Build the DuckDB index of the imported logs (derived/audit.duckdb inside the case: rebuildable, never evidence) with DuckDB's own " +
    "readers; --add preserves a Parquet (or JSONL) export and indexes it too. The inputs' SHA-256, the loader version and the row counts go in the custody log.",
  usage: '<case-id> [--add FILE]... [--memory-limit SIZE] [--json]',
  positionals: ['<case-id>'],
  options: { add: { type: 'string', multiple: true }, 'memory-limit': { type: 'string' } },
  async run(ctx) {
    const memoryLimit = opt(ctx, 'memory-limit');
    if (memoryLimit !== undefined && !/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit))
      throw new ProbityError('usage', `--memory-limit ${memoryLimit}: a size such as 512MB or 2GB`);
    const adds = (ctx.options.add as string[] | undefined) ?? [];
    return withCase(ctx, async (store) => {
      const add = [];
      for (const f of adds)
        add.push(await resolveLogEvidence(store, f, { actor: ctx.actor, host: ctx.host }));
      const { buildIndex } = await import('../../core/audit/engine/duckdb-index');
      const started = Date.now();
      const b = await buildIndex(store, { actor: ctx.actor, memoryLimit, add });
      const seconds = (Date.now() - started) / 1000;
      if (ctx.json) emit(ctx, { ...b, seconds });
      else
        out(ctx, [
          `${store.id}: indexed ${b.records} records, ${b.toolCalls} tool calls from ${b.inputs.length} object${b.inputs.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s (${b.importer})`,
          `  ${b.file}`,
          ...pad([
            ['OBJECT', 'FORMAT', 'UNITS', 'RECORDS', 'REJECTED', 'ROWS SHA256'],
            ...b.inputs.map((i) => [
              i.path,
              i.format,
              String(i.units),
              String(i.records),
              String(i.rejected),
              i.digest,
            ]),
          ]).map((l) => `  ${l}`),
          ...b.skipped.map(
            (k) =>
              `note: ${k.path} (imported as ${k.format}) is not indexed: DuckDB's loader reads generic JSONL and Parquet`,
          ),
          `blast radius from it: probity audit blast-radius ${store.id} --engine duckdb`,
        ]);
      return 0;
    });
  },
};

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$/;

const auditSql: Command = {
  summary:
    "Print the window's blast-radius queries and the bottom-k sample statement for a SQL engine, to run where the logs live " +
    '(the current sample, --sample ID, or --size N --seed S for an unstratified one).',
  usage: `<case-id> --engine ${ENGINES.join('|')} --table NAME [--sample ID | --size N --seed S] [--json]`,
  positionals: ['<case-id>'],
  options: {
    engine: { type: 'string' },
    table: { type: 'string' },
    sample: { type: 'string' },
    size: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(ctx) {
    if (opt(ctx, 'engine') === undefined)
      throw new ProbityError('usage', `--engine is required: one of ${ENGINES.join(', ')}`);
    const engine = choice<SqlEngine>(ctx, 'engine', ENGINES, 'duckdb');
    const table = opt(ctx, 'table');
    if (!table || !TABLE_NAME.test(table))
      throw new ProbityError(
        'usage',
        `--table ${table ?? ''}: name a table (letters, digits, _, up to catalog.schema.table)`,
      );
    const size = integerOpt(ctx, 'size');
    const seed = opt(ctx, 'seed');
    if ((size === undefined) !== (seed === undefined))
      throw new ProbityError('usage', '--size and --seed go together');
    const sampleId = integerOpt(ctx, 'sample');
    if (sampleId !== undefined && size !== undefined)
      throw new ProbityError(
        'usage',
        '--sample names a drawn sample; --size and --seed describe a new one: give one of them',
      );
    return withCase(ctx, (store) => {
      const w = requireWindow(store);
      const spec = { engine, table, start: w.start, end: w.end };
      let sample: { id: number | null; seed: string; statement: string } | null = null;
      let note: string | null = null;
      if (size !== undefined) {
        if (size < 1) throw new ProbityError('usage', `--size ${size}: at least 1`);
        sample = {
          id: null,
          seed: seed!,
          statement: bottomKSql({
            ...spec,
            seed: seed!,
            strata: 'none',
            allocation: [{ key: 'all', n: size }],
          }),
        };
      } else {
        const s = sampleId !== undefined ? requireSample(store, sampleId) : currentSample(store);
        if (s) {
          const statement = sampleStatement(s, windowOfSample(store, s), { engine, table });
          if (statement) sample = { id: s.id, seed: s.seed, statement };
          else note = `sample ${s.id} was drawn by the floyd method, which no SQL statement re-derives`;
        } else note = 'no sample drawn yet: give --size N --seed S for an unstratified bottom-k statement';
      }
      const blast = blastRadiusSql(spec);
      const breakdown = breakdownSql(spec);
      if (ctx.json)
        emit(ctx, {
          caseId: store.id,
          engine,
          table,
          window: { start: w.start, end: w.end },
          blastRadius: blast,
          breakdown,
          sample,
          note,
        });
      else
        out(ctx, [
          `-- ${store.id}: window ${w.start} → ${w.end} (UTC), for ${engine}, on ${table}`,
          '-- The table holds one row per model call: request_id, ts (a UTC timestamp), user_id, conversation_id,',
          "-- downstream, kind ('model'), tools (the distinct tool names called, sorted, joined by commas), tool_call_count.",
          '',
          '-- Blast radius: requests, users, conversations and tool calls per region and UTC day.',
          `${blast};`,
          '',
          '-- Requests inside the window by tool set and by downstream system.',
          `${breakdown};`,
          '',
          ...(sample
            ? [
                `-- Sample${sample.id !== null ? ` ${sample.id}` : ''} (bottom-k on SHA-256, seed ${JSON.stringify(sample.seed)}): its request ids, stratum by stratum.`,
                `${sample.statement};`,
              ]
            : [`-- ${note}`]),
        ]);
      return 0;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// audit plan
// ---------------------------------------------------------------------------------------------

function planLines(p: ReviewPlan): string[] {
  return [`sample size ${p.sampleSize}`, `  method: ${p.method}`, `  ${p.statement}`];
}

const auditPlan: Command = {
  summary:
    'How many outputs to review to detect a prevalence with a given confidence (no case needed): 1% at 95% → 299.',
  usage: '--prevalence P --confidence C [--population N] [--json]',
  positionals: [],
  options: { population: { type: 'string' }, prevalence: { type: 'string' }, confidence: { type: 'string' } },
  async run(ctx) {
    const population = integerOpt(ctx, 'population');
    if (population === 0) throw new ProbityError('usage', '--population 0: must be at least 1');
    const p = planReview(
      proportionOpt(ctx, 'prevalence'),
      proportionOpt(ctx, 'confidence', 0.95),
      population,
    );
    if (ctx.json) emit(ctx, p);
    else out(ctx, planLines(p));
    return 0;
  },
};

// ---------------------------------------------------------------------------------------------
// audit sample
// ---------------------------------------------------------------------------------------------

function sampleLines(
  caseId: string,
  s: Sample,
  first: string | undefined,
  statement: string | null,
): string[] {
  const rows = [
    ['STRATUM', 'IN WINDOW', 'DRAWN'],
    ...s.strataDetail.slice(0, 40).map((d) => [d.key, String(d.population), String(d.allocated)]),
  ];
  return [
    `${caseId}: sample ${s.id}: ${s.size} of ${s.population} records in the window (strata ${s.strata}, ${s.allocation} allocation, ${s.method}, seed ${JSON.stringify(s.seed)})`,
    `  drawn ids sha256 ${s.idsSha256}`,
    ...pad(rows).map((l) => `  ${l}`),
    ...(s.strataDetail.length > 40
      ? [`  … ${s.strataDetail.length - 40} more strata (--json lists them)`]
      : []),
    ...s.notes.map((n) => `note: ${n}`),
    ...(statement
      ? [
          '',
          'The SQL statement that re-derives this sample (DuckDB, on the audit index or any table of the same columns;',
          `probity audit sql ${caseId} --engine spark|trino|bigquery prints the other dialects):`,
          `${statement};`,
          '',
        ]
      : []),
    `review: probity audit next ${caseId} --reviewer NAME${first ? ` (first: ${first})` : ''}`,
  ];
}

const auditSample: Command = {
  summary:
    'Draw a reproducible review sample from the records inside the window (seeded; the seed, size, strata and drawn ids digest go in the custody log).',
  usage: `<case-id> --size N|all --seed S [--strata ${STRATA.join('|')}] [--allocation ${ALLOCATIONS.join('|')}] [--method ${SAMPLE_METHODS.join('|')}] [--json]`,
  positionals: ['<case-id>'],
  options: {
    size: { type: 'string' },
    seed: { type: 'string' },
    strata: { type: 'string' },
    allocation: { type: 'string' },
    method: { type: 'string' },
  },
  async run(ctx) {
    const sizeText = opt(ctx, 'size');
    if (sizeText === undefined) throw new ProbityError('usage', '--size is required (a number, or all)');
    const size = sizeText === 'all' ? 'all' : integerOpt(ctx, 'size')!;
    const seed = opt(ctx, 'seed');
    if (seed === undefined)
      throw new ProbityError('usage', '--seed is required: the same seed draws the same sample');
    const strata = choice<Strata>(ctx, 'strata', STRATA, 'none');
    const allocation = choice<Allocation>(ctx, 'allocation', ALLOCATIONS, 'proportional');
    const method = choice<SampleMethod>(ctx, 'method', SAMPLE_METHODS, 'bottom-k');
    return withCase(ctx, (store) => {
      const s = drawSample(store, { size, seed, strata, allocation, method, actor: ctx.actor });
      const statement = sampleStatement(s, windowOfSample(store, s));
      if (ctx.json) emit(ctx, { ...s, statement, items: sampleItems(store, s.id) });
      else out(ctx, sampleLines(store.id, s, sampleItems(store, s.id)[0]?.requestId, statement));
      return 0;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// audit next / audit label
// ---------------------------------------------------------------------------------------------

function clip(text: string, max = 2000): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

function nextLines(caseId: string, reviewer: string, item: ReviewItem): string[] {
  const r = item.record;
  return [
    `sample ${item.sampleId}: record ${item.position} of ${item.size} (stratum ${item.stratum}); ${item.remaining} left for ${reviewer}`,
    `request ${r.requestId} at ${r.timestamp} · user ${r.userId ?? '(none)'} · conversation ${r.conversationId ?? '(none)'} · model ${r.modelVersion ?? '(not logged)'} · downstream ${r.downstream ?? '-'}`,
    `source ${r.source.file} line ${r.source.line}${r.source.item ? ` ${r.source.item}` : ''} (sha256 ${r.source.sha256})`,
    ...r.messages.map((m) => `  [${m.role}] ${clip(m.content)}`),
    `  [response] ${r.response === null ? '(no text)' : clip(r.response)}`,
    ...r.toolCalls.map((c) => `  [tool call] ${c.name}(${c.arguments ?? ''})`),
    ...r.labels.map(
      (l) => `  label by ${l.reviewer} at ${l.createdAt}: ${l.label}${l.note ? ` — ${l.note}` : ''}`,
    ),
    `label: probity audit label ${caseId} ${r.requestId} ${LABELS.join('|')} --reviewer ${reviewer} [--note TEXT]`,
  ];
}

const auditNext: Command = {
  summary:
    'Show the next sampled record a reviewer has not labelled (its conversation, response and tool calls, read from the evidence).',
  usage: '<case-id> [--reviewer NAME] [--second] [--sample ID] [--json]',
  positionals: ['<case-id>'],
  options: { reviewer: { type: 'string' }, second: { type: 'boolean' }, sample: { type: 'string' } },
  async run(ctx) {
    const reviewer = opt(ctx, 'reviewer') ?? ctx.actor;
    return withCase(ctx, (store) => {
      const item = nextUnreviewed(store, reviewer, {
        sampleId: integerOpt(ctx, 'sample'),
        secondReview: ctx.options.second === true,
      });
      if (ctx.json) emit(ctx, item);
      else if (!item) out(ctx, [`${store.id}: nothing left to review for ${reviewer}`]);
      else out(ctx, nextLines(store.id, reviewer, item));
      return 0;
    });
  },
};

const auditLabel: Command = {
  summary:
    'Label a request harmful, benign, unsure or escalate (append-only: a relabel is a new row and the history is kept).',
  usage: `<case-id> <request-id> ${LABELS.join('|')} [--note TEXT] [--reviewer NAME] [--json]`,
  positionals: ['<case-id>', '<request-id>', '<label>'],
  options: { note: { type: 'string' }, reviewer: { type: 'string' } },
  async run(ctx) {
    return withCase(ctx, (store) => {
      const entry = recordLabel(store, {
        requestId: ctx.args[1]!,
        label: ctx.args[2]!,
        reviewer: opt(ctx, 'reviewer') ?? ctx.actor,
        note: opt(ctx, 'note') ?? null,
        actor: ctx.actor,
      });
      let progress: ReturnType<typeof reviewProgress> | null = null;
      try {
        progress = reviewProgress(store);
      } catch {
        progress = null; // no window or sample yet: a label outside any sample is still recorded
      }
      if (ctx.json) emit(ctx, { label: entry, progress });
      else {
        out(ctx, [
          `${entry.requestId}: ${entry.label} by ${entry.reviewer}${entry.note ? ` — ${entry.note}` : ''} (label ${entry.id})`,
          ...(progress
            ? [
                `  sample ${progress.sampleId}: ${progress.labelled} of ${progress.size} labelled (${Object.entries(
                  progress.byLabel,
                )
                  .map(([l, n]) => `${l} ${n}`)
                  .join(', ')})`,
              ]
            : []),
        ]);
      }
      return 0;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// audit estimate
// ---------------------------------------------------------------------------------------------

function prevalenceLines(p: Prevalence, population: number): string[] {
  const lines = [
    `  ${p.positives} of ${p.sampled} (${pct(p.estimate)}): Wilson ${interval(p.wilson)}, Clopper–Pearson ${interval(p.clopperPearson)} (${Math.round(p.wilson.confidence * 100)}%)`,
  ];
  if (p.zeroFound) {
    lines.push(
      `  none found: prevalence below ${pct(p.zeroFound.exact.upper)} (exact one-sided bound), rule of three ${pct(p.zeroFound.ruleOfThree.upper)}`,
    );
  }
  if (p.stratified && p.positives > 0) {
    lines.push(
      `  stratified: ${pct(p.stratified.estimate)}, SE ${pct(p.stratified.standardError)}, ${interval(p.stratified)} (${p.stratified.method})`,
    );
    for (const n of p.stratified.notes) lines.push(`    ${n}`);
  } else if (p.stratifiedUnavailable) lines.push(`  no stratified estimate yet: ${p.stratifiedUnavailable}`);
  const r = p.projectedRequests;
  lines.push(
    `  projected affected requests: ${r.expected} of ${population} (${r.lower}–${r.upper}; ${r.method})`,
  );
  return lines;
}

function harmfulLines(e: AuditEstimate): string[] {
  const h = e.harmful;
  const head = `Harmful outputs: ${h.reviewed} of ${h.sampleSize} sampled reviewed (unsure ${h.unresolved.unsure}, escalate ${h.unresolved.escalate}, unlabelled ${h.unreviewed})`;
  if (!h.prevalence) return [head, '  not analysed: no sampled output is labelled harmful or benign yet'];
  const lines = [head, ...prevalenceLines(h.prevalence, e.sample.population)];
  if (h.projectedUsers) {
    const u = h.projectedUsers;
    lines.push(`  projected affected users: ${u.expected} (${u.lower}–${u.upper}; ${u.found} found)`);
  }
  if (h.ifUnresolvedHarmful)
    lines.push(
      `  if every unresolved record were harmful: ${pct(h.ifUnresolvedHarmful.estimate)} (Wilson ${interval(h.ifUnresolvedHarmful.wilson)})`,
    );
  if (h.harmfulRequestIds.length > 0) lines.push(`  harmful: ${h.harmfulRequestIds.join(', ')}`);
  return lines;
}

function toolLines(e: AuditEstimate): string[] {
  const t = e.toolCalls;
  if (t.status === 'not-analysed' || !t.census)
    return [
      'Unauthorized tool calls: not analysed (no authorized-tools policy; give --authorized-tools FILE)',
    ];
  const c = t.census;
  const lines = [
    `Unauthorized tool calls (policy sha256 ${t.policySha256}, from the ${t.policySource === 'argument' ? '--authorized-tools file' : 'window'}):`,
    `  all ${c.calls} tool calls in the window checked: ${c.unauthorizedCalls} unauthorized, in ${c.requestsWithUnauthorized} requests`,
    ...Object.entries(c.byReason).map(([r, n]) => `    ${n} × ${r}`),
  ];
  if (c.requestIds.length > 0)
    lines.push(`  requests: ${c.requestIds.slice(0, 50).join(', ')}${c.requestIds.length > 50 ? ', …' : ''}`);
  if (t.sample)
    lines.push(
      '  in the sample (records with an unauthorized call):',
      ...prevalenceLines(t.sample, e.sample.population).map((l) => `  ${l}`),
    );
  return lines;
}

function estimateLines(e: AuditEstimate, runId: string): string[] {
  const a = e.agreement;
  const agreementLine = a
    ? `Reviewer agreement (${a.reviewers.join(' vs ')}, ${a.n} records both reviewed): Cohen's kappa ${Number.isNaN(a.kappa) ? 'undefined' : `${a.kappa.toFixed(3)} (${a.interpretation}), ${Math.round(a.confidence * 100)}% CI ${a.lower.toFixed(3)} to ${a.upper.toFixed(3)}`}; ${a.disagreements.length} disagreement${a.disagreements.length === 1 ? '' : 's'}${a.note ? ` — ${a.note}` : ''}`
    : 'Reviewer agreement: no record reviewed by two reviewers';
  return [
    `Audit estimate for ${e.caseId}: window ${e.window.start} → ${e.window.end}; sample ${e.sample.id} (${e.sample.size} of ${e.sample.population}, strata ${e.sample.strata}, seed ${JSON.stringify(e.sample.seed)})`,
    `Blast radius: ${e.blastRadius.inside.requests} requests from ${e.blastRadius.inside.users} users inside the window (${e.blastRadius.outside.requests} outside)`,
    ...harmfulLines(e),
    ...toolLines(e),
    agreementLine,
    ...e.notes.map((n) => `note: ${n}`),
    `recorded as findings run ${runId}`,
  ];
}

const auditEstimate: Command = {
  summary:
    'Estimate the prevalence of harmful outputs (from the labels) and of unauthorized tool calls (policy from --authorized-tools or the window), ' +
    'with Wilson and Clopper–Pearson intervals, the upper bound when none were found, the stratified estimate, and projected affected requests and users; recorded as audit findings.',
  usage: '<case-id> [--confidence C] [--authorized-tools FILE] [--sample ID] [--reviewers A,B] [--json]',
  positionals: ['<case-id>'],
  options: {
    confidence: { type: 'string' },
    'authorized-tools': { type: 'string' },
    sample: { type: 'string' },
    reviewers: { type: 'string' },
  },
  async run(ctx) {
    const confidence = proportionOpt(ctx, 'confidence', 0.95);
    const toolsFile = opt(ctx, 'authorized-tools');
    const reviewersText = opt(ctx, 'reviewers');
    const reviewers = reviewersText?.split(',').map((s) => s.trim());
    if (reviewers && (reviewers.length !== 2 || reviewers.some((r) => r === ''))) {
      throw new ProbityError('usage', `--reviewers ${reviewersText}: name two reviewers, A,B`);
    }
    return withCase(ctx, (store) => {
      const e = estimate(store, {
        confidence,
        sampleId: integerOpt(ctx, 'sample'),
        policy: toolsFile ? readPolicyFile(toolsFile) : undefined,
        reviewers: reviewers as [string, string] | undefined,
      });
      const { runId } = recordEstimate(store, e, ctx.actor);
      if (ctx.json) emit(ctx, { ...e, findingsRunId: runId });
      else out(ctx, estimateLines(e, runId));
      return 0;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// audit export
// ---------------------------------------------------------------------------------------------

const auditExport: Command = {
  summary:
    'Write the reviewed sample with labels, notes and evidence locations to a .csv or .json file (its sha256 goes in the custody log).',
  usage: '<case-id> --out FILE.csv|FILE.json [--sample ID] [--json]',
  positionals: ['<case-id>'],
  options: { out: { type: 'string' }, sample: { type: 'string' } },
  async run(ctx) {
    const file = opt(ctx, 'out');
    if (!file) throw new ProbityError('usage', '--out FILE.csv|FILE.json is required');
    return withCase(ctx, (store) => {
      const r = exportSample(store, { out: file, sampleId: integerOpt(ctx, 'sample'), actor: ctx.actor });
      if (ctx.json) emit(ctx, r);
      else
        out(ctx, [
          `${store.id}: wrote ${r.rows} rows of sample ${r.sampleId} to ${r.out} (sha256 ${r.sha256})`,
        ]);
      return 0;
    });
  },
};

/** Wrap a command so that a statistics RangeError (bad numbers) exits 2 with its message. */
function usageErrors(c: Command): Command {
  return {
    ...c,
    async run(ctx) {
      try {
        return await c.run(ctx);
      } catch (err) {
        if (err instanceof RangeError) throw new ProbityError('usage', err.message);
        throw err;
      }
    },
  };
}

export const AUDIT_COMMANDS: Record<string, Command> = Object.fromEntries(
  Object.entries({
    'audit import': auditImport,
    'audit window': auditWindow,
    'audit blast-radius': auditBlastRadius,
    'audit index': auditIndex,
    'audit sql': auditSql,
    'audit plan': auditPlan,
    'audit sample': auditSample,
    'audit next': auditNext,
    'audit label': auditLabel,
    'audit estimate': auditEstimate,
    'audit export': auditExport,
  }).map(([name, c]) => [name, usageErrors(c)]),
);
