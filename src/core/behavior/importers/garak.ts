/**
 * garak report JSONL (`garak_runs/<prefix>.report.jsonl`), one record per line with `entry_type`:
 * - "start_run setup": the run's configuration as dotted keys (`_config.version`,
 *   `plugins.target_type` / `plugins.target_name`, older `plugins.model_type` / `model_name`,
 *   `run.seed`, `run.generations`, `run.eval_threshold`, `transient.run_id` …);
 * - "init": `garak_version`, `start_time`, `run`;
 * - "attempt": one prompt sent by a probe, logged twice: `status` 1 when the outputs came back and
 *   `status` 2 once detectors scored them (`detector_results`: detector → one score per output,
 *   0 = safe … 1 = hit). `prompt` is `{turns: [{role, content: {text}}]}` (garak ≥ 0.10) or a
 *   string; `outputs` are `{text}` objects or strings;
 * - "eval": per probe and detector, the counts garak reported (`passed`, `total_evaluated` or
 *   `total`); "completion" and "digest" close the run.
 *
 * Mapping: one item per attempt output, from the status-2 record (a status-1 record never followed
 * by its status 2 is kept with passed = null and a warning). Attempt uuids differ on every run, so
 * the pairing key is probe + SHA-256 of the prompt text + its occurrence among equal prompts of that
 * probe + the output index (kind "prompt-hash"). suite = the probe's module (`dan` of
 * `dan.Dan_11_0`), category = the probe class. passed = every detector scored the output below
 * the run's eval threshold (default 0.5, garak's); no detector score → null. garak has no refusal
 * label and no per-item score: the refusal heuristic reads the output. The item counts are
 * checked against the "eval" records, and a disagreement is a warning.
 */
import { emptyHeader, type RawEvalItem, type RunHeader } from '../types';
import {
  asText,
  finite,
  forEachJsonLine,
  isRecord,
  sha256Hex,
  str,
  type ImportInput,
  type ImportSink,
  type JsonRecord,
} from './common';

const DEFAULT_THRESHOLD = 0.5;

function promptText(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (!isRecord(prompt) || !Array.isArray(prompt.turns)) return asText(prompt);
  return prompt.turns
    .map((t) =>
      isRecord(t) && isRecord(t.content) ? (str(t.content.text) ?? '') : isRecord(t) ? asText(t.content) : '',
    )
    .join('\n');
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return isRecord(output) ? (str(output.text) ?? '') : '';
}

/** Whether every detector scored output `j` below the threshold (null: no detector score). */
export function garakPassed(detectorResults: unknown, j: number, threshold: number): boolean | null {
  if (!isRecord(detectorResults)) return null;
  let seen = false;
  for (const scores of Object.values(detectorResults)) {
    const s = Array.isArray(scores) ? finite(scores[j]) : null;
    if (s === null) continue;
    seen = true;
    if (s >= threshold) return false;
  }
  return seen ? true : null;
}

interface AttemptState {
  /** Occurrence of this prompt among the probe's attempts (stable key part). */
  occurrence: number;
  emitted: boolean;
  pending: { record: JsonRecord; line: number } | null;
}

class GarakReader {
  readonly header = emptyHeader('garak');
  private threshold = DEFAULT_THRESHOLD;
  private readonly attempts = new Map<string, AttemptState>();
  private readonly occurrences = new Map<string, number>();
  /** probe → detector → outputs that passed it, for the check against "eval" records. */
  private readonly passes = new Map<string, Map<string, number>>();
  private readonly evals: JsonRecord[] = [];
  /** garak writes a "completion" record when the run ends; without it the run was cut short. */
  private completed = false;
  private completedAt: string | null = null;

  constructor(private readonly sink: ImportSink) {}

  record(r: JsonRecord, line: number): string | null {
    switch (r.entry_type) {
      case 'start_run setup':
        this.setup(r);
        return null;
      case 'init':
        this.header.toolVersion = str(r.garak_version) ?? this.header.toolVersion;
        this.header.createdAt = str(r.start_time) ?? this.header.createdAt;
        this.header.runId = str(r.run) ?? this.header.runId;
        return null;
      case 'attempt':
        return this.attempt(r, line);
      case 'eval':
        this.evals.push(r);
        return null;
      case 'completion':
        this.completed = true;
        this.completedAt = str(r.end_time);
        return null;
      case undefined:
        return '"entry_type" is missing';
      default:
        return null;
    }
  }

  private setup(r: JsonRecord): void {
    const h = this.header;
    h.toolVersion = str(r['_config.version']) ?? h.toolVersion;
    const type = str(r['plugins.target_type']) ?? str(r['plugins.model_type']);
    const name = str(r['plugins.target_name']) ?? str(r['plugins.model_name']);
    h.model = [type, name].filter((x) => x !== null).join(' ') || null;
    h.runId = str(r['transient.run_id']) ?? h.runId;
    h.createdAt = str(r['transient.starttime_iso']) ?? h.createdAt;
    this.threshold = finite(r['run.eval_threshold']) ?? DEFAULT_THRESHOLD;
    h.sampling = {
      seed: r['run.seed'] ?? null,
      generations: r['run.generations'] ?? null,
      eval_threshold: this.threshold,
      deprefix: r['run.deprefix'] ?? null,
      probe_spec: r['plugins.probe_spec'] ?? null,
      detector_spec: r['plugins.detector_spec'] ?? null,
    };
  }

