/**
 * lm-evaluation-harness per-sample logs (`--log_samples`), with the run's results JSON as an
 * optional companion for the header.
 *
 * Samples file: JSONL, one record per (document, filter):
 * - v0.4 `samples_<task>_<date>.jsonl`: `doc_id`, `doc`, `target`, `arguments`, `resps`,
 *   `filtered_resps`, `filter`, `metrics` (names of the metric fields), `doc_hash`, `prompt_hash`,
 *   `target_hash`, and one field per metric (`acc`, `exact_match`, …);
 * - pre-v0.4 `<model args>_<task>.jsonl`: the same without `filter`, `metrics` and the hashes.
 * The task is not in the records: it is taken from the file name (the two patterns above), else from
 * the results JSON when that lists a single task.
 *
 * Mapping: pairing key = task + filter + `doc_hash` (kind "doc-hash"), else task + filter +
 * `doc_id` (kind "id"); suite = category = the task. score = the primary metric's value: the first
 * of `metrics`, else the first present of acc, acc_norm, exact_match, em, f1, mc1, mc2, bleu;
 * passed = that value read as 0/1 for the binary metrics (acc, acc_norm, exact_match, em, mc1), else
 * null. prompt = the first string of `arguments`; response = `filtered_resps` (text when it is a
 * list of strings, as generate_until tasks write; otherwise the log-likelihoods as JSON, which the
 * refusal heuristic does not read).
 *
 * Results JSON (`results_<date>.json`): model (`config.model`, `model_args`), the harness version
 * (`lm_eval_version`, else `git_hash`), `task_hashes` (dataset hashes), sampling settings
 * (`config.gen_kwargs`, the seeds, `n-shot`, task `versions`) and the aggregate results.
 */
import type { JsonPath, ScanDecision } from '../json-stream';
import { emptyHeader, type RawEvalItem, type RunHeader } from '../types';
import {
  asText,
  finite,
  forEachJsonLine,
  isRecord,
  scanJsonDocument,
  str,
  type ImportInput,
  type ImportSink,
  type JsonRecord,
} from './common';

const METRIC_PRIORITY = ['acc', 'acc_norm', 'exact_match', 'em', 'f1', 'mc1', 'mc2', 'bleu'];
const BINARY_METRICS = new Set(['acc', 'acc_norm', 'exact_match', 'em', 'mc1']);
const MODERN_NAME = /^samples_(.+)_(\d{4}-\d{2}-\d{2}T[0-9.-]+)\.jsonl$/;
const LEGACY_NAME = /^(.*__[^_]+)_(.+)\.jsonl$/;

/** Task and (for pre-v0.4 names) model named by a samples file name. */
export function namesFromFileName(name: string): { task: string | null; model: string | null } {
  const modern = MODERN_NAME.exec(name);
  if (modern) return { task: modern[1] ?? null, model: null };
  const legacy = LEGACY_NAME.exec(name);
  if (legacy) {
    const args = legacy[1] ?? '';
    const at = args.indexOf('pretrained=');
    const model = (at >= 0 ? args.slice(at + 'pretrained='.length) : args).replaceAll('__', '/');
    return { task: legacy[2] ?? null, model };
  }
  return { task: null, model: null };
}

function firstString(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') return value;
  if (depth > 4) return null;
  const members = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
  for (const m of members) {
    const s = firstString(m, depth + 1);
    if (s !== null) return s;
  }
  return null;
}

function primaryMetric(record: JsonRecord): string | null {
  if (Array.isArray(record.metrics)) {
    const named = record.metrics.find((m): m is string => typeof m === 'string' && m in record);
    if (named) return named;
  }
  return METRIC_PRIORITY.find((m) => m in record) ?? null;
}

function metricValue(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return finite(value);
}

function response(record: JsonRecord): { text: string; isText: boolean } {
  const r = record.filtered_resps ?? record.resps;
  if (Array.isArray(r) && r.length > 0 && r.every((x) => typeof x === 'string'))
    return { text: (r as string[]).join('\n'), isText: true };
  return { text: asText(r), isText: false };
}

