/**
 * Before an import: is the log JSON lines or one document, and which format is it? JSONL when the
 * first non-empty line is JSON; otherwise the whole file is tried as one JSON document or a YAML
 * mapping (a VCR cassette), up to MAX_DOCUMENT_BYTES; failing that, line mode, with the first line that
 * parses used to detect the format and the others reported as malformed.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { ProbityError } from '../util/errors';
import type { StoredLog } from './evidence';
import { detectFormat } from './formats';
import { isObject } from './formats/common';
import { MAX_DOCUMENT_BYTES, readHead } from '../io/lines';
import type { LogFormat } from './types';

const HEAD_BYTES = 16 * 1024 * 1024;

/** How a log will be read. */
export interface Plan {
  format: LogFormat;
  mode: 'lines' | 'document';
  /** The parsed document in document mode. */
  document: unknown;
}

/** The first HEAD_BYTES of the stored log as text (a UTF-8 BOM dropped). */
function headText(log: StoredLog): string {
  return readHead(log.objectPath, log.path, HEAD_BYTES)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}

/** JSON.parse that reports failure instead of throwing. */
export function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The whole file as one JSON document, or a YAML mapping (a VCR cassette); null when it is neither. */
function parseDocument(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const json = tryJson(text);
  if (json.ok) return json.value;
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return null;
  try {
    const doc: unknown = YAML.parse(text, { maxAliasCount: 100 });
    return isObject(doc) ? doc : null;
  } catch {
    return null;
  }
}

/**
 * Decide line or document mode and the format. JSONL when the first non-empty line is JSON; otherwise
 * the whole file is tried as one document (up to MAX_DOCUMENT_BYTES); failing that, line mode, with the
 * first line that parses used to detect the format and the others reported as malformed.
 */
export function planImport(log: StoredLog, requested: LogFormat | 'auto'): Plan {
  const head = headText(log);
  // Parquet (magic bytes PAR1): DuckDB's reader loads it into the audit index; this importer reads JSON.
  if (head.startsWith('PAR1'))
    throw new ProbityError(
      'malformed',
      `${log.path}: a Parquet file, which audit import does not read; index it with probity audit index CASE --add ${log.path}`,
      { file: log.path },
    );
  const lines = head.split('\n');
  if (head.length === HEAD_BYTES && lines.length > 1) lines.pop();
  const nonEmpty = lines.map((l) => l.trim()).filter((l) => l !== '');
  const parsed = nonEmpty.slice(0, 100).map(tryJson);
  const detect = (v: unknown): LogFormat => (requested === 'auto' ? detectFormat(v, log.path) : requested);
  const firstLine = parsed[0];
  if (firstLine?.ok) return { format: detect(firstLine.value), mode: 'lines', document: null };
  if (log.size <= MAX_DOCUMENT_BYTES) {
    const doc = parseDocument(log.objectPath);
    if (doc !== null) return { format: detect(doc), mode: 'document', document: doc };
  }
  const later = parsed.find((p) => p.ok);
  if (later?.ok) return { format: detect(later.value), mode: 'lines', document: null };
  if (requested !== 'auto') return { format: requested, mode: 'lines', document: null };
  throw new ProbityError('malformed', `${log.path}: neither JSON lines nor a JSON or YAML document`, {
    file: log.path,
  });
}
