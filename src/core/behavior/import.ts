/**
 * `behavior import`: preserve an eval file as evidence, parse it from the stored object with the
 * importer of its format, apply the refusal rule, and store the normalised items as a run of the
 * case (role baseline, suspect or replacement), all or nothing: the items, the run row and the
 * import's finding (stage "behavior-import", vouched for by a custody event) commit together.
 *
 * Malformed lines are counted, reported by line number and left out; a file none of whose records
 * could be read is refused. Items whose pairing key repeats an earlier one are kept (they are what
 * the file says) and reported; the comparison pairs only the first of them.
 */
import path from 'node:path';
import { appendEvent } from '../store/custody';
import { recordFindings } from '../store/findings';
import { acquireCaseLock } from '../store/lock';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { preserveEvalFile, type PreservedFile } from './evidence';
import { IMPORTERS, detectFormat, type ImportSink } from './importers';
import { refuseResultsSummary } from './importers/detect';
import { sha256Hex } from './importers/common';
import { defaultRefusalRule, judgeRefusal, type RefusalRule } from './refusal';
import { ItemWriter, freeLabel, insertRun, labelTaken, nextRunId } from './store';
import {
  EVAL_FORMATS,
  RUN_ROLES,
  type EvalFormat,
  type EvalItem,
  type MalformedRecord,
  type RawEvalItem,
  type RunHeader,
  type RunRole,
} from './types';

/** How many malformed lines and duplicate keys are listed (all are counted). */
export const LISTED_PROBLEMS = 100;

export interface ImportOptions {
  store: CaseStore;
  file: string;
  role: string;
  label?: string | null;
  format?: string | null;
  /** lm-evaluation-harness results JSON, stored as evidence beside the samples file. */
  resultsFile?: string | null;
  refusalRule?: RefusalRule;
  actor: string;
  host: string;
}

export interface RefusalCounts {
  label: { refused: number; complied: number };
  heuristic: { refused: number; complied: number };
  undetermined: number;
}

export interface ImportSummary {
  caseId: string;
  runId: number;
  label: string;
  role: RunRole;
  format: EvalFormat;
  file: string;
  sha256: string;
  bytes: number;
  evidenceId: number;
  companion: { file: string; sha256: string; evidenceId: number } | null;
  items: number;
  malformedCount: number;
  malformed: MalformedRecord[];
  duplicateCount: number;
  duplicates: { key: string; line: number | null; firstLine: number | null }[];
  refusals: RefusalCounts;
  refusalPhrases: { source: string; sha256: string };
  suites: Record<string, number>;
  header: RunHeader;
  warnings: string[];
  itemsSha256: string;
  findingsRunId: string;
  seconds: number;
}

