/**
 * `probity behavior import` and `probity behavior compare` (src/core/behavior does the work; this
 * file parses options and prints). With --json, stdout carries only the result document.
 */
import { compareRuns, type ComparisonReport } from '../../core/behavior/run-compare';
import type { BinaryComparison, GroupComparison, ScoreComparison } from '../../core/behavior/compare';
import { formatP } from '../../core/behavior/compare';
import { importEvalRun, type ImportSummary } from '../../core/behavior/import';
import { loadRefusalRule } from '../../core/behavior/refusal';
import { loadSuiteMap } from '../../core/behavior/verification';
import { EVAL_FORMATS, RUN_ROLES } from '../../core/behavior/types';
import { ProbityError } from '../../core/util/errors';
import { humanBytes } from '../../core/util/format';
import { pct } from '../../shared/format';
import type { Command, CommandContext } from '../command';
import { numberOpt, opt } from '../options';
import { emit, table, withCase } from '../output';

const count = (n: number): string => n.toLocaleString('en-US');

function printImport(ctx: CommandContext, s: ImportSummary): void {
  const out = ctx.stdout;
  out.write(
    `${s.caseId}: stored ${s.file} as evidence #${s.evidenceId} (sha256 ${s.sha256}, ${humanBytes(s.bytes)})\n`,
  );
  if (s.companion)
    out.write(
      `results JSON ${s.companion.file} stored as evidence #${s.companion.evidenceId} (sha256 ${s.companion.sha256})\n`,
    );
  out.write(
    `imported run "${s.label}" (#${s.runId}, role ${s.role}, format ${s.format}): ${count(s.items)} item${s.items === 1 ? '' : 's'}, ${count(s.malformedCount)} malformed line${s.malformedCount === 1 ? '' : 's'}\n`,
  );
  const suites = Object.entries(s.suites).map(([k, v]) => `${k} ${count(v)}`);
  if (suites.length) out.write(`suites: ${suites.join(', ')}\n`);
  const r = s.refusals;
  out.write(
    `refusal: ${count(r.label.refused + r.label.complied)} from labels (${count(r.label.refused)} refused), ` +
      `${count(r.heuristic.refused + r.heuristic.complied)} by the phrase heuristic (${count(r.heuristic.refused)} refused; phrase list ${s.refusalPhrases.source}, sha256 ${s.refusalPhrases.sha256.slice(0, 16)}…), ` +
      `${count(r.undetermined)} undetermined\n`,
  );
  if (s.header.model || s.header.toolVersion)
    out.write(
      `run header: ${s.header.tool}${s.header.toolVersion ? ` ${s.header.toolVersion}` : ''}${s.header.model ? `, model ${s.header.model}` : ''}\n`,
    );
  for (const m of s.malformed)
    out.write(`  malformed ${m.line !== null ? `line ${m.line}` : (m.entry ?? '?')}: ${m.reason}\n`);
  if (s.malformedCount > s.malformed.length)
    out.write(`  … and ${count(s.malformedCount - s.malformed.length)} more malformed\n`);
  if (s.duplicateCount > 0)
    out.write(
      `duplicate pairing keys: ${count(s.duplicateCount)} (only the first of each is compared), e.g. ${s.duplicates
        .slice(0, 3)
        .map((d) => `line ${d.line ?? '?'} repeats line ${d.firstLine ?? '?'}`)
        .join(', ')}\n`,
    );
  for (const w of s.warnings) ctx.stderr.write(`warning: ${w}\n`);
}

const behaviorImport: Command = {
  summary:
    'Import an eval run (generic JSONL, promptfoo, lm-eval samples, Inspect .eval/.json, garak report, OpenAI evals record) into the case: ' +
    'the file is stored as evidence, parsed from the store, and its items kept with their refusal decision. Malformed lines are reported by number.',
  usage:
    '<case-id> <file> --role baseline|suspect|replacement [--label NAME] [--format auto|jsonl|promptfoo|lm-eval|inspect|garak|openai-evals] ' +
    '[--results LM_EVAL_RESULTS.json] [--refusal-phrases FILE] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>', '<file>'],
  options: {
    role: { type: 'string' },
    label: { type: 'string' },
    format: { type: 'string' },
    results: { type: 'string' },
    'refusal-phrases': { type: 'string' },
  },
  async run(ctx) {
    const role = opt(ctx, 'role');
    if (!role) throw new ProbityError('usage', `a run needs a role: --role ${RUN_ROLES.join('|')}`);
    const format = opt(ctx, 'format') ?? 'auto';
    if (format !== 'auto' && !(EVAL_FORMATS as readonly string[]).includes(format))
      throw new ProbityError('usage', `--format ${format}: not a format (auto, ${EVAL_FORMATS.join(', ')})`);
    const phrases = opt(ctx, 'refusal-phrases');
    return withCase(ctx, async (store) => {
      const summary = await importEvalRun({
        store,
        file: ctx.args[1]!,
        role,
        label: opt(ctx, 'label') ?? null,
        format,
        resultsFile: opt(ctx, 'results') ?? null,
        ...(phrases ? { refusalRule: loadRefusalRule(phrases) } : {}),
        actor: ctx.actor,
        host: ctx.host,
      });
      if (ctx.json) emit(ctx, summary);
      else printImport(ctx, summary);
      return 0;
    });
  },
};

