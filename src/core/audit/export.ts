/**
 * `audit export`: the reviewed sample with its labels and notes, as CSV (RFC 4180) or JSON, chosen by
 * the output file's extension. Each row carries where the record is in the evidence (file, SHA-256,
 * line), so any row can be checked against the preserved log. The written file's SHA-256 is recorded
 * in the custody log.
 *
 * CSV cells that begin with =, +, -, @, a tab or a carriage return are prefixed with an apostrophe so
 * that a spreadsheet shows them as text instead of running them as formulas (OWASP "CSV injection");
 * the JSON export keeps every text exactly as logged.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CaseStore } from '../store/workstation';
import { ProbityError, describeFsError } from '../util/errors';
import { appendAuditEvent } from './custody';
import { currentLabels, effectiveLabel, labelHistory, type LabelEntry } from './labels';
import { lastUserMessage, recordDetail } from './record-view';
import { requireSample, sampleItems, sampleStatement, windowOfSample } from './sample';

export interface ExportRow {
  position: number;
  stratum: string;
  request_id: string;
  timestamp: string;
  user_id: string | null;
  conversation_id: string | null;
  model_version: string | null;
  downstream: string | null;
  tool_calls: string;
  label: string | null;
  reviewers: string;
  notes: string;
  user_message: string | null;
  response: string | null;
  source_file: string;
  source_sha256: string;
  source_line: number;
}

export interface ExportResult {
  out: string;
  format: 'csv' | 'json';
  rows: number;
  sha256: string;
  sampleId: number;
}

function perReviewer(
  labels: ReadonlyMap<string, LabelEntry> | undefined,
  pick: (e: LabelEntry) => string | null,
): string {
  if (!labels) return '';
  return [...labels.values()]
    .map((e) => [e.reviewer, pick(e)] as const)
    .filter(([, v]) => v !== null && v !== '')
    .map(([r, v]) => `${r}: ${v}`)
    .join('; ');
}

/** The export rows of a sample, in sample order. */
export function exportRows(
  store: CaseStore,
  sampleId?: number,
): { sampleId: number; rows: (ExportRow & { history: LabelEntry[] })[] } {
  const sample = requireSample(store, sampleId);
  const labels = currentLabels(store, sample.id);
  const rows = sampleItems(store, sample.id).map((it) => {
    const d = recordDetail(store, it.requestId);
    const mine = labels.get(it.recordId);
    return {
      position: it.position,
      stratum: it.stratum,
      request_id: d.requestId,
      timestamp: d.timestamp,
      user_id: d.userId,
      conversation_id: d.conversationId,
      model_version: d.modelVersion,
      downstream: d.downstream,
      tool_calls: d.toolCalls.map((c) => `${c.name}(${c.arguments ?? ''})`).join('; '),
      label: effectiveLabel(mine),
      reviewers: perReviewer(mine, (e) => e.label),
      notes: perReviewer(mine, (e) => e.note),
      user_message: lastUserMessage(d.messages),
      response: d.response,
      source_file: d.source.file,
      source_sha256: d.source.sha256,
      source_line: d.source.line,
      history: mine ? labelHistory(store, it.requestId) : [],
    };
  });
  return { sampleId: sample.id, rows };
}

/** One CSV cell (RFC 4180 quoting, formula prefix as in the module comment). */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const COLUMNS: (keyof ExportRow)[] = [
  'position',
  'stratum',
  'request_id',
  'timestamp',
  'user_id',
  'conversation_id',
  'model_version',
  'downstream',
  'tool_calls',
  'label',
  'reviewers',
  'notes',
  'user_message',
  'response',
  'source_file',
  'source_sha256',
  'source_line',
];

function render(
  format: 'csv' | 'json',
  rows: (ExportRow & { history: LabelEntry[] })[],
  meta: Record<string, unknown>,
): string {
  if (format === 'json') return `${JSON.stringify({ ...meta, rows }, null, 2)}\n`;
  const lines = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

function writeAtomically(out: string, text: string): void {
  const tmp = `${out}.${process.pid}.part`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, out);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new ProbityError('unreadable', `${out}: cannot write: ${describeFsError(err)}`, { file: out });
  }
}

/** Write the reviewed sample to `out` (.csv or .json) and record the export in the custody log. */
export function exportSample(
  store: CaseStore,
  opts: { out: string; sampleId?: number; actor: string },
): ExportResult {
  const ext = path.extname(opts.out).toLowerCase();
  if (ext !== '.csv' && ext !== '.json')
    throw new ProbityError('usage', `--out ${opts.out}: name a .csv or .json file`);
  const format = ext === '.csv' ? 'csv' : 'json';
  const { sampleId, rows } = exportRows(store, opts.sampleId);
  const sample = requireSample(store, sampleId);
  const meta = {
    caseId: store.id,
    sampleId,
    seed: sample.seed,
    strata: sample.strata,
    method: sample.method,
    idsSha256: sample.idsSha256,
    // The one DuckDB statement that re-derives the sample from the log (null for a floyd sample).
    statement: sampleStatement(sample, windowOfSample(store, sample)),
    exportedAt: new Date().toISOString(),
  };
  const text = render(format, rows, meta);
  writeAtomically(opts.out, text);
  const sha256 = createHash('sha256').update(text).digest('hex');
  appendAuditEvent(store.db, {
    actor: opts.actor,
    action: 'audit.exported',
    subject: path.resolve(opts.out),
    details: { sampleId, format, rows: rows.length, sha256 },
  });
  return { out: path.resolve(opts.out), format, rows: rows.length, sha256, sampleId };
}
