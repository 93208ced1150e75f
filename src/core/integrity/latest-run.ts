/**
 * The last recorded integrity run of a case, rebuilt from its findings (integrity.ts
 * integrityFindings: one finding per check, its reasons and numbers in details, then one per
 * failing item). The passing comparisons are not stored, so the rebuilt checks carry their failing
 * items only, with the counts of every status the check recorded: `source: 'recorded'` says so.
 */
import type {
  IntegrityCheckName,
  IntegrityRun,
  IntegrityRunOptions,
  IntegrityStatus,
  ItemCounts,
} from '../../shared/integrity';
import { findingsOfRun, latestFindings } from '../store/findings.ts';
import type { CaseStore } from '../store/workstation.ts';
import { findingsRecordedEvent } from './queries.ts';
import { CHECK_NAMES, CHECK_TITLES, runStatus } from './types.ts';

function isCheck(name: string): name is IntegrityCheckName {
  return (CHECK_NAMES as readonly string[]).includes(name);
}

export function latestIntegrityRun(store: CaseStore): IntegrityRun | null {
  const findings = latestFindings(store, 'integrity');
  const first = findings[0];
  if (!first) return null;
  const checks: IntegrityRun['checks'] = [];
  for (const f of findingsOfRun(store, first.runId)) {
    if (!isCheck(f.check)) continue;
    if (f.subject === null && !checks.some((c) => c.check === f.check)) {
      const { reasons, baseline: _baseline, itemCounts, ...details } = f.details as Record<string, unknown>;
      const title = CHECK_TITLES[f.check];
      checks.push({
        check: f.check,
        title,
        status: f.status as IntegrityStatus,
        summary: f.summary.startsWith(`${title}: `) ? f.summary.slice(title.length + 2) : f.summary,
        reasons: Array.isArray(reasons) ? reasons.map(String) : [],
        items: [],
        details,
        counts: recordedCounts(itemCounts),
      });
    } else {
      checks
        .find((c) => c.check === f.check)
        ?.items.push({ status: f.status, subject: f.subject, summary: f.summary, details: f.details });
    }
  }
  const baseline = (first.details as { baseline?: unknown }).baseline;
  const status: IntegrityStatus = runStatus(checks);
  const event = findingsRecordedEvent(store.db, first.runId);
  return {
    caseId: store.id,
    baseline: typeof baseline === 'string' ? baseline : null,
    status,
    checks,
    runId: first.runId,
    custodySeq: event?.seq ?? null,
    recordedAt: first.createdAt,
    source: 'recorded',
    options: recordedOptions(event?.details),
  };
}

/** The run's inputs as its custody event recorded them (integrity.ts recordIntegrity). */
function recordedOptions(details: string | undefined): IntegrityRunOptions | null {
  if (!details) return null;
  let inputs: unknown;
  try {
    inputs = (JSON.parse(details) as { inputs?: unknown }).inputs;
  } catch {
    return null;
  }
  if (!inputs || typeof inputs !== 'object') return null;
  const { authorizedAdapters: a, approvedConfig: c, trustRoot: t } = inputs as Record<string, unknown>;
  const ref = (v: unknown): { label: string; sha256: string } | null => {
    if (!v || typeof v !== 'object') return null;
    const { file, sha256 } = v as Record<string, unknown>;
    return typeof file === 'string' && typeof sha256 === 'string' ? { label: file, sha256 } : null;
  };
  const authorized = ref(a);
  const names = (a as { names?: unknown } | null)?.names;
  return {
    authorizedAdapters: authorized
      ? { ...authorized, names: Array.isArray(names) ? names.map(String) : [] }
      : null,
    approvedConfig: ref(c),
    trustRoot: ((): IntegrityRunOptions['trustRoot'] => {
      const r = ref(t);
      // Runs recorded before subjects were kept name their certificates by SHA-256 fingerprint.
      const { subjects, certificates } = (t ?? {}) as { subjects?: unknown; certificates?: unknown };
      const names = Array.isArray(subjects) ? subjects : Array.isArray(certificates) ? certificates : [];
      return r ? { ...r, subjects: names.map(String) } : null;
    })(),
  };
}

/** The item counts a check's finding recorded, or null when it recorded none (older runs). */
function recordedCounts(value: unknown): ItemCounts | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const keys = ['pass', 'fail', 'info', 'notAnalysed'] as const;
  if (!keys.every((k) => typeof v[k] === 'number' && Number.isInteger(v[k]) && (v[k] as number) >= 0))
    return null;
  return {
    pass: v.pass as number,
    fail: v.fail as number,
    info: v.info as number,
    notAnalysed: v.notAnalysed as number,
  };
}
