/**
 * OpenAI evals record logs (`oaieval … --record_path FILE`), JSONL:
 * - `{"spec": {completion_fns, eval_name, base_eval, split, run_config: {eval_spec, seed,
 *   max_samples, command}, run_id, created_at}}` first;
 * - event records `{run_id, event_id, sample_id, type, data, created_by, created_at}` where type is
 *   "sampling" (`data.prompt`: a string or chat messages; `data.sampled`: the completion(s)),
 *   "match" (`data.correct`, `expected`, `picked`), "metrics" (numbers such as `score`), and others;
 * - `{"final_report": {…}}` last, the aggregate the eval computed.
 *
 * Events of one sample may be interleaved with other samples', so items are assembled per
 * `sample_id` and delivered at the end, in order of first appearance. Mapping: pairing key =
 * `sample_id` (kind "sample-id"); suite = spec.base_eval (else eval_name); category = spec.split
 * (else the suite); prompt = the first sampling event's prompt (messages' contents joined);
 * response = its first sampled completion; passed = the last match event's `correct`; score = the
 * last metrics event's `score` (else its first number), else 1/0 from `correct`. A record log
 * holding only spec and final_report (as some published logs do) imports with no items and says
 * so.
 */
import { emptyHeader, type RawEvalItem, type RunHeader } from '../types';
import {
  asText,
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

interface Assembled {
  sampleId: string;
  line: number;
  prompt: string | null;
  response: string | null;
  passed: boolean | null;
  score: number | null;
}

function promptText(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt))
    return prompt.map((m) => (isRecord(m) ? asText(m.content) : asText(m))).join('\n');
  return asText(prompt);
}

function sampledText(sampled: unknown): string {
  if (Array.isArray(sampled)) return asText(sampled[0]);
  return asText(sampled);
}

function metricScore(data: JsonRecord): number | null {
  const named = finite(data.score);
  if (named !== null) return named;
  for (const v of Object.values(data)) {
    const n = finite(v);
    if (n !== null) return n;
  }
  return null;
}

class RecordReader {
  readonly header = emptyHeader('openai-evals');
  private readonly samples = new Map<string, Assembled>();
  private suite = 'openai-evals';
  private category = 'openai-evals';

  record(r: JsonRecord, line: number): string | null {
    if (isRecord(r.spec)) {
      this.spec(r.spec);
      return null;
    }
    if (isRecord(r.final_report)) {
      this.header.extra.finalReport = r.final_report;
      return null;
    }
    if (typeof r.type !== 'string') return 'neither spec, final_report nor an event with a "type"';
    const sampleId = idText(r.sample_id);
    if (sampleId === null) return null; // run-level events (e.g. "infos") carry no sample
    this.event(r, sampleId, line);
    return null;
  }

  private spec(spec: JsonRecord): void {
    const h = this.header;
    const fns = Array.isArray(spec.completion_fns)
      ? spec.completion_fns.filter((f) => typeof f === 'string')
      : [];
    h.model = fns.length > 0 ? fns.join(', ') : null;
    h.runId = idText(spec.run_id);
    h.createdAt = str(spec.created_at);
    this.suite = str(spec.base_eval) ?? str(spec.eval_name) ?? this.suite;
    this.category = str(spec.split) ?? this.suite;
    const runConfig = isRecord(spec.run_config) ? spec.run_config : {};
    const evalSpec = isRecord(runConfig.eval_spec) ? runConfig.eval_spec : {};
    const args = isRecord(evalSpec.args) ? evalSpec.args : {};
    h.sampling = { seed: runConfig.seed ?? null, max_samples: runConfig.max_samples ?? null };
    const samples = str(args.samples_jsonl);
    if (samples) h.datasetHashes['samples_jsonl (path)'] = samples;
    h.extra.evalName = str(spec.eval_name);
    h.extra.evalClass = str(evalSpec.cls);
  }

  private event(r: JsonRecord, sampleId: string, line: number): void {
    let s = this.samples.get(sampleId);
    if (!s) {
      s = { sampleId, line, prompt: null, response: null, passed: null, score: null };
      this.samples.set(sampleId, s);
    }
    const data = isRecord(r.data) ? r.data : {};
    if (r.type === 'sampling' && s.prompt === null) {
      s.prompt = promptText(data.prompt);
      s.response = sampledText(data.sampled);
    } else if (r.type === 'match') {
      s.passed = bool(data.correct) ?? s.passed;
    } else if (r.type === 'metrics') {
      s.score = metricScore(data) ?? s.score;
    }
  }

  items(): RawEvalItem[] {
    return [...this.samples.values()].map((s) => ({
      itemKey: s.sampleId,
      keyKind: 'sample-id',
      id: s.sampleId,
      suite: this.suite,
      category: this.category,
      prompt: s.prompt ?? '',
      response: s.response ?? '',
      responseIsText: s.response !== null,
      refusedLabel: null,
      score: s.score ?? (s.passed === null ? null : s.passed ? 1 : 0),
      passed: s.passed,
      trigger: null,
      variantOf: null,
      line: s.line,
      entry: null,
    }));
  }
}

export async function importOpenAiEvals(input: ImportInput, sink: ImportSink): Promise<RunHeader> {
  const reader = new RecordReader();
  await forEachJsonLine(input, sink, (record, line) => reader.record(record, line));
  const items = reader.items();
  for (const item of items) sink.item(item);
  if (items.length === 0)
    sink.warn(
      `${input.name}: the record holds no per-sample events (only the spec and the final report): nothing to compare item by item`,
    );
  return reader.header;
}
