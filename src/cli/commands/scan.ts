/**
 * `probity scan` and `probity rescan`: the scanner's verdict on every preserved object of a case,
 * recorded with the rule set it came from; a re-scan judges them again under the current rules
 * and records what changed (core/scan/case-scan.ts).
 */
import { changeLine, scanCase, type ScanRecord } from '../../core/scan/case-scan';
import { ProbityError } from '../../core/util/errors';
import type { Command, CommandContext } from '../command';
import { emit } from '../output';

function render(caseId: string, r: ScanRecord): string {
  const counts: Record<string, number> = {};
  for (const o of r.objects) counts[o.level] = (counts[o.level] ?? 0) + 1;
  const lines = [
    `${caseId}: ${r.objects.length} objects ${r.mode === 'rescan' ? 're-judged' : 'judged'} under rules ${r.rules.version} (${r.rules.digest.slice(0, 12)}…): ` +
      ['dangerous', 'suspicious', 'not-analysed', 'safe']
        .filter((l) => counts[l])
        .map((l) => `${counts[l]} ${l}`)
        .join(', '),
  ];
  if (r.mode === 'rescan') {
    for (const c of r.changed) lines.push(`  changed: ${changeLine(c)}`);
    lines.push(
      `  ${r.changed.length} changed, ${r.reconfirmed.length} re-confirmed${r.added.length ? `, ${r.added.length} without an earlier verdict` : ''}`,
    );
  } else
    for (const o of r.objects.filter((x) => x.level !== 'safe'))
      lines.push(`  ${o.path}: ${o.level} (${o.findings[0]?.what ?? ''})`);
  lines.push(`  recorded: run ${r.runId}, custody event #${r.custodySeq}`);
  return `${lines.join('\n')}\n`;
}

async function runOn(ctx: CommandContext, caseIds: string[], mode: 'scan' | 'rescan'): Promise<number> {
  const results: { caseId: string; record: ScanRecord }[] = [];
  for (const id of caseIds) {
    const store = ctx.workstation.openCase(id);
    store.witnessSource = `probity ${mode}`;
    try {
      const record = await scanCase(store, ctx.actor, mode);
      results.push({ caseId: id, record });
      if (!ctx.json) ctx.stdout.write(render(id, record));
    } finally {
      store.close();
    }
  }
  if (ctx.json)
    emit(
      ctx,
      results.map(({ caseId, record }) => ({
        caseId,
        runId: record.runId,
        custodySeq: record.custodySeq,
        rules: record.rules,
        objects: record.objects.map((o) => ({ path: o.path, level: o.level, rules: o.rules })),
        changed: record.changed,
        reconfirmed: record.reconfirmed,
        added: record.added,
      })),
    );
  return results.some((r) => r.record.objects.some((o) => o.level === 'dangerous')) ? 1 : 0;
}

const scanCommand: Command = {
  summary:
    'Judge every preserved object of a case with the scanner (the verdict ladder: dangerous, suspicious, not analysed, safe) ' +
    'and record each verdict with the rules version and digest it was reached under. Exit 1 when an object is dangerous.',
  usage: '<case-id> [--json]',
  positionals: ['<case-id>'],
  options: {},
  run: (ctx) => runOn(ctx, [ctx.args[0] as string], 'scan'),
};

const rescanCommand: Command = {
  summary:
    "Judge every preserved object again under the current rules and record, per case, each verdict that changed since the case's " +
    'last scan (a finding and a scan.verdict.changed custody event: "model.bin: safe → dangerous under rules …") and each one ' +
    're-confirmed. --all re-scans every case on the workstation. Exit 1 when an object is dangerous.',
  usage: '[<case-id> | --all] [--json]',
  positionals: ['[<case-id>]'],
  options: { all: { type: 'boolean', default: false } },
  run(ctx) {
    const all = ctx.options.all === true;
    const one = ctx.args[0];
    if (all === (one !== undefined)) throw new ProbityError('usage', 'give one case id or --all');
    const ids = all ? ctx.workstation.listCases().map((c) => c.id) : [one as string];
    return runOn(ctx, ids, 'rescan');
  },
};

export const SCAN_COMMANDS: Record<string, Command> = { scan: scanCommand, rescan: rescanCommand };
