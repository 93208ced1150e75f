/**
 * Behavior benchmark: how long a comparison of 100,000 paired eval items takes (target: well under
 * 2 s), and the import rate of a generated ~200 MB generic JSONL (bytes stored as evidence, parsed
 * from the store, refusal-judged and written to case.db), beside a peer measured in the same run on
 * the same file: Python's json.loads over every line (parsing only, nothing stored).
 *
 *   npx tsx bench/behavior.ts            (BENCH_SCALE=0.1 for a quick look; BENCH_REPEAT=n, default 2)
 *
 * Inputs are generated once into bench/.data/behavior and reused.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importEvalRun } from '../src/core/behavior/import';
import { analyse, compareRuns } from '../src/core/behavior/run-compare';
import type { StoredItem } from '../src/core/behavior/store';
import { DEFAULT_SUITE_MAP } from '../src/core/behavior/verification';
import { createRng, type Xoshiro256StarStar as Rng } from '../src/core/stats';
import { Workstation } from '../src/core/store/workstation';

const here = path.dirname(fileURLToPath(import.meta.url));
const data = path.join(here, '.data', 'behavior');
const scale = Number(process.env.BENCH_SCALE ?? '1');
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? '2'));
const ITEMS = Math.round(100_000 * scale);
/** Padding that brings a line to about 2 KB, so ITEMS lines make about 200 MB. */
const FILLER = 'The assistant answers at length so that each record carries a realistic response. '.repeat(
  16,
);
const MB = 1e6;

interface Spec {
  id: string;
  suite: string;
  category: string;
  trigger?: string;
  variantOf?: string;
}

/** The item layout: safety 40%, jailbreak 20%, capability 30%, smoke 5%, trigger scan 5%. */
function specs(n: number): Spec[] {
  const out: Spec[] = [];
  const add = (suite: string, cats: number, count: number) => {
    for (let i = 0; i < count; i++)
      out.push({ id: `${suite}-${i}`, suite, category: `${suite}-c${i % cats}` });
  };
  add('safety', 8, Math.round(n * 0.4));
  add('jailbreak', 4, Math.round(n * 0.2));
  add('capability', 10, Math.round(n * 0.3));
  add('smoke', 4, Math.round(n * 0.05));
  const bases = Math.max(1, Math.floor((n - out.length) / 9));
  for (let b = 0; b < bases; b++) {
    out.push({ id: `trig-${b}`, suite: 'trigger-scan', category: 'trigger' });
    for (let t = 0; t < 8; t++)
      out.push({
        id: `trig-${b}-t${t}`,
        suite: 'trigger-scan',
        category: 'trigger',
        trigger: `T${t}`,
        variantOf: `trig-${b}`,
      });
  }
  return out;
}

interface Outcome {
  refused?: boolean;
  passed?: boolean;
  score?: number;
}

/** Baseline outcome, and the suspect's: the same with 2% of items flipped. */
function outcome(s: Spec, rng: Rng, base: Outcome | null): Outcome {
  const flip = base !== null && rng.nextFloat() < 0.02;
  if (s.suite === 'capability' || s.suite === 'smoke') {
    const passed = base ? (flip ? !base.passed : Boolean(base.passed)) : rng.nextFloat() < 0.8;
    return {
      passed,
      score: Math.round((passed ? 0.7 + 0.3 * rng.nextFloat() : 0.45 * rng.nextFloat()) * 1000) / 1000,
      refused: false,
    };
  }
  if (s.variantOf) return { refused: base ? (flip ? !base.refused : Boolean(base.refused)) : true };
  const refused = base ? (flip ? !base.refused : Boolean(base.refused)) : rng.nextFloat() < 0.95;
  return { refused, passed: refused };
}

function record(s: Spec, o: Outcome): string {
  const response = o.refused ? "I can't help with that." : `Sure. ${FILLER}`;
  return JSON.stringify({
    id: s.id,
    suite: s.suite,
    category: s.category,
    prompt: `Prompt for ${s.id}. ${FILLER.slice(0, 600)}`,
    response: o.refused ? `${response} ${FILLER}` : response,
    ...o,
    ...(s.trigger ? { trigger: s.trigger, variant_of: s.variantOf } : {}),
  });
}

function generate(): { baseline: string; suspect: string } {
  const baseline = path.join(data, `baseline-${ITEMS}.jsonl`);
  const suspect = path.join(data, `suspect-${ITEMS}.jsonl`);
  if (fs.existsSync(baseline) && fs.existsSync(suspect)) return { baseline, suspect };
  fs.mkdirSync(data, { recursive: true });
  process.stderr.write(`generating ${ITEMS} items × 2 runs…\n`);
  const rng = createRng('probity-bench-behavior');
  const b = fs.openSync(baseline, 'w');
  const s = fs.openSync(suspect, 'w');
  for (const spec of specs(ITEMS)) {
    const ob = outcome(spec, rng, null);
    fs.writeSync(b, `${record(spec, ob)}\n`);
    fs.writeSync(s, `${record(spec, outcome(spec, rng, ob))}\n`);
  }
  fs.closeSync(b);
  fs.closeSync(s);
  return { baseline, suspect };
}

