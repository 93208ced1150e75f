/**
 * The integrity commands of `probity`: inspect, diff-weights, integrity, provenance. Same contract
 * as every command (main.ts): --json puts exactly one JSON document on stdout; exit 0 when all is
 * well, 1 when a check fails (or two weight sets differ), 2 for bad usage or an unreadable input,
 * with one line naming the file and the reason.
 */
import fs from 'node:fs';
import { inspectArtifact } from '../../core/formats/index';
import { classifyFile } from '../../core/ingest/classify';
import { diffCaseWeights, diffWeightFiles } from '../../core/integrity/diff-weights';
import {
  loadApprovedConfig,
  loadAuthorizedAdapters,
  loadSigningKey,
  loadTrustRoot,
  type IntegrityOptions,
} from '../../core/integrity/integrity';
import { checkIntegrity, checkProvenance, type RecordedRun } from '../../core/integrity/run';
import { renderIntegrity, renderProvenance, renderWeightDiff } from '../../core/integrity/render';
import { renderInspect } from '../../core/integrity/render-inspect';
import { CASE_ID_PATTERN, type CaseStore } from '../../core/store/workstation';
import { ProbityError } from '../../core/util/errors';
import type { Command, CommandContext } from '../command';
import { flag, opt } from '../options';
import { emit, withCases } from '../output';

function recordedLine(ctx: CommandContext, run: RecordedRun): void {
  ctx.stderr.write(
    `recorded ${run.findings.length} findings as ${run.runId} (custody event seq ${run.event.seq})\n`,
  );
}

const inspectCommand: Command = {
  summary:
    'Describe any model artifact without a case: weights (safetensors, GGUF: tensors with dtypes, shapes and byte ranges), ' +
    'configs, adapters, tokenizers, pickles (imports: safe / unknown / dangerous), LFS pointers.',
  usage: '<file> [--json]',
  positionals: ['<file>'],
  options: {},
  async run(ctx) {
    const file = ctx.args[0] as string;
    const artifact = await inspectArtifact(file);
    // The evidence kind ingest would record for this file, by the same decision (classify.ts).
    const kind = await classifyFile(file);
    if (ctx.json) emit(ctx, { ...artifact, evidenceKind: kind });
    else
      ctx.stdout.write(
        `evidence kind: ${kind.kind} (by ${kind.by}: ${kind.reason})\n${renderInspect(artifact)}`,
      );
    return 0;
  },
};

function isCaseRef(arg: string): boolean {
  return CASE_ID_PATTERN.test(arg) && !fs.existsSync(arg);
}

const diffWeightsCommand: Command = {
  summary:
    'Compare two weight files (safetensors or GGUF) or the weights of two cases, tensor by tensor: identical / changed / ' +
    'shape- or dtype-changed / only in one; for floats max |Δ|, ‖Δ‖₂, ‖Δ‖₂/‖a‖₂ and cosine; a per-layer summary. ' +
    'Streams each tensor in 8 MiB chunks. Exit 1 when anything differs.',
  usage: '<a> <b> [--all] [--json]   (a, b: two files, or two case ids)',
  positionals: ['<a>', '<b>'],
  options: { all: { type: 'boolean', default: false } },
  async run(ctx) {
    const [a, b] = ctx.args as [string, string];
    const cases = [isCaseRef(a), isCaseRef(b)];
    if (cases[0] !== cases[1])
      throw new ProbityError('usage', `${cases[0] ? a : b}: give two files or two case ids, not one of each`);
    const report = cases[0]
      ? await withCases(ctx, [a, b], ([sa, sb]) =>
          diffCaseWeights(sa as CaseStore, sb as CaseStore, { signal: ctx.signal }),
        )
      : await diffWeightFiles(a, b, { signal: ctx.signal });
    if (ctx.json) emit(ctx, report);
    else ctx.stdout.write(renderWeightDiff(report, flag(ctx, 'all')));
    return report.identical ? 0 : 1;
  },
};