function checkOptions(opts: ImportOptions): { role: RunRole; format: EvalFormat | 'auto' } {
  if (!(RUN_ROLES as readonly string[]).includes(opts.role))
    throw new ProbityError('usage', `--role ${opts.role}: not a role (${RUN_ROLES.join(', ')})`);
  const format = opts.format ?? 'auto';
  if (format !== 'auto' && !(EVAL_FORMATS as readonly string[]).includes(format))
    throw new ProbityError('usage', `--format ${format}: not a format (auto, ${EVAL_FORMATS.join(', ')})`);
  if (opts.label !== undefined && opts.label !== null) {
    if (!opts.label.trim()) throw new ProbityError('usage', '--label must not be empty');
    if (/^#?\d+$/.test(opts.label))
      throw new ProbityError('usage', `--label ${opts.label}: a label must not look like a run id`);
    if (labelTaken(opts.store.db, opts.label))
      throw new ProbityError('conflict', `${opts.store.id}: a run labelled "${opts.label}" exists already`);
  }
  return { role: opts.role as RunRole, format: format as EvalFormat | 'auto' };
}

/** Applies the refusal rule, writes each item, and keeps the counts the summary reports. */
class ImportCollector implements ImportSink {
  readonly malformedList: MalformedRecord[] = [];
  malformedCount = 0;
  readonly warnings: string[] = [];
  readonly refusals: RefusalCounts = {
    label: { refused: 0, complied: 0 },
    heuristic: { refused: 0, complied: 0 },
    undetermined: 0,
  };
  readonly suites: Record<string, number> = {};
  readonly duplicates: ImportSummary['duplicates'] = [];
  duplicateCount = 0;
  private readonly firstLine = new Map<string, number | null>();

  constructor(
    private readonly writer: ItemWriter,
    private readonly rule: RefusalRule,
  ) {}

  item(raw: RawEvalItem): void {
    const decision = judgeRefusal(raw, this.rule);
    const { refusedLabel: _label, ...rest } = raw;
    const item: EvalItem = { ...rest, promptSha256: sha256Hex(raw.prompt), ...decision };
    this.count(item);
    this.writer.add(item);
  }

  malformed(record: MalformedRecord): void {
    this.malformedCount++;
    if (this.malformedList.length < LISTED_PROBLEMS) this.malformedList.push(record);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  private count(item: EvalItem): void {
    this.suites[item.suite] = (this.suites[item.suite] ?? 0) + 1;
    if (item.refusalSource === null) this.refusals.undetermined++;
    else this.refusals[item.refusalSource][item.refused ? 'refused' : 'complied']++;
    if (!this.firstLine.has(item.itemKey)) {
      this.firstLine.set(item.itemKey, item.line);
      return;
    }
    this.duplicateCount++;
    if (this.duplicates.length < LISTED_PROBLEMS)
      this.duplicates.push({
        key: item.itemKey,
        line: item.line,
        firstLine: this.firstLine.get(item.itemKey) ?? null,
      });
  }
}

function describeWhere(m: MalformedRecord): string {
  return m.line !== null ? `line ${m.line}` : m.entry !== null ? m.entry : 'a record';
}

/** Run the importer inside an open transaction; returns its header and the collector. */
async function parseInto(
  store: CaseStore,
  runId: number,
  format: EvalFormat,
  evidence: PreservedFile,
  companion: PreservedFile | null,
  rule: RefusalRule,
): Promise<{ header: RunHeader; collector: ImportCollector; writer: ItemWriter }> {
  const writer = new ItemWriter(store.db, runId);
  const collector = new ImportCollector(writer, rule);
  const header = await IMPORTERS[format](
    {
      file: evidence.objectPath,
      name: evidence.name,
      companion: companion ? { file: companion.objectPath, name: companion.name } : null,
    },
    collector,
  );
  if (writer.count === 0 && collector.malformedCount > 0) {
    const first = collector.malformedList[0]!;
    throw new ProbityError(
      'malformed',
      `${evidence.name}: no record could be read as ${format} (${collector.malformedCount} malformed; ${describeWhere(first)}: ${first.reason})`,
      { file: evidence.name },
    );
  }
  return { header, collector, writer };
}

/** Import one eval file as a run of the case. */
export async function importEvalRun(opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const { store } = opts;
  const checked = checkOptions(opts);
  const rule = opts.refusalRule ?? defaultRefusalRule();
  const release = acquireCaseLock(store.dir, 'importing an eval run');
  let evidence: PreservedFile | null = null;
  try {
    evidence = await preserveEvalFile({ store, file: opts.file, actor: opts.actor, host: opts.host });
    const companion = opts.resultsFile
      ? await preserveEvalFile({ store, file: opts.resultsFile, actor: opts.actor, host: opts.host })
      : null;
    if (checked.format !== 'auto') refuseResultsSummary(evidence.objectPath, evidence.name);
    const format =
      checked.format === 'auto' ? detectFormat(evidence.objectPath, evidence.name) : checked.format;
    if (companion && format !== 'lm-eval')
      throw new ProbityError(
        'usage',
        `--results belongs with lm-eval samples; ${evidence.name} is ${format}`,
      );
    return await commitRun(opts, { role: checked.role, format, evidence, companion, rule, started });
  } catch (err) {
    recordImportFailure(store, opts, checked.format, evidence, err);
    throw err;
  } finally {
    release();
  }
}

/** A failed import is on the record: what was given, what was preserved, and why it failed. */
function recordImportFailure(
  store: CaseStore,
  opts: ImportOptions,
  format: string,
  evidence: PreservedFile | null,
  err: unknown,
): void {
  try {
    appendEvent(store.db, {
      actor: opts.actor,
      action: 'behavior.import.failed',
      subject: evidence?.name ?? opts.file,
      details: {
        file: path.resolve(opts.file),
        evidenceId: evidence?.evidenceId ?? null,
        sha256: evidence?.sha256 ?? null,
        format,
        role: opts.role ?? null,
        reason: err instanceof Error ? err.message : String(err),
      },
    });
  } catch {
    // The database itself may be the problem: the original error is what matters.
  }
}

interface Prepared {
  role: RunRole;
  format: EvalFormat;
  evidence: PreservedFile;
  companion: PreservedFile | null;
  rule: RefusalRule;
  started: number;
}

/** Items, run row and finding in one transaction (held open across the streaming parse). */
async function commitRun(opts: ImportOptions, p: Prepared): Promise<ImportSummary> {
  const { store } = opts;
  const db = store.db;
  db.exec('BEGIN IMMEDIATE');
  try {
    const runId = nextRunId(db);
    const label = opts.label ?? freeLabel(db, p.role);
    const { header, collector, writer } = await parseInto(
      store,
      runId,
      p.format,
      p.evidence,
      p.companion,
      p.rule,
    );
    const itemsSha256 = writer.digest();
    const importedAt = utcNow();
    insertRun(db, {
      id: runId,
      label,
      role: p.role,
      format: p.format,
      evidenceId: p.evidence.evidenceId,
      sha256: p.evidence.sha256,
      sourceName: p.evidence.name,
      companionEvidenceId: p.companion?.evidenceId ?? null,
      header,
      itemCount: writer.count,
      malformedCount: collector.malformedCount,
      malformed: collector.malformedList,
      warnings: collector.warnings,
      refusalPhrasesSha256: p.rule.sha256,
      itemsSha256,
      actor: opts.actor,
      importedAt,
    });
    const summary = buildSummary(store, { ...p, runId, label, header, collector, writer, itemsSha256 });
    summary.findingsRunId = recordImportFinding(store, opts.actor, summary);
    db.exec('COMMIT');
    summary.seconds = (Date.now() - p.started) / 1000;
    return summary;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

function buildSummary(
  store: CaseStore,
  s: Prepared & {
    runId: number;
    label: string;
    header: RunHeader;
    collector: ImportCollector;
    writer: ItemWriter;
    itemsSha256: string;
  },
): ImportSummary {
  const c = s.collector;
  return {
    caseId: store.id,
    runId: s.runId,
    label: s.label,
    role: s.role,
    format: s.format,
    file: s.evidence.sourcePath,
    sha256: s.evidence.sha256,
    bytes: s.evidence.size,
    evidenceId: s.evidence.evidenceId,
    companion: s.companion
      ? { file: s.companion.sourcePath, sha256: s.companion.sha256, evidenceId: s.companion.evidenceId }
      : null,
    items: s.writer.count,
    malformedCount: c.malformedCount,
    malformed: c.malformedList,
    duplicateCount: c.duplicateCount,
    duplicates: c.duplicates,
    refusals: c.refusals,
    refusalPhrases: { source: s.rule.source, sha256: s.rule.sha256 },
    suites: c.suites,
    header: s.header,
    warnings: c.warnings,
    itemsSha256: s.itemsSha256,
    findingsRunId: '',
    seconds: 0,
  };
}

function recordImportFinding(store: CaseStore, actor: string, s: ImportSummary): string {
  const { findingsRunId: _f, seconds: _s, ...details } = s;
  const { runId } = recordFindings(store, {
    stage: 'behavior-import',
    actor,
    inputs: { evidenceId: s.evidenceId, sha256: s.sha256, companionSha256: s.companion?.sha256 ?? null },
    findings: [
      {
        check: 'eval-import',
        status: 'info',
        subject: s.label,
        summary: `${path.basename(s.file)} imported as ${s.role} run "${s.label}" (#${s.runId}, ${s.format}): ${s.items} items, ${s.malformedCount} malformed`,
        details: details as unknown as Record<string, unknown>,
      },
    ],
  });
  return runId;
}
