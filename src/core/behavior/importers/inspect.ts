/**
 * Inspect (UK AISI inspect_ai) eval logs, both layouts of log format version 2:
 * - `.eval`: a zip holding `header.json` (eval spec, plan, results, stats), one
 *   `samples/<id>_epoch_<n>.json` per sample, and summaries; a log still being written has
 *   `_journal/start.json` instead of header.json. Read with the evidence zip reader
 *   (io/archive/zip.ts): central directory first, each member streamed and CRC-checked, each
 *   sample bounded in size.
 * - `.json`: one document `{version, status, eval, plan, results, stats, samples: [...]}`, read with
 *   the streaming scanner so that only one sample is held at a time.
 *
 * Mapping: pairing key = task + sample id + epoch (kind "sample-id"); suite = eval.task; category
 * = metadata.category when a string, else the task. prompt = `input` (a string, or the text of its
 * messages); response = `output.choices[0].message.content` (text parts joined). Inspect moves long
 * strings into `attachments` and writes `attachment://<hash>` in their place: these are resolved.
 * Scores: the first scorer listed in the header's results (else the sample's first): "C" (correct)
 * = 1 and passed, "I" (incorrect) and "N" (no answer) = 0 and failed, "P" (partial) = 0.5 and
 * failed; numbers are kept (passed only for exactly 0 or 1); booleans are 1/0. trigger / variant_of
 * come from metadata.trigger and metadata.variant_of when set. No refusal label: the heuristic reads
 * the response.
 */
import type { Readable } from 'node:stream';
import { ProbityError } from '../../util/errors';
import { indexZip } from '../../io/archive/zip';
import { openEntryStream } from '../../io/archive/source';
import type { EntrySource } from '../../io/archive/types';
import type { JsonPath, ScanDecision } from '../json-stream';
import { readHead } from '../../io/lines';
import { emptyHeader, type RawEvalItem, type RunHeader } from '../types';
import {
  finite,
  idText,
  isRecord,
  parseProblem,
  scanJsonDocument,
  str,
  type ImportInput,
  type ImportSink,
  type JsonRecord,
} from './common';

/** Largest header.json or sample member read (a sample with a long transcript stays well below). */
const MAX_MEMBER_BYTES = 256 * 1024 * 1024;
const SAMPLE_MEMBER = /^samples\/.+\.json$/;
const ATTACHMENT = 'attachment://';

function resolve(text: string, attachments: JsonRecord): string {
  if (!text.startsWith(ATTACHMENT)) return text;
  return str(attachments[text.slice(ATTACHMENT.length)]) ?? text;
}

/** Text of message content: a string, or a list of content parts of which the text ones count. */
function contentText(content: unknown, attachments: JsonRecord): string {
  if (typeof content === 'string') return resolve(content, attachments);
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? resolve(part.text, attachments) : ''))
    .filter((t) => t.length > 0)
    .join('\n');
}

function inputText(input: unknown, attachments: JsonRecord): string {
  if (typeof input === 'string') return resolve(input, attachments);
  if (!Array.isArray(input)) return '';
  return input
    .map((m) => (isRecord(m) ? contentText(m.content, attachments) : ''))
    .filter((t) => t.length > 0)
    .join('\n');
}

function outputText(sample: JsonRecord, attachments: JsonRecord): string {
  const output = sample.output;
  if (!isRecord(output) || !Array.isArray(output.choices)) return '';
  const first: unknown = output.choices[0];
  if (!isRecord(first) || !isRecord(first.message)) return '';
  return contentText(first.message.content, attachments);
}

/** A score value as [score, passed]. */
export function inspectScore(value: unknown): [number | null, boolean | null] {
  switch (value) {
    case 'C':
      return [1, true];
    case 'I':
    case 'N':
      return [0, false];
    case 'P':
      return [0.5, false];
    case true:
      return [1, true];
    case false:
      return [0, false];
  }
  const n = finite(value);
  if (n === null) return [null, null];
  return [n, n === 1 ? true : n === 0 ? false : null];
}

function pickScore(sample: JsonRecord, scorer: string | null): [number | null, boolean | null] {
  const scores = isRecord(sample.scores) ? sample.scores : {};
  const name = scorer && scorer in scores ? scorer : Object.keys(scores)[0];
  const score = name === undefined ? undefined : scores[name];
  return isRecord(score) ? inspectScore(score.value) : [null, null];
}

/** One sample as an item; a string is why it is unusable. */
export function inspectItem(
  sample: unknown,
  task: string,
  scorer: string | null,
  where: { line: number | null; entry: string | null },
): RawEvalItem | string {
  if (!isRecord(sample)) return 'a sample that is not a JSON object';
  const id = idText(sample.id);
  if (id === null) return 'sample "id" is missing or not a string or number';
  const epoch = finite(sample.epoch) ?? 1;
  const attachments = isRecord(sample.attachments) ? sample.attachments : {};
  const meta = isRecord(sample.metadata) ? sample.metadata : {};
  const [score, passed] = pickScore(sample, scorer);
  const trigger = str(meta.trigger);
  const variantOf = idText(meta.variant_of);
  const paired = trigger !== null && variantOf !== null;
  return {
    itemKey: `${task}|${id}|epoch ${epoch}`,
    keyKind: 'sample-id',
    id: epoch === 1 ? id : `${id} (epoch ${epoch})`,
    suite: task,
    category: str(meta.category) ?? task,
    prompt: inputText(sample.input, attachments),
    response: outputText(sample, attachments),
    responseIsText: true,
    refusedLabel: null,
    score,
    passed,
    trigger: paired ? trigger : null,
    variantOf: paired ? variantOf : null,
    line: where.line,
    entry: where.entry,
  };
}

