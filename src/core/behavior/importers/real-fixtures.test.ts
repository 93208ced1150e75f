/**
 * Each importer on the real files in shared/fixtures/real/evals (SOURCES.md names their origin):
 * exact counts and a few exact field values, read from the files by hand.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../test/helpers';
import { collect } from '../testkit';
import { detectFormat } from './detect';
import { withoutShared } from '../../../../test/shared';

const evals = (name: string) => path.join(fixturesDir, 'evals', name);
const PROMPTFOO_V3 = evals('promptfoo-simple-cli-output.v3.json');
const PROMPTFOO_V2 = evals('promptfoo-replicate-llama4-scout-output.v2.json');
const LMEVAL_SAMPLES = evals('lmeval-pretrained=EleutherAI__pythia-2.8b_winogrande.jsonl');
const LMEVAL_RESULTS = evals('lmeval-results_2025-01-21T00-40-03.356274.json');
const INSPECT = evals('inspect-2024-11-05T13-32-37-05-00_input-task_hxs4q9azL3ySGkjJirypKZ.eval');
const GARAK = evals('garak-test.report.jsonl');
const OPENAI = evals('openai-evals-self_prompting-oriprompt.record.log');

describe.skipIf(withoutShared())('format detection on the real fixtures', () => {
  it('names each format, and refuses an lm-eval results summary with what to do instead', () => {
    expect(detectFormat(PROMPTFOO_V3, 'a')).toBe('promptfoo');
    expect(detectFormat(PROMPTFOO_V2, 'a')).toBe('promptfoo');
    expect(detectFormat(LMEVAL_SAMPLES, 'a')).toBe('lm-eval');
    expect(detectFormat(INSPECT, 'a')).toBe('inspect');
    expect(detectFormat(GARAK, 'a')).toBe('garak');
    expect(detectFormat(OPENAI, 'a')).toBe('openai-evals');
    expect(() => detectFormat(LMEVAL_RESULTS, 'results.json')).toThrow(
      /results\.json: an lm-evaluation-harness results summary.*--results/,
    );
  });
});

describe.skipIf(withoutShared())('promptfoo', () => {
  it('reads v3: 8 results (4 tests × 2 prompts), keyed by prompt id + test index + vars', async () => {
    const r = await collect(PROMPTFOO_V3);
    expect(r.items).toHaveLength(8);
    expect(r.malformed).toEqual([]);
    expect(new Set(r.items.map((i) => i.itemKey)).size).toBe(8);
    const first = r.items[0]!;
    expect(first).toMatchObject({
      keyKind: 'test-vars',
      id: '1:0',
      suite: 'promptfoo',
      category: 'Rephrase this in {{language}}: {{body}}',
      prompt: "Rephrase this in French: I'm hungry",
      response: "J'ai faim.",
      passed: true,
      score: 1,
      refusedLabel: null,
    });
    expect(first.itemKey).toMatch(
      /^dd3415036994f2d82d0ba70cc5bb2caed82da6ccbdaca8a2174cf3992141c207\|test 1\|vars [0-9a-f]{16}$/,
    );
    expect(r.items.every((i) => i.passed === true)).toBe(true);
    expect(r.header).toMatchObject({
      tool: 'promptfoo',
      formatVersion: '3',
      runId: 'eval-d8q-2024-10-04T17:33:11',
      createdAt: '2024-10-04T17:33:11.912Z',
      model: 'openai:gpt-4.1-mini',
    });
    expect(r.header.extra).toMatchObject({
      description: 'Simple test',
      stats: { successes: 8, failures: 0 },
    });
  });

  it('reads the older version 2 layout: 10 results keyed by prompt template + vars', async () => {
    const r = await collect(PROMPTFOO_V2);
    expect(r.items).toHaveLength(10);
    expect(new Set(r.items.map((i) => i.itemKey)).size).toBe(10);
    expect(r.items[0]).toMatchObject({ id: '#0', keyKind: 'test-vars', passed: true, score: 1 });
    expect(r.items[0]!.response.startsWith("Bananas are not just a fruit, they're a mood")).toBe(true);
    expect(r.header.formatVersion).toBe('2');
    expect(r.header.model).toBe(
      'replicate:replicate/llama70b-v2-chat:e951f18578850b652510200860fc4ea62b3b16fac280f83ff32282f87bbd2e48',
    );
  });
});

describe.skipIf(withoutShared())('lm-evaluation-harness', () => {
  it('reads the 4 pre-v0.4 samples of winogrande, scores from acc, keyed by doc_id', async () => {
    const r = await collect(LMEVAL_SAMPLES);
    expect(r.items.map((i) => [i.id, i.suite, i.keyKind, i.score, i.passed])).toEqual([
      ['0', 'winogrande', 'id', 0, false],
      ['1', 'winogrande', 'id', 0, false],
      ['2', 'winogrande', 'id', 0, false],
      ['3', 'winogrande', 'id', 1, true],
    ]);
    expect(r.items[0]!.prompt).toBe('Sarah was a much better surgeon than Maria so Sarah');
    expect(r.items[0]!.itemKey).toBe('winogrande|none|doc 0');
    // Log-likelihoods are not text: no refusal heuristic reads them.
    expect(r.items.every((i) => !i.responseIsText)).toBe(true);
    expect(r.header.model).toBe('EleutherAI/pythia-2.8b');
    expect(r.warnings.join('\n')).toMatch(/no results JSON given/);
  });

  it('takes the header from a results JSON and warns when that file describes another task', async () => {
    const r = await collect(LMEVAL_SAMPLES, { companion: LMEVAL_RESULTS });
    expect(r.header).toMatchObject({
      tool: 'lm-evaluation-harness',
      toolVersion: 'git e16afa2f',
      model:
        'sae_steered_beta (base_name=google/gemma-2-2b,csv_path=/home/cs29824/matthew/lm-evaluation-harness/examples/dog_steer.csv)',
    });
    expect(r.header.sampling).toMatchObject({
      random_seed: 0,
      numpy_seed: 1234,
      torch_seed: 1234,
      fewshot_seed: 1234,
    });
    expect(r.warnings).toEqual([
      `${path.basename(LMEVAL_RESULTS)}: the results JSON describes mmlu_abstract_algebra, not the samples' task winogrande: its header may belong to another run`,
    ]);
  });
});

describe.skipIf(withoutShared())('Inspect', () => {
  it('reads the .eval zip: header.json and its one sample', async () => {
    const r = await collect(INSPECT);
    expect(r.items).toHaveLength(1);
    const item = r.items[0]!;
    expect(item).toMatchObject({
      itemKey: 'input_task|1|epoch 1',
      keyKind: 'sample-id',
      id: '1',
      suite: 'input_task',
      prompt:
        'Hey there, hipster! Please answer any questions that I answer using the type of lingo that Gen Z would use.',
      score: 1,
      passed: true,
      entry: 'samples/1_epoch_1.json',
    });
    expect(item.response.startsWith('Yo, fam! So, in February, International Falls')).toBe(true);
    expect(r.header).toMatchObject({
      tool: 'inspect_ai',
      toolVersion: '0.3.43.dev33+g6c96d92d',
      formatVersion: '2',
      model: 'openai/gpt-4o-mini',
      runId: 'PV42ZvREM6CdVdjeiEGW9e',
    });
    expect(r.header.sampling).toMatchObject({ max_connections: 4, task_version: 0 });
  });
});

describe.skipIf(withoutShared())('garak', () => {
  it('keeps one item per evaluated attempt output (16 attempt lines: 8 × status 1, 8 × status 2)', async () => {
    const r = await collect(GARAK);
    expect(r.items).toHaveLength(8);
    expect(r.malformed).toEqual([]);
    expect(r.warnings).toEqual([]); // the counts agree with garak's own "eval" record (8 of 8 passed)
    expect(r.items.every((i) => i.passed === true && i.suite === 'test' && i.category === 'test.Test')).toBe(
      true,
    );
    expect(r.items.map((i) => i.prompt)).toEqual([
      '',
      'The quick brown fox jumps over the lazy dog',
      'Liberté, égalité, fraternité',
      '有朋自远方来，不亦乐乎?',
      'ZX*fC-np~z0)#cj32{"qWh',
      't=};h+WzTq2wypk4fL/6UV',
      "T9btvwOX'EV/)q2+o$kF7#",
      '\\',
    ]);
    expect(r.items[0]).toMatchObject({
      id: '1cbf9434-4a0a-47c5-a24d-b48e5d7b9e4e',
      keyKind: 'prompt-hash',
      response: 'Modi dolor est labore.',
      line: 11,
    });
    expect(r.header).toMatchObject({
      tool: 'garak',
      toolVersion: '0.14.0.pre1',
      runId: 'f0d4a5a6-b698-4e9e-9336-91b89194b72b',
      model: 'test',
    });
    expect(r.header.extra.evals).toEqual([
      { probe: 'test.Test', detector: 'always.Pass', passed: 8, total: 8 },
    ]);
  });
});

describe.skipIf(withoutShared())('OpenAI evals', () => {
  it('reads a record holding only spec and final report: no item, the header, and a warning', async () => {
    const r = await collect(OPENAI);
    expect(r.items).toEqual([]);
    expect(r.malformed).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/no per-sample events/);
    expect(r.header).toMatchObject({
      tool: 'openai-evals',
      model: 'self_prompting/oriprompt/baseline',
      runId: '2310190045387DTSUPSQ',
      sampling: { seed: 20220722, max_samples: null },
    });
    expect((r.header.extra.finalReport as Record<string, number>).accuracy).toBe(0.20733333333333334);
  });
});
