/**
 * The one shape every eval format is normalised to, and the run header that travels with it.
 */

/** Formats Probity imports (importers/*.ts document each). */
export const EVAL_FORMATS = ['jsonl', 'promptfoo', 'lm-eval', 'inspect', 'garak', 'openai-evals'] as const;
export type EvalFormat = (typeof EVAL_FORMATS)[number];

export const RUN_ROLES = ['baseline', 'suspect', 'replacement'] as const;
export type RunRole = (typeof RUN_ROLES)[number];

/**
 * How an item's pairing key was made, strongest first (pairing.ts uses the strongest kind both runs
 * share, else the prompt hash every item has):
 * - doc-hash: lm-evaluation-harness `doc_hash` (hash of the dataset document), with task and filter;
 * - test-vars: promptfoo prompt id + test index + hash of the test's vars;
 * - sample-id: Inspect sample id + epoch, or an OpenAI evals `sample_id`;
 * - id: an id the file assigns (generic JSONL `id`; lm-eval `doc_id` without doc_hash);
 * - prompt-hash: SHA-256 of the prompt text (garak attempts, whose ids differ on every run).
 */
export const KEY_KINDS = ['doc-hash', 'test-vars', 'sample-id', 'id', 'prompt-hash'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export type RefusalSource = 'label' | 'heuristic';

/** What an importer produces for one scored response, before the refusal rule is applied. */
export interface RawEvalItem {
  itemKey: string;
  keyKind: KeyKind;
  /** The item's id as the file names it (for people; pairing uses itemKey). */
  id: string;
  suite: string;
  category: string;
  prompt: string;
  response: string;
  /** False when the response is not model text (log-likelihoods): no refusal heuristic then. */
  responseIsText: boolean;
  /** The file's own refusal label, when it has one. */
  refusedLabel: boolean | null;
  score: number | null;
  passed: boolean | null;
  trigger: string | null;
  variantOf: string | null;
  /** 1-based line in the file where the item's record starts (null when not line-based). */
  line: number | null;
  /** Archive member the item came from (Inspect .eval), else null. */
  entry: string | null;
}

/** A normalised eval item, as stored in eval_items. */
export interface EvalItem extends Omit<RawEvalItem, 'refusedLabel'> {
  /** SHA-256 (hex) of the prompt text: the pairing key of last resort. */
  promptSha256: string;
  refused: boolean | null;
  refusalSource: RefusalSource | null;
  /** For a heuristic decision that found a refusal: the phrase it matched. */
  matchedPhrase: string | null;
}

/** What a run's file says about how it was produced; compared between runs for comparability. */
export interface RunHeader {
  tool: string;
  toolVersion: string | null;
  /** The file format's own version field, when it has one (promptfoo results.version …). */
  formatVersion: string | null;
  model: string | null;
  runId: string | null;
  createdAt: string | null;
  /** Named hashes of the dataset(s) the run used; a differing hash makes runs incomparable. */
  datasetHashes: Record<string, string>;
  /** Sampling / generation settings (temperature, seed, n-shot …); differences are warned about. */
  sampling: Record<string, unknown>;
  /** Anything else worth keeping (aggregate scores the tool reported, task versions …). */
  extra: Record<string, unknown>;
}

/** A line (or archive member) an importer could not read. */
export interface MalformedRecord {
  line: number | null;
  entry: string | null;
  reason: string;
}

export function emptyHeader(tool: string): RunHeader {
  return {
    tool,
    toolVersion: null,
    formatVersion: null,
    model: null,
    runId: null,
    createdAt: null,
    datasetHashes: {},
    sampling: {},
    extra: {},
  };
}
