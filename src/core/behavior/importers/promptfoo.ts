/**
 * promptfoo results (`promptfoo eval -o output.json`), read as a stream: only `results.results[]`
 * elements and a few small header members are ever held.
 *
 * Layouts (promptfoo's `EvaluateSummary`, src/types):
 * - version 3: `{evalId, results: {version: 3, timestamp, prompts[], results[], stats}, config}`;
 *   each result has `testIdx`, `promptIdx`, `promptId`, `prompt {raw, label}`, `vars`,
 *   `response {output, error?}`, `success`, `score`, `gradingResult`, `testCase {vars, metadata}`,
 *   `provider {id, label}`.
 * - version 2 (still written in 2025 by some examples): `{results: {version: 2, results[], stats,
 *   table}, config}`; each result has `prompt {raw, display}`, `vars`, `response`, `success`,
 *   `score`, and no test index.
 * Other versions are refused with a named error rather than guessed at.
 *
 * Mapping: pairing key (kind "test-vars") = prompt id (v2: hash of the prompt template) + test
 * index (v3) + hash of the test's vars, so the same test of the same prompt pairs across runs of
 * different providers. suite = testCase.metadata.suite, else metadata.pluginId (red-team plugin),
 * else "promptfoo"; category = metadata.category, else metadata.harmCategory, else the prompt's
 * label. passed = success (else gradingResult.pass); score = score (else gradingResult.score).
 * trigger / variant_of come from testCase.metadata.trigger and .variant_of when set. promptfoo has
 * no refusal label: the refusal heuristic reads response.output.
 */
import type { JsonPath, ScanDecision } from '../json-stream';
import { emptyHeader, type RawEvalItem, type RunHeader } from '../types';
import { ProbityError } from '../../util/errors';
import {
  asText,
  bool,
  finite,
  idText,
  isRecord,
  scanJsonDocument,
  shortHash,
  str,
  type ImportInput,
  type ImportSink,
  type JsonRecord,
} from './common';

const HEADER_KEYS = new Set(['evalId', 'config', 'metadata']);
const RESULTS_HEADER_KEYS = new Set(['version', 'timestamp', 'prompts', 'stats']);
const SUPPORTED_VERSIONS = new Set([2, 3]);

function select(path: JsonPath): ScanDecision {
  if (path.length === 0) return 'descend';
  const [top, second] = path;
  if (path.length === 1)
    return top === 'results' ? 'descend' : HEADER_KEYS.has(String(top)) ? 'whole' : 'skip';
  if (top !== 'results') return 'skip';
  if (path.length === 2)
    return second === 'results' ? 'descend' : RESULTS_HEADER_KEYS.has(String(second)) ? 'whole' : 'skip';
  return path.length === 3 && second === 'results' ? 'whole' : 'skip';
}

function metadataOf(result: JsonRecord): JsonRecord {
  const tc = result.testCase;
  return isRecord(tc) && isRecord(tc.metadata) ? tc.metadata : {};
}

function promptText(prompt: unknown): { raw: string; label: string } {
  if (typeof prompt === 'string') return { raw: prompt, label: prompt };
  if (!isRecord(prompt)) return { raw: '', label: '' };
  const raw = str(prompt.raw) ?? '';
  return { raw, label: str(prompt.label) ?? str(prompt.display) ?? raw };
}

function responseText(result: JsonRecord): string {
  const response = result.response;
  if (isRecord(response)) return asText(response.output);
  return asText(response);
}

/** One element of results.results[] as an item; a string is why it is unusable. */
export function promptfooItem(result: unknown, index: number, line: number): RawEvalItem | string {
  if (!isRecord(result)) return 'a result that is not a JSON object';
  const prompt = promptText(result.prompt);
  const meta = metadataOf(result);
  const vars = isRecord(result.vars) ? result.vars : {};
  const testIdx = finite(result.testIdx);
  const promptKey = str(result.promptId) ?? shortHash(prompt.label);
  const grading = isRecord(result.gradingResult) ? result.gradingResult : {};
  const trigger = str(meta.trigger);
  const variantOf = idText(meta.variant_of);
  return {
    itemKey:
      testIdx === null
        ? `${promptKey}|vars ${shortHash(vars)}`
        : `${promptKey}|test ${testIdx}|vars ${shortHash(vars)}`,
    keyKind: 'test-vars',
    id: testIdx === null ? `#${index}` : `${testIdx}:${finite(result.promptIdx) ?? '?'}`,
    suite: str(meta.suite) ?? str(meta.pluginId) ?? 'promptfoo',
    category: str(meta.category) ?? str(meta.harmCategory) ?? prompt.label,
    prompt: prompt.raw,
    response: responseText(result),
    responseIsText: true,
    refusedLabel: null,
    score: finite(result.score) ?? finite(grading.score),
    passed: bool(result.success) ?? bool(grading.pass),
    trigger: trigger !== null && variantOf !== null ? trigger : null,
    variantOf: trigger !== null && variantOf !== null ? variantOf : null,
    line,
    entry: null,
  };
}

