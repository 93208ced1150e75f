/**
 * Importers on small files written here: the cases the real fixtures do not cover (malformed lines,
 * hits, interleaved events, modern lm-eval keys, Inspect JSON logs, unknown formats).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../../test/helpers';
import { ProbityError } from '../../util/errors';
import { collect } from '../testkit';
import { detectFormat } from './detect';

const dir = tempDir('probity-importers-');
afterAll(() => rmrf(dir));

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const jsonl = (records: unknown[]) =>
  `${records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;

describe('generic JSONL', () => {
  it('imports the good records and reports each malformed one by line number with the field at fault', async () => {
    const item = (id: string, extra: object = {}) => ({
      id,
      suite: 's',
      category: 'c',
      prompt: `p ${id}`,
      response: 'r',
      ...extra,
    });
    const file = write(
      'mixed.jsonl',
      jsonl([
        { run: { model: 'm-1', dataset_sha256: 'abc', sampling: { temperature: 0 } } },
        item('a', { refused: true, passed: true }),
        '{"id": "b", "suite": ',
        { id: 'c', category: 'c', prompt: 'p', response: 'r' },
        item('d', { trigger: 'T' }),
        item('e', { score: '0.5' }),
        '',
        '[1, 2]',
        item(7 as unknown as string, { score: 0.25, trigger: 'T', variant_of: 'a' }),
      ]),
    );
    const r = await collect(file);
    expect(r.format).toBe('jsonl');
    expect(r.items.map((i) => [i.id, i.line, i.refusedLabel, i.score, i.trigger, i.variantOf])).toEqual([
      ['a', 2, true, null, null, null],
      ['7', 9, null, 0.25, 'T', 'a'],
    ]);
    expect(r.malformed.map((m) => [m.line, m.reason.replace(/\(.*\)/, '(…)')])).toEqual([
      [3, 'not valid JSON (…)'],
      [4, '"suite" is missing or not a string'],
      [5, '"trigger" and "variant_of" must be given together'],
      [6, '"score" must be a finite number'],
      [8, 'not a JSON object'],
    ]);
    expect(r.header).toMatchObject({
      model: 'm-1',
      datasetHashes: { dataset: 'abc' },
      sampling: { temperature: 0 },
    });
  });
});

describe('format detection', () => {
  it('refuses a file in no known format, naming it', () => {
    const text = write('notes.txt', 'hello, this is not an eval\n');
    const json = write('other.json', '{"foo": 1, "bar": [1, 2]}');
    expect(() => detectFormat(text, 'notes.txt')).toThrow(ProbityError);
    expect(() => detectFormat(text, 'notes.txt')).toThrow(
      /^notes\.txt: not an eval file in a format Probity reads \(generic JSONL, promptfoo/,
    );
    expect(() => detectFormat(json, 'other.json')).toThrow(/^other\.json: not an eval file/);
  });
});

describe('promptfoo', () => {
  it('refuses a results version it does not know', async () => {
    const file = write(
      'pf4.json',
      JSON.stringify({ evalId: 'e', results: { version: 4, results: [] }, config: {} }),
    );
    await expect(collect(file)).rejects.toThrow(
      /pf4\.json: promptfoo results version 4 is not one Probity reads \(2 and 3 are\)/,
    );
  });

  it('reports a result that is not an object by its line and keeps the others; reads suite, category and triggers from metadata', async () => {
    const result = (testIdx: number, meta: object) => ({
      testIdx,
      promptIdx: 0,
      promptId: 'pid',
      prompt: { raw: `q${testIdx}`, label: 'L' },
      vars: { q: testIdx },
      response: { output: "I can't help with that." },
      success: false,
      score: 0,
      testCase: { metadata: meta },
      provider: { id: 'openai:x' },
    });
    const doc = {
      evalId: 'e1',
      results: {
        version: 3,
        results: [
          result(0, { suite: 'safety', category: 'privacy' }),
          'oops',
          result(1, { pluginId: 'harmful:hate', trigger: 'T', variant_of: '0:0' }),
        ],
      },
      config: { providers: [{ id: 'openai:x', config: { temperature: 0.2 } }] },
    };
    const file = write('pf.json', JSON.stringify(doc, null, 1));
    const r = await collect(file);
    expect(r.items.map((i) => [i.suite, i.category, i.trigger, i.variantOf, i.passed])).toEqual([
      ['safety', 'privacy', null, null, false],
      ['harmful:hate', 'L', 'T', '0:0', false],
    ]);
    expect(r.malformed).toHaveLength(1);
    expect(r.malformed[0]!.reason).toBe('results.results[1]: a result that is not a JSON object');
    expect(r.malformed[0]!.line).toBeGreaterThan(1);
    expect(r.header.sampling).toEqual({ temperature: 0.2 });
  });
});

describe('lm-evaluation-harness v0.4 samples', () => {
  it('keys by task + filter + doc_hash, reads the task from the file name and generated text as the response', async () => {
    const rec = (docId: number, filter: string, em: number) => ({
      doc_id: docId,
      doc: { question: 'q' },
      target: '4',
      arguments: { gen_args_0: { arg_0: `Question ${docId}`, arg_1: { until: ['\n'] } } },
      resps: [['The answer is 4']],
      filtered_resps: ['4'],
      filter,
      metrics: ['exact_match'],
      doc_hash: `h${docId}`,
      prompt_hash: 'ph',
      target_hash: 'th',
      exact_match: em,
    });
    const file = write(
      'samples_gsm8k_2025-01-21T00-40-03.356274.jsonl',
      jsonl([rec(0, 'strict-match', 1), rec(0, 'flexible-extract', 0)]),
    );
    const r = await collect(file);
    expect(
      r.items.map((i) => [
        i.itemKey,
        i.keyKind,
        i.suite,
        i.prompt,
        i.response,
        i.responseIsText,
        i.score,
        i.passed,
      ]),
    ).toEqual([
      ['gsm8k|strict-match|h0', 'doc-hash', 'gsm8k', 'Question 0', '4', true, 1, true],
      ['gsm8k|flexible-extract|h0', 'doc-hash', 'gsm8k', 'Question 0', '4', true, 0, false],
    ]);
  });
});

describe('Inspect JSON log', () => {
  it('resolves attachments, reads scores and trigger metadata, and the header around the samples', async () => {
    const sample = (id: number, value: unknown, meta: object = {}) => ({
      id,
      epoch: 1,
      input: [{ role: 'user', content: 'attachment://aa' }],
      output: {
        choices: [{ message: { role: 'assistant', content: [{ type: 'text', text: `answer ${id}` }] } }],
      },
      scores: { match: { value } },
      metadata: meta,
      attachments: { aa: 'the long prompt' },
    });
    const log = {
      version: 2,
      status: 'success',
      eval: {
        task: 'refusals',
        model: 'hf/m',
        run_id: 'r1',
        packages: { inspect_ai: '0.3.99' },
        dataset: { name: 'ds' },
      },
      plan: { config: { temperature: 0 } },
      results: { scores: [{ name: 'match' }] },
      samples: [
        sample(1, 'C', { category: 'privacy' }),
        sample(2, 'I', { trigger: 'T', variant_of: '1' }),
        sample(3, 'P'),
        sample(4, 0.25),
      ],
    };
    const file = write('log.json', JSON.stringify(log));
    const r = await collect(file);
    expect(r.format).toBe('inspect');
    expect(
      r.items.map((i) => [i.id, i.category, i.prompt, i.response, i.score, i.passed, i.trigger, i.variantOf]),
    ).toEqual([
      ['1', 'privacy', 'the long prompt', 'answer 1', 1, true, null, null],
      ['2', 'refusals', 'the long prompt', 'answer 2', 0, false, 'T', '1'],
      ['3', 'refusals', 'the long prompt', 'answer 3', 0.5, false, null, null],
      ['4', 'refusals', 'the long prompt', 'answer 4', 0.25, null, null, null],
    ]);
    expect(r.header).toMatchObject({
      model: 'hf/m',
      toolVersion: '0.3.99',
      runId: 'r1',
      sampling: { temperature: 0 },
    });
    expect(r.header.datasetHashes).toEqual({ 'dataset name': 'ds' });
  });
});

describe('garak', () => {
  it('fails an output a detector scored at or above the threshold, keeps unscored attempts with passed unknown, and checks the eval record', async () => {
    const attempt = (
      uuid: string,
      status: number,
      text: string,
      outputs: string[],
      det: Record<string, number[]> = {},
    ) => ({
      entry_type: 'attempt',
      uuid,
      seq: 0,
      status,
      probe_classname: 'dan.Dan_11_0',
      prompt: { turns: [{ role: 'user', content: { text } }] },
      outputs: outputs.map((t) => ({ text: t })),
      detector_results: det,
    });
    const file = write(
      'g.report.jsonl',
      jsonl([
        {
          entry_type: 'start_run setup',
          'plugins.model_type': 'huggingface',
          'plugins.model_name': 'gpt2',
          'run.seed': 1,
        },
        { entry_type: 'init', garak_version: '0.9.0', run: 'run-1' },
        attempt('u1', 1, 'P', ['ok', 'DAN mode on']),
        attempt('u2', 1, 'P', ['no']),
        attempt('u1', 2, 'P', ['ok', 'DAN mode on'], {
          'dan.DAN': [0, 1],
          'mitigation.MitigationBypass': [0.2, 0.4],
        }),
        { entry_type: 'eval', probe: 'dan.Dan_11_0', detector: 'dan.DAN', passed: 2, total: 2 },
      ]),
    );
    const r = await collect(file);
    expect(
      r.items.map((i) => [i.id, i.suite, i.passed, i.itemKey.replace(/\|[0-9a-f]{64}\|/, '|<hash>|')]),
    ).toEqual([
      ['u1', 'dan', true, 'dan.Dan_11_0|<hash>|#1|out 0'],
      ['u1#1', 'dan', false, 'dan.Dan_11_0|<hash>|#1|out 1'],
      ['u2', 'dan', null, 'dan.Dan_11_0|<hash>|#2|out 0'],
    ]);
    expect(r.header).toMatchObject({ model: 'huggingface gpt2', toolVersion: '0.9.0', runId: 'run-1' });
    expect(r.warnings).toEqual([
      'g.report.jsonl: 1 attempt(s) were never scored by a detector (status 1 only): passed unknown',
      "g.report.jsonl: garak's eval record says 2 outputs of dan.Dan_11_0 passed dan.DAN; the attempts show 1",
      'g.report.jsonl: no "completion" record: the garak run is incomplete (stopped or cut short before it ended); its results cover only the probes that ran',
    ]);
    expect(r.header.extra).toMatchObject({ completed: false, completedAt: null });
  });

  it('a run closed by its "completion" record is complete: no warning', async () => {
    const file = write(
      'done.report.jsonl',
      jsonl([
        { entry_type: 'init', garak_version: '0.9.0', run: 'run-2' },
        { entry_type: 'completion', end_time: '2025-08-28T14:06:54', run: 'run-2' },
      ]),
    );
    const r = await collect(file);
    expect(r.warnings).toEqual([]);
    expect(r.header.extra).toMatchObject({ completed: true, completedAt: '2025-08-28T14:06:54' });
  });
});

describe('OpenAI evals record', () => {
  it('assembles interleaved events per sample: prompt and completion from sampling, passed from match', async () => {
    const ev = (sample: string, type: string, data: object) => ({
      run_id: 'r',
      event_id: 1,
      sample_id: sample,
      type,
      data,
      created_by: '',
      created_at: '',
    });
    const file = write(
      'rec.log',
      jsonl([
        {
          spec: {
            completion_fns: ['gpt-x'],
            eval_name: 'arith.dev.v0',
            base_eval: 'arith',
            split: 'dev',
            run_id: 'r',
            run_config: { seed: 7 },
          },
        },
        ev('arith.dev.0', 'sampling', { prompt: [{ role: 'user', content: '1+1?' }], sampled: ['2'] }),
        ev('arith.dev.1', 'sampling', { prompt: '2+2?', sampled: '5' }),
        ev('arith.dev.1', 'match', { correct: false, expected: '4', picked: null }),
        ev('arith.dev.0', 'match', { correct: true, expected: '2', picked: '2' }),
        { final_report: { accuracy: 0.5 } },
      ]),
    );
    const r = await collect(file);
    expect(
      r.items.map((i) => [i.itemKey, i.suite, i.category, i.prompt, i.response, i.passed, i.score, i.line]),
    ).toEqual([
      ['arith.dev.0', 'arith', 'dev', '1+1?', '2', true, 1, 2],
      ['arith.dev.1', 'arith', 'dev', '2+2?', '5', false, 0, 3],
    ]);
    expect(r.header.sampling).toEqual({ seed: 7, max_samples: null });
  });
});
