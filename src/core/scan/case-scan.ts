/**
 * `probity scan` and `probity rescan`: the scanner's verdict on every preserved object of a case,
 * recorded with the rule set it was reached under (formats/rules.ts SCANNER_RULES: version and
 * digest of the danger table, allowlist, template constructs and parser versions).
 *
 * Evidence does not change; the scanner does. A re-scan judges every object again under the
 * current rules and compares with the case's last recorded scan: each verdict that changed is a
 * finding (`model.bin: safe → dangerous under rules 2026.12-2 (…)`) and a custody event of its
 * own (`scan.verdict.changed`); each unchanged verdict is recorded as re-confirmed. Both kinds of
 * run are recorded as findings of stage `scan`, one per object, so the next re-scan compares with
 * the latest of either.
 */
import type { FindingStatus } from '../../shared/domain';
import type { CaseScanState, ScanObjectVerdict, ScanRunSummary } from '../../shared/scan';
import { SCANNER_RULES } from '../formats/rules';
import type { RulesId, ScanFinding, ScanLevel } from '../formats/verdict';
import { inspectEvidence, loadCaseFiles, type CaseFile } from '../integrity/case-files';
import { reasonOf } from '../integrity/relabel';
import { appendEvent } from '../store/custody';
import { latestFindings, recordFindings, type NewFinding } from '../store/findings';
import type { CaseStore } from '../store/workstation';

export const SCAN_STAGE = 'scan';
const LEVELS: readonly ScanLevel[] = ['dangerous', 'suspicious', 'not-analysed', 'safe'];

export interface ObjectScan {
  path: string;
  sha256: string;
  level: ScanLevel;
  findings: ScanFinding[];
  rules: RulesId;
}

/** How a scan verdict reads as a finding status. */
export function statusOfLevel(level: ScanLevel): FindingStatus {
  return level === 'safe' ? 'pass' : level === 'not-analysed' ? 'not-analysed' : 'fail';
}

async function scanObject(f: CaseFile, rules: RulesId): Promise<ObjectScan> {
  try {
    const a = await inspectEvidence(f);
    return {
      path: f.path,
      sha256: f.sha256,
      level: a.scan.level,
      findings: a.scan.findings,
      rules: a.scan.rules,
    };
  } catch (err) {
    return {
      path: f.path,
      sha256: f.sha256,
      level: 'not-analysed',
      findings: [{ level: 'not-analysed', what: reasonOf(err), where: null }],
      rules,
    };
  }
}

/** Judge every preserved object of a case under the rules the scanner runs with now. */
export async function scanCaseObjects(store: CaseStore): Promise<ObjectScan[]> {
  const out: ObjectScan[] = [];
  for (const f of loadCaseFiles(store).files) out.push(await scanObject(f, SCANNER_RULES));
  return out;
}

/** The worst finding of a verdict, in a few words: what made it what it is. */
function because(s: ObjectScan): string {
  const f = s.findings[0];
  if (!f) return s.level === 'safe' ? 'read to the end, nothing found' : s.level;
  return f.what.length > 160 ? `${f.what.slice(0, 157)}…` : f.what;
}

function isLevel(v: unknown): v is ScanLevel {
  return typeof v === 'string' && (LEVELS as readonly string[]).includes(v);
}

function isRules(v: unknown): v is RulesId {
  return (
    !!v &&
    typeof v === 'object' &&
    typeof (v as RulesId).version === 'string' &&
    typeof (v as RulesId).digest === 'string'
  );
}

/** The per-object verdicts of the case's last recorded scan (or re-scan), by evidence path. */
export function lastScan(store: CaseStore): Map<string, ScanObjectVerdict> & { runId?: string; at?: string } {
  const out: Map<string, ScanObjectVerdict> & { runId?: string; at?: string } = new Map();
  const rows = latestFindings(store, SCAN_STAGE);
  for (const f of rows) {
    const d = f.details;
    if (f.check !== 'object' || f.subject === null || !isLevel(d.level) || !isRules(d.rules)) continue;
    out.set(f.subject, {
      path: f.subject,
      sha256: typeof d.sha256 === 'string' ? d.sha256 : '',
      level: d.level,
      rules: { version: d.rules.version, digest: d.rules.digest },
      because: typeof d.because === 'string' ? d.because : '',
    });
  }
  out.runId = rows[0]?.runId;
  out.at = rows[0]?.createdAt;
  return out;
}

export interface VerdictChange {
  path: string;
  from: ScanLevel;
  fromRules: RulesId;
  to: ScanLevel;
  toRules: RulesId;
  because: string;
}