function providerId(result: JsonRecord): string | null {
  const p = result.provider;
  if (typeof p === 'string') return p;
  return isRecord(p) ? str(p.id) : null;
}

/** Provider ids and their `config` settings (temperature …) from the eval config. */
function providersOfConfig(config: JsonRecord): { ids: string[]; sampling: JsonRecord } {
  const ids: string[] = [];
  const sampling: JsonRecord = {};
  const list = Array.isArray(config.providers) ? config.providers : [];
  for (const p of list) {
    if (typeof p === 'string') ids.push(p);
    else if (isRecord(p)) {
      const id = str(p.id);
      if (id) ids.push(id);
      if (isRecord(p.config))
        for (const [k, v] of Object.entries(p.config)) if (!(k in sampling)) sampling[k] = v;
    }
  }
  return { ids, sampling };
}

interface Collected {
  top: Map<string, unknown>;
  results: Map<string, unknown>;
  providers: Set<string>;
}

function buildHeader(c: Collected): RunHeader {
  const header = emptyHeader('promptfoo');
  const version = c.results.get('version');
  header.formatVersion = version === undefined ? null : String(version);
  header.runId = idText(c.top.get('evalId'));
  header.createdAt = str(c.results.get('timestamp'));
  const meta = c.top.get('metadata');
  if (isRecord(meta)) header.toolVersion = str(meta.promptfooVersion);
  const config = c.top.get('config');
  const fromConfig = isRecord(config) ? providersOfConfig(config) : { ids: [], sampling: {} };
  const providers = c.providers.size > 0 ? [...c.providers] : fromConfig.ids;
  header.model = providers.length > 0 ? providers.join(', ') : null;
  header.sampling = fromConfig.sampling;
  if (isRecord(config)) {
    if (Array.isArray(config.tests)) header.datasetHashes.tests = shortHash(config.tests);
    if (Array.isArray(config.prompts)) header.datasetHashes.prompts = shortHash(config.prompts);
    if (typeof config.description === 'string') header.extra.description = config.description;
  }
  const stats = c.results.get('stats');
  if (isRecord(stats)) header.extra.stats = { successes: stats.successes, failures: stats.failures };
  return header;
}

export async function importPromptfoo(input: ImportInput, sink: ImportSink): Promise<RunHeader> {
  const c: Collected = { top: new Map(), results: new Map(), providers: new Set() };
  let sawResults = false;
  await scanJsonDocument(
    input,
    select,
    (path, value, line) => {
      if (path.length === 1) c.top.set(String(path[0]), value);
      else if (path.length === 2) c.results.set(String(path[1]), value);
      else {
        sawResults = true;
        const item = promptfooItem(value, Number(path[2]), line);
        if (typeof item === 'string')
          sink.malformed({ line, entry: null, reason: `results.results[${path[2]}]: ${item}` });
        else {
          if (isRecord(value)) {
            const p = providerId(value);
            if (p) c.providers.add(p);
          }
          sink.item(item);
        }
      }
    },
    (path, reason, line) => sink.malformed({ line, entry: null, reason: `${path.join('.')}: ${reason}` }),
  );
  const version = c.results.get('version');
  if (typeof version !== 'number' || !SUPPORTED_VERSIONS.has(version)) {
    throw new ProbityError(
      'malformed',
      `${input.name}: promptfoo results version ${version === undefined ? '(missing)' : JSON.stringify(version)} is not one Probity reads (2 and 3 are)`,
      { file: input.name },
    );
  }
  if (!sawResults) sink.warn(`${input.name}: results.results holds no result`);
  if (c.providers.size > 1)
    sink.warn(
      `${input.name}: results from ${c.providers.size} providers (${[...c.providers].join(', ')}) in one file: their pairing keys repeat; import one provider's results per run`,
    );
  return buildHeader(c);
}
