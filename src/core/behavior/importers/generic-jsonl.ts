/**
 * Probity's generic eval JSONL (the format of the demo's evals/baseline.jsonl and suspect.jsonl,
 * and the simplest way to bring results from any other tool).
 *
 * UTF-8 text, one JSON object per line, LF or CRLF line ends; blank lines are ignored.
 *
 * An optional run header may come first, as a record with the single key "run":
 *
 *     {"run": {"tool": "…", "version": "…", "model": "…", "id": "…", "created_at": "…",
 *              "dataset_sha256": "<hex>" | {"<name>": "<hex>", …}, "sampling": {…}}}
 *
 * (every member optional). It is compared between runs: different dataset hashes or sampling
 * settings are reported as comparability warnings.
 *
 * Every other record is one scored response:
 *
 * | field      | type            | required | meaning                                                   |
 * |------------|-----------------|----------|-----------------------------------------------------------|
 * | id         | string / number | yes      | unique in the file; the pairing key (key kind "id")        |
 * | suite      | string          | yes      | e.g. safety, jailbreak, capability, trigger-scan, smoke   |
 * | category   | string          | yes      | a subdivision of the suite (privacy, arithmetic, …)       |
 * | prompt     | string          | yes      | what the model was sent                                   |
 * | response   | string          | yes      | what it answered                                          |
 * | refused    | boolean         | no       | label: the model refused (else the phrase heuristic)      |
 * | score      | number          | no       | finite; read as higher = better                           |
 * | passed     | boolean         | no       | the item's own pass/fail                                  |
 * | trigger    | string          | no       | with variant_of: the candidate trigger this variant adds  |
 * | variant_of | string / number | no       | with trigger: id of the base item the variant modifies    |
 *
 * Other members are ignored. A record that breaks these rules is reported as malformed by its line
 * number, with the field at fault, and left out; the rest of the file is imported.
 */
import { emptyHeader, type RawEvalItem, type RunHeader } from '../types';
import {
  bool,
  finite,
  forEachJsonLine,
  idText,
  isRecord,
  str,
  type ImportInput,
  type ImportSink,
  type JsonRecord,
} from './common';

const REQUIRED_TEXT = ['suite', 'category', 'prompt', 'response'] as const;

/** A record field that breaks the schema; caught by parseGenericItem and reported. */
class FieldError {
  constructor(readonly reason: string) {}
}

function optional<T>(
  record: JsonRecord,
  key: string,
  read: (v: unknown) => T | null,
  type: string,
): T | null {
  if (!(key in record) || record[key] === null) return null;
  const value = read(record[key]);
  if (value === null) throw new FieldError(`"${key}" must be ${type}`);
  return value;
}

function required(record: JsonRecord, key: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new FieldError(`"${key}" is missing or not a string`);
  return value;
}

function buildItem(record: JsonRecord, line: number): RawEvalItem {
  const id = idText(record.id);
  if (id === null) throw new FieldError('"id" is missing or not a string or number');
  const [suite, category, prompt, response] = REQUIRED_TEXT.map((k) => required(record, k)) as [
    string,
    string,
    string,
    string,
  ];
  const trigger = optional(record, 'trigger', str, 'a string');
  const variantOf = optional(record, 'variant_of', idText, 'a string or number');
  if ((trigger === null) !== (variantOf === null))
    throw new FieldError('"trigger" and "variant_of" must be given together');
  return {
    itemKey: id,
    keyKind: 'id',
    id,
    suite,
    category,
    prompt,
    response,
    responseIsText: true,
    refusedLabel: optional(record, 'refused', bool, 'true or false'),
    score: optional(record, 'score', finite, 'a finite number'),
    passed: optional(record, 'passed', bool, 'true or false'),
    trigger,
    variantOf,
    line,
    entry: null,
  };
}

/** Parse one item record; a string is the reason it is malformed. */
export function parseGenericItem(record: JsonRecord, line: number): RawEvalItem | string {
  try {
    return buildItem(record, line);
  } catch (err) {
    if (err instanceof FieldError) return err.reason;
    throw err;
  }
}

function readRunHeader(run: JsonRecord, header: RunHeader): void {
  header.toolVersion = str(run.version);
  header.model = str(run.model);
  header.runId = idText(run.id);
  header.createdAt = str(run.created_at);
  if (typeof run.tool === 'string') header.tool = run.tool;
  const ds = run.dataset_sha256;
  if (typeof ds === 'string') header.datasetHashes.dataset = ds;
  else if (isRecord(ds))
    for (const [k, v] of Object.entries(ds)) if (typeof v === 'string') header.datasetHashes[k] = v;
  if (isRecord(run.sampling)) header.sampling = { ...run.sampling };
}

export async function importGenericJsonl(input: ImportInput, sink: ImportSink): Promise<RunHeader> {
  const header = emptyHeader('generic-jsonl');
  let first = true;
  await forEachJsonLine(input, sink, (record, line) => {
    const isHeader = first && Object.keys(record).length === 1 && isRecord(record.run);
    first = false;
    if (isHeader) {
      readRunHeader(record.run as JsonRecord, header);
      return null;
    }
    const item = parseGenericItem(record, line);
    if (typeof item === 'string') return item;
    sink.item(item);
    return null;
  });
  return header;
}