function rate(c: BinaryComparison | null, side: 'baseline' | 'suspect'): string {
  if (!c) return '-';
  const i = c[side];
  return `${pct(i.estimate)} (${pct(i.lower)}–${pct(i.upper)})`;
}

function diffText(c: BinaryComparison): string {
  const d = c.difference;
  const p = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(x * 100).toFixed(1)}`;
  return `${p(d.estimate)} (${p(d.lower)} to ${p(d.upper)})`;
}

function scoreCells(c: ScoreComparison): [string, string, string] {
  const f = (x: number) => x.toFixed(3);
  const signed = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(3)}`;
  const d = c.difference;
  return [
    `${f(c.baseline.estimate)} (${f(c.baseline.lower)}–${f(c.baseline.upper)})`,
    `${f(c.suspect.estimate)} (${f(c.suspect.lower)}–${f(c.suspect.upper)})`,
    `${signed(d.estimate)} (${signed(d.lower)} to ${signed(d.upper)})`,
  ];
}

function groupRows(groups: readonly GroupComparison[]): string[][] {
  const rows: string[][] = [];
  for (const g of groups) {
    const name = g.category === null ? g.suite : `  ${g.category}`;
    const binaries = [g.refusal, g.pass].filter((c): c is BinaryComparison => c !== null);
    for (const c of binaries)
      rows.push([
        name,
        String(c.n),
        c.metric,
        rate(c, 'baseline'),
        rate(c, 'suspect'),
        diffText(c),
        formatP(c.mcnemar.pValue),
        c.verdict,
      ]);
    if (g.score) rows.push([name, String(g.score.n), 'score', ...scoreCells(g.score), '-', g.score.verdict]);
    if (binaries.length === 0 && !g.score)
      rows.push([name, String(g.pairs), '-', '', '', '', '', 'not-analysed']);
  }
  return rows;
}

function triggerRows(report: ComparisonReport): string[][] {
  const side = (c: ComparisonReport['triggers'][number]['baseline']) =>
    c.interval
      ? `${c.flips}/${c.n} ${pct(c.interval.estimate)} (${pct(c.interval.lower)}–${pct(c.interval.upper)})`
      : 'n/a';
  return report.triggers.map((t) => [
    t.trigger,
    side(t.baseline),
    side(t.suspect),
    t.flagged === null ? 'not analysed' : t.flagged ? 'FLAGGED' : 'no',
  ]);
}

const STATUS_TEXT = { pass: 'PASS', fail: 'FAIL', 'not-analysed': 'NOT ANALYSED' } as const;