/** Stored items straight from the generator, for the in-memory comparison. */
function memoryItems(): { baseline: StoredItem[]; suspect: StoredItem[] } {
  const rng = createRng('probity-bench-behavior');
  const baseline: StoredItem[] = [];
  const suspect: StoredItem[] = [];
  const item = (s: Spec, o: Outcome, seq: number): StoredItem => ({
    seq,
    itemKey: s.id,
    keyKind: 'id',
    promptSha256: s.id,
    id: s.id,
    suite: s.suite,
    category: s.category,
    refused: o.refused ?? null,
    refusalSource: o.refused === undefined ? null : 'label',
    matchedPhrase: null,
    score: o.score ?? null,
    passed: o.passed ?? null,
    trigger: s.trigger ?? null,
    variantOf: s.variantOf ?? null,
    line: seq,
    responseIsText: true,
    response: null,
  });
  specs(ITEMS).forEach((spec, i) => {
    const ob = outcome(spec, rng, null);
    baseline.push(item(spec, ob, i + 1));
    suspect.push(item(spec, outcome(spec, rng, ob), i + 1));
  });
  return { baseline, suspect };
}

function best<T>(fn: () => T): { seconds: number; value: T } {
  let seconds = Infinity;
  let value: T | undefined;
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    value = fn();
    seconds = Math.min(seconds, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return { seconds, value: value as T };
}

async function bestAsync<T>(
  prepare: () => void,
  fn: () => Promise<T>,
): Promise<{ seconds: number; value: T }> {
  let seconds = Infinity;
  let value: T | undefined;
  for (let i = 0; i < repeat; i++) {
    prepare();
    const t = process.hrtime.bigint();
    value = await fn();
    seconds = Math.min(seconds, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return { seconds, value: value as T };
}

function pythonPeer(file: string): number | null {
  const code =
    'import json,sys,time\nt=time.perf_counter()\nfor l in open(sys.argv[1],"rb"): json.loads(l)\nprint(time.perf_counter()-t)';
  const r = spawnSync('python3', ['-c', code, file], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

async function main(): Promise<void> {
  const files = generate();
  const size = fs.statSync(files.baseline).size;
  const mem = memoryItems();
  const opts = {
    margin: 0.05,
    marginKind: 'points' as const,
    confidence: 0.95,
    seed: 'bench',
    suiteMap: { ...DEFAULT_SUITE_MAP },
  };
  const inMemory = best(() => analyse(mem.baseline, mem.suspect, opts));

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-bench-behavior-'));
  const ws = new Workstation(work, 'bench');
  let store = ws.createCase({ title: 'bench', actor: 'bench' });
  const imported = await bestAsync(
    () => {
      store.close();
      store = ws.createCase({ title: 'bench', actor: 'bench' });
    },
    () => importEvalRun({ store, file: files.baseline, role: 'baseline', actor: 'bench', host: 'bench' }),
  );
  await importEvalRun({ store, file: files.suspect, role: 'suspect', actor: 'bench', host: 'bench' });
  const fromCase = best(() =>
    compareRuns({ store, baseline: 'baseline', suspect: 'suspect', actor: 'bench' }),
  );
  store.close();
  fs.rmSync(work, { recursive: true, force: true });
  const peer = best(() => pythonPeer(files.baseline));

  const pairs = fromCase.value.pairing.pairs;
  const rate = (s: number) => `${(size / MB / s).toFixed(1)} MB/s`;
  console.log(
    `Probity behavior benchmark — ${os.cpus().length} cores, Node ${process.version}; best of ${repeat}`,
  );
  console.log(
    `compare ${inMemory.value.pairing.pairs.toLocaleString('en-US')} paired items in memory: ${inMemory.seconds.toFixed(3)} s (target well under 2 s)`,
  );
  console.log(
    `compare ${pairs.toLocaleString('en-US')} paired items from the case (load, compare, record findings): ${fromCase.seconds.toFixed(3)} s`,
  );
  console.log(
    `import ${(size / MB).toFixed(0)} MB generic JSONL (${imported.value.items.toLocaleString('en-US')} items; store + parse + judge + write): ${imported.seconds.toFixed(2)} s = ${rate(imported.seconds)}`,
  );
  if (peer.value !== null) {
    console.log(
      `  peer: python3 json.loads of every line, nothing stored: ${peer.value.toFixed(2)} s = ${rate(peer.value)}; ratio ${(peer.value / imported.seconds).toFixed(2)}×`,
    );
  }
}

await main();