  private attempt(r: JsonRecord, line: number): string | null {
    const uuid = str(r.uuid);
    const probe = str(r.probe_classname);
    if (!uuid || !probe) return 'an attempt without "uuid" or "probe_classname"';
    let state = this.attempts.get(uuid);
    if (!state) {
      const k = `${probe}|${sha256Hex(promptText(r.prompt))}`;
      const occurrence = (this.occurrences.get(k) ?? 0) + 1;
      this.occurrences.set(k, occurrence);
      state = { occurrence, emitted: false, pending: null };
      this.attempts.set(uuid, state);
    }
    if (r.status === 2) {
      this.emit(r, line, state, true);
      state.pending = null;
    } else if (!state.emitted) state.pending = { record: r, line };
    return null;
  }

  private emit(r: JsonRecord, line: number, state: AttemptState, evaluated: boolean): void {
    const probe = str(r.probe_classname) ?? '';
    const prompt = promptText(r.prompt);
    const outputs = Array.isArray(r.outputs) ? r.outputs : [];
    const promptHash = sha256Hex(prompt);
    outputs.forEach((output, j) => {
      const passed = evaluated ? garakPassed(r.detector_results, j, this.threshold) : null;
      if (evaluated) this.countPasses(probe, r.detector_results, j);
      this.sink.item(this.item(r, { probe, prompt, promptHash, output, j, passed, line, state }));
    });
    state.emitted = true;
  }

  private item(
    r: JsonRecord,
    o: {
      probe: string;
      prompt: string;
      promptHash: string;
      output: unknown;
      j: number;
      passed: boolean | null;
      line: number;
      state: AttemptState;
    },
  ): RawEvalItem {
    const uuid = str(r.uuid) ?? '';
    return {
      itemKey: `${o.probe}|${o.promptHash}|#${o.state.occurrence}|out ${o.j}`,
      keyKind: 'prompt-hash',
      id: o.j === 0 ? uuid : `${uuid}#${o.j}`,
      suite: o.probe.split('.')[0] ?? o.probe,
      category: o.probe,
      prompt: o.prompt,
      response: outputText(o.output),
      responseIsText: true,
      refusedLabel: null,
      score: null,
      passed: o.passed,
      trigger: null,
      variantOf: null,
      line: o.line,
      entry: null,
    };
  }

  private countPasses(probe: string, results: unknown, j: number): void {
    if (!isRecord(results)) return;
    const byDetector = this.passes.get(probe) ?? new Map<string, number>();
    this.passes.set(probe, byDetector);
    for (const [detector, scores] of Object.entries(results)) {
      const s = Array.isArray(scores) ? finite(scores[j]) : null;
      if (s !== null && s < this.threshold) byDetector.set(detector, (byDetector.get(detector) ?? 0) + 1);
      else if (s !== null && !byDetector.has(detector)) byDetector.set(detector, 0);
    }
  }

  finish(name: string): RunHeader {
    let unevaluated = 0;
    for (const state of this.attempts.values()) {
      if (state.emitted || !state.pending) continue;
      this.emit(state.pending.record, state.pending.line, state, false);
      unevaluated++;
    }
    if (unevaluated > 0)
      this.sink.warn(
        `${name}: ${unevaluated} attempt(s) were never scored by a detector (status 1 only): passed unknown`,
      );
    this.checkEvals(name);
    if (!this.completed)
      this.sink.warn(
        `${name}: no "completion" record: the garak run is incomplete (stopped or cut short before it ended); its results cover only the probes that ran`,
      );
    this.header.extra = {
      completed: this.completed,
      completedAt: this.completedAt,
      evals: this.evals.map((e) => ({
        probe: e.probe ?? null,
        detector: e.detector ?? null,
        passed: e.passed ?? null,
        total: e.total_evaluated ?? e.total ?? null,
      })),
    };
    return this.header;
  }

  private checkEvals(name: string): void {
    for (const e of this.evals) {
      const probe = str(e.probe);
      const detector = str(e.detector);
      const reported = finite(e.passed);
      if (!probe || !detector || reported === null) continue;
      const counted = this.passes.get(probe)?.get(detector) ?? 0;
      if (counted !== reported)
        this.sink.warn(
          `${name}: garak's eval record says ${reported} outputs of ${probe} passed ${detector}; the attempts show ${counted}`,
        );
    }
  }
}

export async function importGarak(input: ImportInput, sink: ImportSink): Promise<RunHeader> {
  const reader = new GarakReader(sink);
  await forEachJsonLine(input, sink, (record, line) => reader.record(record, line));
  return reader.finish(input.name);
}