/** The eval spec, plan and results of a log (header.json or the .json log's top members). */
function headerOf(log: JsonRecord): RunHeader {
  const header = emptyHeader('inspect_ai');
  const spec = isRecord(log.eval) ? log.eval : {};
  const packages = isRecord(spec.packages) ? spec.packages : {};
  header.toolVersion = str(packages.inspect_ai);
  header.formatVersion = log.version === undefined ? null : String(log.version);
  header.model = str(spec.model);
  header.runId = str(spec.run_id);
  header.createdAt = str(spec.created);
  const dataset = isRecord(spec.dataset) ? spec.dataset : {};
  for (const k of ['name', 'location', 'revision']) {
    const v = str(dataset[k]);
    if (v) header.datasetHashes[`dataset ${k}`] = v;
  }
  const plan = isRecord(log.plan) ? log.plan : {};
  header.sampling = {
    ...(isRecord(plan.config) ? plan.config : {}),
    ...(isRecord(spec.model_args) ? { model_args: spec.model_args } : {}),
    task_version: spec.task_version ?? null,
  };
  header.extra = { task: str(spec.task), status: str(log.status), results: log.results ?? null };
  return header;
}

function firstScorer(log: JsonRecord): string | null {
  const results = isRecord(log.results) ? log.results : {};
  const scores = Array.isArray(results.scores) ? results.scores : [];
  const first: unknown = scores[0];
  return isRecord(first) ? str(first.name) : null;
}

async function readMember(source: EntrySource, label: string): Promise<Buffer> {
  const stream: Readable = openEntryStream(source);
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_MEMBER_BYTES) {
      stream.destroy();
      throw new ProbityError('malformed', `${label}: larger than ${MAX_MEMBER_BYTES} bytes; refused`, {
        file: label,
      });
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, total);
}

async function readJsonMember(source: EntrySource, label: string): Promise<unknown> {
  const bytes = await readMember(source, label);
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
}

async function importEvalZip(input: ImportInput, sink: ImportSink): Promise<RunHeader> {
  const { entries, sources } = await indexZip(input.file);
  const member = (path: string) => entries.find((e) => e.path === path);
  const headerEntry = member('header.json') ?? member('_journal/start.json');
  const headerSource = headerEntry ? sources.get(headerEntry.index) : undefined;
  if (!headerEntry || !headerSource)
    throw new ProbityError(
      'malformed',
      `${input.name}: an Inspect .eval zip without header.json or _journal/start.json`,
      {
        file: input.name,
      },
    );
  const log = await readJsonMember(headerSource, `${input.name}!/${headerEntry.path}`);
  if (!isRecord(log))
    throw new ProbityError('malformed', `${input.name}!/${headerEntry.path}: not a JSON object`, {
      file: input.name,
    });
  if (headerEntry.path !== 'header.json')
    sink.warn(`${input.name}: no header.json (the log was not finished); header from _journal/start.json`);
  const header = headerOf(log);
  const task = str(header.extra.task) ?? 'inspect';
  const scorer = firstScorer(log);
  for (const e of entries) {
    const source = sources.get(e.index);
    if (!SAMPLE_MEMBER.test(e.path) || !source) continue;
    let sample: unknown;
    try {
      sample = await readJsonMember(source, `${input.name}!/${e.path}`);
    } catch (err) {
      const reason = err instanceof ProbityError ? err.message : parseProblem(err);
      sink.malformed({ line: null, entry: e.path, reason });
      continue;
    }
    const item = inspectItem(sample, task, scorer, { line: null, entry: e.path });
    if (typeof item === 'string') sink.malformed({ line: null, entry: e.path, reason: item });
    else sink.item(item);
  }
  return header;
}

const LOG_HEADER_KEYS = new Set(['version', 'status', 'eval', 'plan', 'results', 'stats']);

async function importJsonLog(input: ImportInput, sink: ImportSink): Promise<RunHeader> {
  const log: JsonRecord = {};
  const pending: { value: unknown; line: number }[] = [];
  const select = (path: JsonPath): ScanDecision => {
    if (path.length === 0) return 'descend';
    if (path.length === 1)
      return path[0] === 'samples' ? 'descend' : LOG_HEADER_KEYS.has(String(path[0])) ? 'whole' : 'skip';
    return path.length === 2 && path[0] === 'samples' ? 'whole' : 'skip';
  };
  const emit = (value: unknown, line: number): void => {
    const spec = isRecord(log.eval) ? log.eval : {};
    const item = inspectItem(value, str(spec.task) ?? 'inspect', firstScorer(log), { line, entry: null });
    if (typeof item === 'string') sink.malformed({ line, entry: null, reason: item });
    else sink.item(item);
  };
  await scanJsonDocument(
    input,
    select,
    (path, value, line) => {
      if (path.length === 1) log[String(path[0])] = value;
      else if (isRecord(log.eval)) emit(value, line);
      else pending.push({ value, line }); // samples written before the eval spec wait for it
    },
    (path, reason, line) => sink.malformed({ line, entry: null, reason: `${path.join('.')}: ${reason}` }),
  );
  for (const s of pending) emit(s.value, s.line);
  return headerOf(log);
}

function isZip(file: string, label: string): boolean {
  const head = readHead(file, label, 4);
  return head.length === 4 && head.readUInt32LE(0) === 0x04034b50;
}

export async function importInspect(input: ImportInput, sink: ImportSink): Promise<RunHeader> {
  return isZip(input.file, input.name) ? importEvalZip(input, sink) : importJsonLog(input, sink);
}