async function integrityOptions(ctx: CommandContext): Promise<Omit<IntegrityOptions, 'baseline'>> {
  const authorized = opt(ctx, 'authorized-adapters');
  const approved = opt(ctx, 'approved-config');
  const key = opt(ctx, 'signing-key');
  const root = opt(ctx, 'trust-root');
  const triggers = ctx.options.trigger;
  return {
    triggers: Array.isArray(triggers) ? triggers.filter((t) => t.trim() !== '') : [],
    authorized: authorized === undefined ? null : await loadAuthorizedAdapters(authorized),
    approvedConfig: approved === undefined ? null : await loadApprovedConfig(approved),
    signingKey: key === undefined ? null : await loadSigningKey(key),
    trustRoot: root === undefined ? null : await loadTrustRoot(root),
  };
}

const integrityCommand: Command = {
  summary:
    "Run the playbook's Integrity Verification on a case — file integrity (every checksum source in the evidence, " +
    'model_signing signatures, and the baseline file by file), architecture validation (and remote code), adapter audit, ' +
    "configuration verification, and the chat templates and tokenizers against the baseline's (rendered on a fixed conversation set, " +
    "plus one conversation per --trigger TEXT and per trigger of the case's behavior trigger scan) — and record the findings. A check with no artifact of its kind to examine is " +
    '"not analysed", never a pass; the run passes only when all five pass. --trust-root PEM verifies a model_signing ' +
    'certificate chain to that CA (or bundle of CAs). Exit 1 when a check fails, 0 otherwise.',
  usage:
    '<case-id> [--baseline CASE] [--authorized-adapters FILE] [--approved-config FILE] [--signing-key PEM] [--trust-root PEM] [--trigger TEXT]… [--verbose] [--json]',
  positionals: ['<case-id>'],
  options: {
    baseline: { type: 'string' },
    trigger: { type: 'string', multiple: true },
    'authorized-adapters': { type: 'string' },
    'approved-config': { type: 'string' },
    'signing-key': { type: 'string' },
    'trust-root': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const options = await integrityOptions(ctx);
    return withCases(ctx, [ctx.args[0], opt(ctx, 'baseline')], async ([store, baseline]) => {
      const s = store as CaseStore;
      const { report, run } = await checkIntegrity(s, { ...options, baseline }, ctx.actor);
      if (ctx.json) emit(ctx, { ...report, runId: run.runId, custodySeq: run.event.seq });
      else {
        ctx.stdout.write(renderIntegrity(report, flag(ctx, 'verbose')));
        recordedLine(ctx, run);
      }
      return report.status === 'fail' ? 1 : 0;
    });
  },
};

const provenanceCommand: Command = {
  summary:
    "Walk the case's provenance chain (probity.provenance/v1 JSON/YAML or the playbook's Markdown) step by step against " +
    'the evidence (and a baseline case), name the compromise point from the playbook table, and record the findings. ' +
    'Exit 1 when the chain diverges.',
  usage: '<case-id> [--baseline CASE] [--json]',
  positionals: ['<case-id>'],
  options: { baseline: { type: 'string' } },
  async run(ctx) {
    return withCases(ctx, [ctx.args[0], opt(ctx, 'baseline')], async ([store, baseline]) => {
      const s = store as CaseStore;
      const { report, run } = await checkProvenance(s, baseline ?? null, ctx.actor);
      if (ctx.json) emit(ctx, { ...report, runId: run.runId, custodySeq: run.event.seq });
      else {
        ctx.stdout.write(renderProvenance(report));
        recordedLine(ctx, run);
      }
      return report.status === 'fail' ? 1 : 0;
    });
  },
};

export const INTEGRITY_COMMANDS: Record<string, Command> = {
  inspect: inspectCommand,
  'diff-weights': diffWeightsCommand,
  integrity: integrityCommand,
  provenance: provenanceCommand,
};
