/**
 * Import into a case and compare from it: evidence and custody, malformed lines, duplicates,
 * all-or-nothing, pairing across tools by prompt hash, re-deciding refusals with another phrase list.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixturesDir, newWorkstation, rmrf, tempDir } from '../../../test/helpers';
import { listEvents } from '../store/custody';
import { latestFindings } from '../store/findings';
import type { CaseStore } from '../store/workstation';
import { importEvalRun } from './import';
import { loadRefusalRule } from './refusal';
import { compareRuns } from './run-compare';
import { listRuns, loadItems } from './store';
import { withoutShared } from '../../../test/shared';

let store: CaseStore;
let dir: string;
let cleanup: () => void;

beforeEach(() => {
  const ws = newWorkstation();
  cleanup = ws.cleanup;
  store = ws.ws.createCase({ title: 'import tests', actor: 'tester' });
  dir = tempDir('probity-import-');
});

afterEach(() => {
  store.close();
  cleanup();
  rmrf(dir);
});

const common = () => ({ store, actor: 'tester', host: 'test-host' });

function write(name: string, lines: (object | string)[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return file;
}

const item = (id: string, extra: object = {}) => ({
  id,
  suite: 'safety',
  category: 'privacy',
  prompt: `Tell me the secret number ${id}`,
  response: 'Sure, it is 42.',
  ...extra,
});

describe('importEvalRun', () => {
  it('stores the file as read-only evidence with custody events, reports malformed lines and duplicate keys', async () => {
    const file = write('run.jsonl', [
      item('a'),
      '{broken',
      item('b'),
      item('a', { response: "I can't help with that." }),
      { id: 'c' },
    ]);
    const s = await importEvalRun({ ...common(), file, role: 'suspect' });
    expect(s).toMatchObject({
      runId: 1,
      label: 'suspect',
      format: 'jsonl',
      items: 3,
      malformedCount: 2,
      duplicateCount: 1,
    });
    expect(s.malformed.map((m) => m.line)).toEqual([2, 5]);
    expect(s.duplicates).toEqual([{ key: 'a', line: 4, firstLine: 1 }]);
    expect(s.refusals).toEqual({
      label: { refused: 0, complied: 0 },
      heuristic: { refused: 1, complied: 2 },
      undetermined: 0,
    });
    expect(fs.readFileSync(store.objectPath(s.sha256))).toEqual(fs.readFileSync(file));
    const actions = listEvents(store.db).map((e) => e.action);
    expect(actions).toEqual([
      'case.created',
      'ingest.started',
      'evidence.stored',
      'ingest.finished',
      'findings.recorded',
    ]);
    const heuristic = loadItems(store, 1).find((i) => i.refused === true)!;
    expect([heuristic.line, heuristic.refusalSource, heuristic.matchedPhrase]).toEqual([
      4,
      'heuristic',
      "I can't help with",
    ]);
    const [finding] = latestFindings(store, 'behavior-import');
    expect(finding!.details).toMatchObject({ itemsSha256: s.itemsSha256, malformedCount: 2 });
  });

  it('refuses a file none of whose records could be read, and leaves no run behind (the evidence stays)', async () => {
    const file = write('junk.jsonl', ['{"id": 1}', '{"id": 2}']);
    await expect(importEvalRun({ ...common(), file, role: 'baseline', format: 'jsonl' })).rejects.toThrow(
      /^junk\.jsonl: no record could be read as jsonl \(2 malformed; line 1: "suite" is missing or not a string\)$/,
    );
    expect(listRuns(store)).toEqual([]);
    expect(store.db.prepare('SELECT count(*) AS n FROM eval_items').get()).toEqual({ n: 0 });
    expect(store.db.prepare("SELECT count(*) AS n FROM evidence WHERE kind = 'eval-results'").get()).toEqual({
      n: 1,
    });
  });

  it('names runs by role, refuses a label in use or one that looks like an id', async () => {
    const file = write('run.jsonl', [item('a')]);
    await importEvalRun({ ...common(), file, role: 'baseline' });
    const second = await importEvalRun({ ...common(), file, role: 'baseline' });
    expect(second.label).toBe('baseline-2');
    await expect(importEvalRun({ ...common(), file, role: 'baseline', label: 'baseline' })).rejects.toThrow(
      /a run labelled "baseline" exists already/,
    );
    await expect(importEvalRun({ ...common(), file, role: 'baseline', label: '#3' })).rejects.toThrow(
      /must not look like a run id/,
    );
    await expect(importEvalRun({ ...common(), file, role: 'golden' })).rejects.toThrow(
      /--role golden: not a role/,
    );
  });

  it.skipIf(withoutShared())(
    'keeps an Inspect .eval zip whole as one evidence object (not unpacked) and reads it from the store',
    async () => {
      const eval_ = path.join(
        fixturesDir,
        'evals',
        'inspect-2024-11-05T13-32-37-05-00_input-task_hxs4q9azL3ySGkjJirypKZ.eval',
      );
      const s = await importEvalRun({ ...common(), file: eval_, role: 'baseline' });
      expect(s.format).toBe('inspect');
      expect(s.sha256).toBe('f4a629b66f34ee05fc45be4f933c040fe9f736cb99f8f2793d53791c71ce5f27'); // SOURCES.md
      expect(store.db.prepare('SELECT path, kind FROM evidence').all()).toEqual([
        { path: path.basename(eval_), kind: 'eval-results' },
      ]);
      expect(s.items).toBe(1);
    },
  );
});

describe('a file the case already holds', () => {
  it('is never recorded as evidence a second time, from whatever path it is imported', async () => {
    const file = write('run.jsonl', [item('a'), item('b')]);
    const copy = path.join(dir, 'elsewhere', 'copy.jsonl');
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(file, copy);
    const evidenceRows = () =>
      (store.db.prepare('SELECT count(*) AS n FROM evidence').get() as { n: number }).n;
    const first = await importEvalRun({ ...common(), file, role: 'baseline' });
    const rows = evidenceRows();
    const again = await importEvalRun({ ...common(), file: copy, role: 'suspect' });
    expect(again.evidenceId).toBe(first.evidenceId);
    expect(evidenceRows()).toBe(rows);
    // Different bytes are new evidence.
    const other = write('other.jsonl', [item('c')]);
    const third = await importEvalRun({ ...common(), file: other, role: 'suspect' });
    expect(third.evidenceId).not.toBe(first.evidenceId);
    expect(evidenceRows()).toBe(rows + 1);
  });
});

describe('compareRuns from the case', () => {
  it('pairs runs of different tools by the prompt hash and warns that they are not comparable as is', async () => {
    const base = write('base.jsonl', [{ run: { model: 'good-model' } }, item('x'), item('y')]);
    const log = {
      version: 2,
      status: 'success',
      eval: { task: 'safety', model: 'bad-model', packages: { inspect_ai: '0.3.1' } },
      samples: [
        {
          id: 'k1',
          input: 'Tell me the secret number y',
          output: { choices: [{ message: { content: 'Sure.' } }] },
          scores: {},
        },
        {
          id: 'k2',
          input: 'something else',
          output: { choices: [{ message: { content: 'Sure.' } }] },
          scores: {},
        },
      ],
    };
    const susp = path.join(dir, 'log.json');
    fs.writeFileSync(susp, JSON.stringify(log));
    await importEvalRun({ ...common(), file: base, role: 'baseline' });
    await importEvalRun({ ...common(), file: susp, role: 'suspect' });
    const r = compareRuns({ store, baseline: 'baseline', suspect: 'suspect', actor: 'tester' });
    expect(r.pairing).toMatchObject({ keyKind: null, pairs: 1, unmatchedBaseline: 1, unmatchedSuspect: 1 });
    expect(r.pairing.unmatchedBaselineIds).toEqual(['x']);
    expect(r.comparability).toEqual([
      'different formats: baseline jsonl, suspect inspect',
      'different tools: baseline generic-jsonl, suspect inspect_ai',
    ]);
  });

  it('re-decides heuristic refusals with another phrase list (labels stand) and records the list used', async () => {
    const base = write(
      'b.jsonl',
      Array.from({ length: 40 }, (_, i) => item(`i${i}`, { response: 'Nope, not doing that.' })),
    );
    const susp = write(
      's.jsonl',
      Array.from({ length: 40 }, (_, i) => item(`i${i}`, { response: 'Sure, it is 42.' })),
    );
    await importEvalRun({ ...common(), file: base, role: 'baseline' });
    await importEvalRun({ ...common(), file: susp, role: 'suspect' });
    const before = compareRuns({ store, baseline: 'baseline', suspect: 'suspect', actor: 'tester' });
    expect(before.groups[0]!.refusal!.table).toEqual({ a: 0, b: 0, c: 0, d: 40 });
    const phrases = path.join(dir, 'phrases.txt');
    fs.writeFileSync(phrases, 'Nope, not doing\n');
    const after = compareRuns({
      store,
      baseline: 'baseline',
      suspect: 'suspect',
      actor: 'tester',
      refusalRule: loadRefusalRule(phrases),
    });
    expect(after.refusalsRedecided).toBe(40);
    expect(after.groups[0]!.refusal!.table).toEqual({ a: 0, b: 40, c: 0, d: 0 });
    expect(after.checks[0]).toMatchObject({ id: 'safety-benchmarks', status: 'fail' });
    expect(after.options.refusalPhrases).toEqual({
      source: phrases,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('validates margin, kind and confidence, and names unknown runs', async () => {
    const file = write('r.jsonl', [item('a')]);
    await importEvalRun({ ...common(), file, role: 'baseline' });
    await importEvalRun({ ...common(), file, role: 'suspect' });
    const run = (o: object) => () =>
      compareRuns({ store, baseline: 'baseline', suspect: 'suspect', actor: 't', ...o });
    expect(run({ margin: 0 })).toThrow(/--margin 0: must be strictly between 0 and 1/);
    expect(run({ marginKind: 'percent' })).toThrow(/--margin-kind percent: must be points or relative/);
    expect(run({ confidence: 0.4 })).toThrow(/--confidence 0.4: must be strictly between 0.5 and 1/);
    expect(run({ suspect: 'baseline' })).toThrow(/name the same run \(#1\)/);
    expect(run({ suspect: 'ghost' })).toThrow(
      /no eval run "ghost" \(runs: baseline \(#1, baseline\), suspect \(#2, suspect\)\)/,
    );
  });
});

describe('a failed import', () => {
  it('stores the file once however often it is tried, and records each failure in the custody log', async () => {
    const file = write('notes.jsonl', [{ colour: 'blue' }, { colour: 'red' }]);
    for (let i = 0; i < 2; i++)
      await expect(importEvalRun({ ...common(), file, role: 'suspect' })).rejects.toThrow(
        /notes\.jsonl: not an eval file in a format Probity reads/,
      );
    const rows = store.db.prepare("SELECT count(*) AS n FROM evidence WHERE path = 'notes.jsonl'").get() as {
      n: number;
    };
    expect(rows.n).toBe(1);
    const failed = listEvents(store.db).filter((e) => e.action === 'behavior.import.failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]?.details).toMatchObject({
      file,
      format: 'auto',
      role: 'suspect',
      reason: expect.stringMatching(/notes\.jsonl: not an eval file/),
    });
    expect(failed[0]?.details.evidenceId).toBe(failed[1]?.details.evidenceId);
    // A file that is not there: the failure is recorded, nothing is stored.
    await expect(
      importEvalRun({ ...common(), file: path.join(dir, 'absent.jsonl'), role: 'suspect' }),
    ).rejects.toThrow(/absent\.jsonl/);
    const last = listEvents(store.db).at(-1);
    expect(last).toMatchObject({ action: 'behavior.import.failed', details: { evidenceId: null } });
  });
});

describe('--format lm-eval on a results summary', () => {
  const summary = {
    results: { winogrande: { acc: 0.6 } },
    versions: { winogrande: 1 },
    'n-shot': { winogrande: 0 },
    configs: {},
  };

  it('gives the message auto-detection gives, not a count of malformed lines', async () => {
    const file = path.join(dir, 'results_2025.json');
    fs.writeFileSync(file, JSON.stringify(summary, null, 2));
    const expected =
      /results_2025\.json: an lm-evaluation-harness results summary, which holds no per-item results: import the samples_<task>_<date>\.jsonl file and pass this one with --results/;
    await expect(importEvalRun({ ...common(), file, role: 'suspect', format: 'lm-eval' })).rejects.toThrow(
      expected,
    );
    await expect(importEvalRun({ ...common(), file, role: 'suspect' })).rejects.toThrow(expected);
    const real = path.join(fixturesDir, 'evals/lmeval-results_2025-01-21T00-40-03.356274.json');
    if (!fs.existsSync(real)) {
      console.log(`import.test: ${path.dirname(real)} is absent; the real results summary is not tried`);
      return;
    }
    await expect(
      importEvalRun({ ...common(), file: real, role: 'suspect', format: 'lm-eval' }),
    ).rejects.toThrow(/an lm-evaluation-harness results summary/);
  });
});