/** One samples record as an item; a string is why it is unusable. */
export function lmEvalItem(record: JsonRecord, task: string, line: number): RawEvalItem | string {
  const docId = finite(record.doc_id);
  if (docId === null) return '"doc_id" is missing or not a number';
  const filter = str(record.filter) ?? 'none';
  const docHash = str(record.doc_hash);
  const metric = primaryMetric(record);
  const score = metric === null ? null : metricValue(record[metric]);
  const passed =
    metric !== null && BINARY_METRICS.has(metric) && (score === 0 || score === 1) ? score === 1 : null;
  const resp = response(record);
  return {
    itemKey: docHash ? `${task}|${filter}|${docHash}` : `${task}|${filter}|doc ${docId}`,
    keyKind: docHash ? 'doc-hash' : 'id',
    id: String(docId),
    suite: task,
    category: task,
    prompt: firstString(record.arguments) ?? '',
    response: resp.text,
    responseIsText: resp.isText,
    refusedLabel: null,
    score,
    passed,
    trigger: null,
    variantOf: null,
    line,
    entry: null,
  };
}

async function readResults(input: ImportInput): Promise<JsonRecord | null> {
  const companion = input.companion;
  if (!companion) return null;
  const top: JsonRecord = {};
  const select = (path: JsonPath): ScanDecision => (path.length === 0 ? 'descend' : 'whole');
  await scanJsonDocument(
    { file: companion.file, name: companion.name, companion: null },
    select,
    (path, value) => {
      top[String(path[0])] = value;
    },
    () => undefined,
  );
  return top;
}

function pick(record: unknown, key: string): unknown {
  return isRecord(record) ? record[key] : undefined;
}

function headerFromResults(results: JsonRecord, task: string, header: RunHeader): void {
  const config = isRecord(results.config) ? results.config : {};
  const gitHash = str(results.git_hash);
  header.toolVersion = str(results.lm_eval_version) ?? (gitHash ? `git ${gitHash}` : null);
  const model = str(config.model);
  const args = config.model_args;
  header.model = model ? (args ? `${model} (${asText(args)})` : model) : null;
  const date = finite(results.date);
  header.createdAt = date === null ? null : new Date(date * 1000).toISOString();
  if (isRecord(results.task_hashes))
    for (const [k, v] of Object.entries(results.task_hashes))
      if (typeof v === 'string') header.datasetHashes[k] = v;
  header.sampling = {
    gen_kwargs: config.gen_kwargs ?? null,
    random_seed: config.random_seed ?? null,
    numpy_seed: config.numpy_seed ?? null,
    torch_seed: config.torch_seed ?? null,
    fewshot_seed: config.fewshot_seed ?? null,
    n_shot: pick(results['n-shot'], task) ?? null,
    task_version: pick(results.versions, task) ?? null,
  };
  header.extra = {
    tasks: isRecord(results.results) ? Object.keys(results.results) : [],
    results: pick(results.results, task) ?? null,
    model_sha: config.model_sha ?? null,
  };
}

function resolveTask(input: ImportInput, results: JsonRecord | null): string {
  const fromName = namesFromFileName(input.name).task;
  if (fromName) return fromName;
  const tasks = results && isRecord(results.results) ? Object.keys(results.results) : [];
  return tasks.length === 1 ? tasks[0]! : 'lm-eval';
}

export async function importLmEval(input: ImportInput, sink: ImportSink): Promise<RunHeader> {
  const results = await readResults(input);
  const task = resolveTask(input, results);
  const header = emptyHeader('lm-evaluation-harness');
  if (results) {
    headerFromResults(results, task, header);
    const tasks = header.extra.tasks as string[];
    if (!tasks.includes(task))
      sink.warn(
        `${input.companion?.name}: the results JSON describes ${tasks.join(', ') || 'no task'}, not the samples' task ${task}: its header may belong to another run`,
      );
  } else {
    const model = namesFromFileName(input.name).model;
    header.model = model;
    if (model) header.extra.modelSource = 'file name';
    sink.warn(
      `${input.name}: no results JSON given (--results): model, versions and sampling settings unknown`,
    );
  }
  if (task === 'lm-eval')
    sink.warn(`${input.name}: the task could not be read from the file name; suite "lm-eval"`);
  await forEachJsonLine(input, sink, (record, line) => {
    const item = lmEvalItem(record, task, line);
    if (typeof item === 'string') return item;
    sink.item(item);
    return null;
  });
  return header;
}
