/**
 * What every importer shares: the sink it hands items to, and small readers for untrusted JSON.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../util/canonical-json';
import { ProbityError } from '../../util/errors';
import { JsonScanError, JsonStreamScanner, type JsonPath, type ScanDecision } from '../json-stream';
import { readLines, readTextChunks, type LogLine as Line } from '../../io/lines';
import type { MalformedRecord, RawEvalItem, RunHeader } from '../types';

/** Where an importer delivers what it read. */
export interface ImportSink {
  item(raw: RawEvalItem): void;
  malformed(record: MalformedRecord): void;
  warn(message: string): void;
}

/** The file to read (the stored object) and the name it had when imported (for messages and for
 * facts only the name carries, such as an lm-eval task). */
export interface ImportInput {
  file: string;
  name: string;
  /** A second file some formats need (the lm-eval results JSON), already stored. */
  companion: { file: string; name: string } | null;
}

export type Importer = (input: ImportInput, sink: ImportSink) => Promise<RunHeader>;

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A string, or a number written as a decimal string (ids are either in the wild). */
export function idText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** First 16 hex digits of the SHA-256 of the canonical JSON of a value (keys inside pairing keys). */
export function shortHash(value: unknown): string {
  return sha256Hex(canonicalJson(value ?? null)).slice(0, 16);
}

/** Text of a value that may be a string or structured (kept as compact JSON). */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** A short description of a JSON parse failure, without echoing the (possibly huge) input. */
export function parseProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `not valid JSON (${message.length > 120 ? `${message.slice(0, 117)}…` : message})`;
}

/**
 * The records of a JSONL file: each non-blank line parsed as a JSON object and handed to `onRecord`
 * with its line number. Unreadable lines, lines that are not JSON objects, and records `onRecord`
 * rejects (by returning a reason) are reported to the sink by line number; the rest is read.
 */
export async function forEachJsonLine(
  input: ImportInput,
  sink: ImportSink,
  onRecord: (record: JsonRecord, line: number) => string | null,
): Promise<void> {
  for await (const line of readLines(input.file, input.name)) {
    const reason = readRecord(line, onRecord);
    if (reason) sink.malformed({ line: line.number, entry: null, reason });
  }
}

function readRecord(
  line: Line,
  onRecord: (record: JsonRecord, line: number) => string | null,
): string | null {
  if (line.text === null) return line.problem;
  if (line.text.trim().length === 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (err) {
    return parseProblem(err);
  }
  if (!isRecord(value)) return 'not a JSON object';
  return onRecord(value, line.number);
}

/**
 * Read one JSON document with the streaming scanner (json-stream.ts): `select` chooses what to
 * capture, `onValue` receives each captured value already parsed (or the reason it did not parse,
 * with its line). A document that is not well-formed JSON is a ProbityError naming the file and line.
 */
export async function scanJsonDocument(
  input: ImportInput,
  select: (path: JsonPath) => ScanDecision,
  onValue: (path: JsonPath, value: unknown, line: number) => void,
  onBadValue: (path: JsonPath, reason: string, line: number) => void,
): Promise<void> {
  const scanner = new JsonStreamScanner({
    select,
    onValue(path, text, line) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        onBadValue(path, parseProblem(err), line);
        return;
      }
      onValue(path, value, line);
    },
  });
  try {
    for await (const chunk of readTextChunks(input.file, input.name)) scanner.feed(chunk);
    scanner.end();
  } catch (err) {
    if (err instanceof JsonScanError) {
      throw new ProbityError('malformed', `${input.name}: not well-formed JSON: ${err.message}`, {
        file: input.name,
      });
    }
    throw err;
  }
}