function printCompare(ctx: CommandContext, r: ComparisonReport): void {
  const out = ctx.stdout;
  const o = r.options;
  const runText = (x: ComparisonReport['baseline']) =>
    `"${x.label}" (#${x.id}, ${x.format}, ${count(x.items)} items${x.model ? `, ${x.model}` : ''})`;
  out.write(
    `${r.caseId}: behavior compare — baseline ${runText(r.baseline)} vs suspect ${runText(r.suspect)}\n`,
  );
  const p = r.pairing;
  out.write(
    `paired by ${p.key}: ${count(p.pairs)} pairs; unmatched ${count(p.unmatchedBaseline)} baseline, ${count(p.unmatchedSuspect)} suspect; duplicates ${count(p.duplicatesBaseline)} baseline, ${count(p.duplicatesSuspect)} suspect\n`,
  );
  if (p.unmatchedBaselineIds.length)
    out.write(
      `  unmatched baseline items: ${p.unmatchedBaselineIds.slice(0, 10).join(', ')}${p.unmatchedBaseline > 10 ? ', …' : ''}\n`,
    );
  if (p.unmatchedSuspectIds.length)
    out.write(
      `  unmatched suspect items: ${p.unmatchedSuspectIds.slice(0, 10).join(', ')}${p.unmatchedSuspect > 10 ? ', …' : ''}\n`,
    );
  for (const w of r.comparability) out.write(`warning: not comparable as is: ${w}\n`);
  out.write(
    `margin ±${o.marginKind === 'points' ? `${(o.margin * 100).toFixed(1)} points` : `${(o.margin * 100).toFixed(1)}% of the baseline rate`}; confidence ${pct(o.confidence)} ` +
      `(Wilson intervals for rates, Newcombe paired interval for differences, McNemar exact p, TOST at ${pct(1 - 2 * (1 - o.confidence))}); bootstrap seed "${o.seed}"` +
      `${o.refusalPhrases ? `; refusals re-decided with ${o.refusalPhrases.source} (${r.refusalsRedecided} changed)` : ''}\n\n`,
  );
  const level = `${Number((o.confidence * 100).toPrecision(6))}%`;
  out.write(
    table(groupRows(r.groups), [
      'SUITE / CATEGORY',
      'N',
      'METRIC',
      `BASELINE (${level} CI)`,
      `SUSPECT (${level} CI)`,
      'SUSPECT − BASELINE (CI)',
      'McNEMAR p',
      'VERDICT',
    ]),
  );
  out.write(`\ntrigger scan (${r.triggerSuites.join(', ') || 'no trigger suite'}): ${r.triggerRule}\n`);
  if (r.triggers.length)
    out.write(table(triggerRows(r), ['TRIGGER', 'BASELINE FLIPS', 'SUSPECT FLIPS', 'FLAGGED']));
  else out.write('no trigger-scan variants\n');
  out.write('\nbehavioral verification\n');
  out.write(
    table(
      r.checks.map((c) => [c.title, STATUS_TEXT[c.status], c.summary]),
      ['CHECK', 'STATUS', 'BASIS'],
    ),
  );
  out.write(`\nrecorded as findings ${r.findingsRunId} (custody seq ${r.custodySeq})\n`);
}

const behaviorCompare: Command = {
  summary:
    'Compare a suspect run with a baseline run item by item: paired rates with Wilson and Newcombe intervals, McNemar exact test, ' +
    'TOST equivalence at the margin, trigger flip rates, and the playbook’s behavioral verification table. Recorded as findings; exit 1 when a check fails.',
  usage:
    '<case-id> --baseline RUN --suspect RUN [--margin 0.05] [--margin-kind points|relative] [--confidence 0.95] [--seed TEXT] ' +
    '[--suite-map FILE] [--refusal-phrases FILE] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>'],
  options: {
    baseline: { type: 'string' },
    suspect: { type: 'string' },
    margin: { type: 'string' },
    'margin-kind': { type: 'string' },
    confidence: { type: 'string' },
    seed: { type: 'string' },
    'suite-map': { type: 'string' },
    'refusal-phrases': { type: 'string' },
  },
  async run(ctx) {
    const baseline = opt(ctx, 'baseline');
    const suspect = opt(ctx, 'suspect');
    if (!baseline || !suspect)
      throw new ProbityError('usage', 'name both runs: --baseline RUN --suspect RUN (a label or #id)');
    const suiteMapFile = opt(ctx, 'suite-map');
    const phrases = opt(ctx, 'refusal-phrases');
    const options = {
      baseline,
      suspect,
      margin: numberOpt(ctx, 'margin', 0.05),
      marginKind: opt(ctx, 'margin-kind') ?? 'points',
      confidence: numberOpt(ctx, 'confidence', 0.95),
      ...(opt(ctx, 'seed') ? { seed: opt(ctx, 'seed') } : {}),
      ...(suiteMapFile ? { suiteMap: loadSuiteMap(suiteMapFile), suiteMapSource: suiteMapFile } : {}),
      refusalRule: phrases ? loadRefusalRule(phrases) : null,
      actor: ctx.actor,
    };
    return withCase(ctx, async (store) => {
      const report = compareRuns({ store, ...options });
      if (ctx.json) emit(ctx, report);
      else printCompare(ctx, report);
      return report.failed ? 1 : 0;
    });
  },
};

export const BEHAVIOR_COMMANDS: Record<string, Command> = {
  'behavior import': behaviorImport,
  'behavior compare': behaviorCompare,
};
