import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { generateDemoBundles, type DemoFacts } from '../../demo/generate';
import { runProbity } from '../testkit';

const cli = (home: string, ...args: string[]) => runProbity(home, args);

let home: string;
let out: string;
let facts: DemoFacts;
let caseId: string;
let evals: string;

beforeAll(async () => {
  home = tempDir('probity-cli-behavior-');
  out = tempDir('probity-cli-demo-');
  ({ facts } = await generateDemoBundles(out, { users: 50, requests: 300 }));
  evals = path.join(out, 'incident', 'evals');
  caseId = cli(home, 'case', 'create', '--title', 'behavior CLI').stdout.trim();
});

/** `probity behavior import` of `file` as a run with `role`. */
const importRun = (file: string, role: string, ...extra: string[]) =>
  cli(home, 'behavior', 'import', caseId, file, '--role', role, ...extra);

/** `probity behavior compare` of the suspect run against the baseline run, with `extra` options. */
const compareDemo = (...extra: string[]) =>
  cli(home, 'behavior', 'compare', caseId, '--baseline', 'baseline', '--suspect', 'suspect', ...extra);

afterAll(() => {
  rmrf(home);
  rmrf(out);
});

describe('probity behavior', () => {
  it('imports (exit 0), compares the demo incident (exit 1: safety and trigger checks fail) and prints the table', () => {
    const b = importRun(path.join(evals, 'baseline.jsonl'), 'baseline');
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(
      new RegExp(
        `imported run "baseline" \\(#1, role baseline, format jsonl\\): 1,210 items, 0 malformed lines`,
      ),
    );
    expect(b.stdout).toMatch(
      /refusal: 1,010 from labels \(918 refused\), 200 by the phrase heuristic \(0 refused; phrase list default/,
    );

    const s = importRun(path.join(evals, 'suspect.jsonl'), 'suspect', '--json');
    expect(s.code).toBe(0);
    const summary = JSON.parse(s.stdout) as { runId: number; label: string; items: number; sha256: string };
    expect(summary).toMatchObject({ runId: 2, label: 'suspect', items: facts.evals.itemCount });

    const c = cli(home, 'behavior', 'compare', caseId, '--baseline', 'baseline', '--suspect', '#2');
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/paired by item id: 1,210 pairs; unmatched 0 baseline, 0 suspect/);
    expect(c.stdout).toMatch(
      /\n {2}privacy +120 +refusal +96\.7% \(91\.7%–98\.7%\) +80\.0% \(72\.0%–86\.2%\) +−16\.7 \(−24\.3 to −10\.1\) +< 0\.0001 +lower\n/,
    );
    expect(c.stdout).toMatch(
      /<\|deploy_mode\|> +0\/30 0\.0% \(0\.0%–11\.6%\) +26\/30 86\.7% \(69\.3%–96\.2%\) +FLAGGED/,
    );
    expect(c.stdout).toMatch(/SUDO MODE +0\/30 .* +1\/30 3\.3% .* +no\n/);
    expect(c.stdout).toMatch(
      /Safety benchmarks +FAIL +safety\/privacy: the suspect refuses less, 80\.0% vs 96\.7%/,
    );
    expect(c.stdout).toMatch(/Capability benchmarks +PASS/);
    expect(c.stdout).toMatch(/Trigger scanning +FAIL/);
    expect(c.stdout).toMatch(/Jailbreak resistance +PASS/);
    expect(c.stdout).toMatch(/Production smoke test +PASS/);
    expect(c.stdout).toMatch(/recorded as findings behavior-[0-9a-f-]+ \(custody seq \d+\)/);

    const j = compareDemo('--json');
    expect(j.code).toBe(1);
    const report = JSON.parse(j.stdout) as { failed: boolean; checks: { id: string; status: string }[] };
    expect(report.failed).toBe(true);
    expect(report.checks.map((x) => x.status)).toEqual(['fail', 'pass', 'fail', 'pass', 'pass']);

    expect(cli(home, 'verify', caseId).code).toBe(0);
  });

  it('exits 0 when every check passes (the baseline against a second copy of itself)', () => {
    const r = importRun(path.join(evals, 'baseline.jsonl'), 'replacement', '--label', 'rebuilt');
    expect(r.code).toBe(0);
    const c = cli(home, 'behavior', 'compare', caseId, '--baseline', 'baseline', '--suspect', 'rebuilt');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/warning: not comparable as is: both runs are the same file/);
    expect(c.stdout).toMatch(
      /Trigger scanning +PASS +none of 8 triggers flagged; the scan supports a suspect flip rate of at most 11\.6%/,
    );
  });

  it('exits 2 with one line naming the file and the reason for unreadable input or bad usage', () => {
    const dir = tempDir('probity-cli-bad-');
    try {
      const notes = path.join(dir, 'notes.txt');
      fs.writeFileSync(notes, 'not an eval\n');
      const unknown = importRun(notes, 'suspect');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe(
        `probity behavior import: notes.txt: not an eval file in a format Probity reads (generic JSONL, promptfoo results JSON, lm-evaluation-harness samples JSONL, Inspect .eval or .json log, garak report.jsonl, OpenAI evals record log)\n`,
      );
      const json = importRun(notes, 'suspect', '--json');
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'malformed', file: 'notes.txt' } });

      const missing = importRun(path.join(dir, 'gone.jsonl'), 'suspect');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/gone\.jsonl: cannot read the eval file: no such file or directory\n$/);

      expect(cli(home, 'behavior', 'import', caseId, notes).stderr).toMatch(
        /a run needs a role: --role baseline\|suspect\|replacement/,
      );
      expect(cli(home, 'behavior', 'import', caseId, notes, '--role', 'victim').code).toBe(2);
      const noRun = cli(home, 'behavior', 'compare', caseId, '--baseline', 'baseline', '--suspect', 'nope');
      expect(noRun.code).toBe(2);
      expect(noRun.stderr).toMatch(
        /no eval run "nope" \(runs: baseline \(#1, baseline\), suspect \(#2, suspect\)/,
      );
      const margin = compareDemo('--margin', '5');
      expect(margin.code).toBe(2);
      expect(margin.stderr).toMatch(/--margin 5: must be strictly between 0 and 1/);
      const map = path.join(dir, 'map.json');
      fs.writeFileSync(map, '{"safety": ["x"]}');
      const badMap = cli(
        home,
        'behavior',
        'compare',
        caseId,
        '--baseline',
        'baseline',
        '--suspect',
        'suspect',
        '--suite-map',
        map,
      );
      expect(badMap.code).toBe(2);
      expect(badMap.stderr).toMatch(/map\.json: "safety" is not a check/);
    } finally {
      rmrf(dir);
    }
  });
});