export interface ScanRecord {
  runId: string;
  custodySeq: number;
  mode: 'scan' | 'rescan';
  rules: RulesId;
  objects: ObjectScan[];
  changed: VerdictChange[];
  reconfirmed: string[];
  /** Objects with no verdict in the previous scan (new evidence, or no scan before). */
  added: string[];
}

export function changeLine(c: VerdictChange): string {
  return `${c.path}: ${c.from} → ${c.to} under rules ${c.toRules.version} (${c.because})`;
}

/**
 * Record a scan of the case: one finding per object (verdict, rules, the worst reason), and, in a
 * re-scan, one per changed verdict and one custody event each.
 */
export function recordScan(
  store: CaseStore,
  objects: readonly ObjectScan[],
  actor: string,
  mode: 'scan' | 'rescan',
): ScanRecord {
  const before = lastScan(store);
  const changed: VerdictChange[] = [];
  const reconfirmed: string[] = [];
  const added: string[] = [];
  const findings: NewFinding[] = [];
  for (const o of objects) {
    const prev = before.get(o.path);
    const why = because(o);
    if (!prev) added.push(o.path);
    else if (prev.level !== o.level)
      changed.push({
        path: o.path,
        from: prev.level,
        fromRules: prev.rules,
        to: o.level,
        toRules: o.rules,
        because: why,
      });
    else reconfirmed.push(o.path);
    const state = !prev ? 'first' : prev.level !== o.level ? 'changed' : 'reconfirmed';
    findings.push({
      check: 'object',
      status: statusOfLevel(o.level),
      subject: o.path,
      summary:
        mode === 'rescan' && prev
          ? state === 'changed'
            ? `${o.path}: ${prev.level} → ${o.level} under rules ${o.rules.version} (${why})`
            : `${o.path}: ${o.level} re-confirmed under rules ${o.rules.version}`
          : `${o.path}: ${o.level} under rules ${o.rules.version}${o.level === 'safe' ? '' : ` (${why})`}`,
      details: {
        sha256: o.sha256,
        level: o.level,
        rules: o.rules,
        because: why,
        state,
        previous: prev ? { level: prev.level, rules: prev.rules } : null,
        findings: o.findings.slice(0, 20),
      },
    });
  }
  for (const c of changed)
    findings.push({
      check: 'verdict-changed',
      status: statusOfLevel(c.to),
      subject: c.path,
      summary: changeLine(c),
      details: { ...c },
    });
  const run = recordFindings(store, {
    stage: SCAN_STAGE,
    actor,
    inputs: {
      mode,
      rules: SCANNER_RULES,
      previousRun: before.runId ?? null,
      changed: changed.length,
      reconfirmed: reconfirmed.length,
    },
    findings,
  });
  for (const c of changed)
    appendEvent(store.db, {
      actor,
      action: 'scan.verdict.changed',
      subject: c.path,
      details: {
        runId: run.runId,
        from: c.from,
        to: c.to,
        fromRules: { ...c.fromRules },
        toRules: { ...c.toRules },
        because: c.because,
      },
    });
  return {
    runId: run.runId,
    custodySeq: run.event.seq,
    mode,
    rules: SCANNER_RULES,
    objects: [...objects],
    changed,
    reconfirmed,
    added,
  };
}

/** Scan (first time) or re-scan a case and record the result. */
export async function scanCase(
  store: CaseStore,
  actor: string,
  mode: 'scan' | 'rescan',
): Promise<ScanRecord> {
  return recordScan(store, await scanCaseObjects(store), actor, mode);
}

/** What the app shows: the last scan's rules against the current ones, and what the last re-scan changed. */
export function caseScanState(store: CaseStore): CaseScanState {
  const last = lastScan(store);
  const ruleSets = new Map<string, { version: string; digest: string }>();
  for (const v of last.values()) ruleSets.set(v.rules.digest, v.rules);
  const rows = last.runId ? latestFindings(store, SCAN_STAGE) : [];
  const changed = rows
    .filter((f) => f.check === 'verdict-changed')
    .map((f) => ({ path: f.subject ?? '', summary: f.summary }));
  const lastRun: ScanRunSummary | null = last.runId
    ? { runId: last.runId, at: last.at ?? '', objects: last.size, ruleSets: [...ruleSets.values()], changed }
    : null;
  return {
    current: { ...SCANNER_RULES },
    lastRun,
    outdated: [...last.values()].some((v) => v.rules.digest !== SCANNER_RULES.digest),
    verdicts: [...last.values()],
  };
}
