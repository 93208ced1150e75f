/**
 * Which eval format a file is, from its first 64 KiB: a zip is an Inspect .eval; otherwise the keys
 * of the first JSON object (for JSONL, the first record; for a JSON document, its top-level keys
 * and those of its `results` member) decide. A file in no known format is refused with a message
 * naming it and listing what Probity reads.
 */
import { ProbityError } from '../../util/errors';
import { JsonStreamScanner, type JsonPath, type ScanDecision } from '../json-stream';
import { readHead } from '../../io/lines';
import type { EvalFormat } from '../types';

const HEAD_BYTES = 64 * 1024;
const ZIP_MAGIC = 0x04034b50;

export const KNOWN_FORMATS_TEXT =
  'generic JSONL, promptfoo results JSON, lm-evaluation-harness samples JSONL, Inspect .eval or .json log, garak report.jsonl, OpenAI evals record log';

/** Top-level keys, and `results.<key>` keys, of the first JSON value in `text` (which may be cut). */
export function leadingKeys(text: string): Set<string> {
  const keys = new Set<string>();
  const select = (path: JsonPath): ScanDecision => {
    if (path.length === 0) return 'descend';
    keys.add(path.map(String).join('.'));
    return path.length === 1 && path[0] === 'results' ? 'descend' : 'skip';
  };
  const scanner = new JsonStreamScanner({ select, onValue: () => undefined });
  try {
    scanner.feed(text);
  } catch {
    // The head ends mid-document or a second JSONL record follows: the keys seen so far decide.
  }
  return keys;
}

function has(keys: Set<string>, ...names: string[]): boolean {
  return names.some((n) => keys.has(n));
}

/** The format named by a set of leading keys, 'lm-eval-results' for a results summary, or null. */
export function formatFromKeys(keys: Set<string>): EvalFormat | 'lm-eval-results' | null {
  if (has(keys, 'entry_type')) return 'garak';
  if (has(keys, 'spec', 'final_report') || (has(keys, 'event_id') && has(keys, 'sample_id')))
    return 'openai-evals';
  if (has(keys, 'doc_id')) return 'lm-eval';
  if ((keys.size === 1 && has(keys, 'run')) || (has(keys, 'id') && has(keys, 'response'))) return 'jsonl';
  if (
    has(keys, 'results') &&
    has(keys, 'n-shot', 'versions', 'configs', 'group_subtasks', 'higher_is_better')
  )
    return 'lm-eval-results';
  if (has(keys, 'evalId') || (has(keys, 'results.version') && has(keys, 'results.results', 'results.table')))
    return 'promptfoo';
  if (has(keys, 'results') && has(keys, 'config', 'shareableUrl')) return 'promptfoo';
  if (has(keys, 'eval') && has(keys, 'samples', 'version', 'status', 'plan')) return 'inspect';
  return null;
}

function sniff(file: string, name: string): EvalFormat | 'lm-eval-results' | null {
  const head = readHead(file, name, HEAD_BYTES);
  if (head.length >= 4 && head.readUInt32LE(0) === ZIP_MAGIC) return 'inspect';
  const text = new TextDecoder('utf-8').decode(head).replace(/^\uFEFF/, '');
  return /^\s*\{/.test(text) ? formatFromKeys(leadingKeys(text)) : null;
}

function resultsSummaryError(name: string): ProbityError {
  return new ProbityError(
    'usage',
    `${name}: an lm-evaluation-harness results summary, which holds no per-item results: import the samples_<task>_<date>.jsonl file and pass this one with --results`,
    { file: name },
  );
}

/**
 * A format given with --format is taken as given, except where the file is an lm-eval results
 * summary: no format reads items from it, and the reason is clearer than a count of malformed lines.
 */
export function refuseResultsSummary(file: string, name: string): void {
  if (sniff(file, name) === 'lm-eval-results') throw resultsSummaryError(name);
}

/** Detect the format of `file`; `name` is how errors name it. */
export function detectFormat(file: string, name: string): EvalFormat {
  const found = sniff(file, name);
  if (found === 'lm-eval-results') throw resultsSummaryError(name);
  if (found === null) {
    throw new ProbityError(
      'malformed',
      `${name}: not an eval file in a format Probity reads (${KNOWN_FORMATS_TEXT})`,
      {
        file: name,
      },
    );
  }
  return found;
}
