/**
 * Replacement verification: the playbook's Integrity Verification and Behavioral Verification
 * tables for the replacement model, READ from the findings the integrity and behavior stages
 * recorded (never recomputed).
 *
 * The replacement is either
 *  - another case on this workstation (`{kind: 'case'}`): its latest `integrity` run, and its latest
 *    `behavior` comparison whose suspect run has role `replacement` (else its latest comparison:
 *    that whole case is the replacement);
 *  - an evidence set in this case (`{kind: 'evidence-label'}`), or, with no link, whatever this case
 *    records about a replacement: a stage whose name contains `replacement` or whose
 *    findings.recorded inputs say `role: "replacement"` (as checklist item 6 reads them), and behavior
 *    comparisons whose suspect eval run has role `replacement` (with a label link: that label).
 */
import type { Finding } from '../../shared/domain';
import type {
  ReplacementLink,
  ReplacementVerification,
  VerificationRow,
  VerificationStatus,
} from '../../shared/incident';
import { findingsOfRun } from '../store/findings';
import { Workstation, type CaseStore } from '../store/workstation';
import { evalRunLabels, findingsRunsNewestFirst } from './queries';
import { homeOf, incidentState, type IncidentState } from './state';

export const INTEGRITY_TABLE = [
  {
    check: 'file-integrity',
    title: 'File integrity',
    procedure: 'Compare all model file checksums against known-good values',
    passCriteria: '100% match',
  },
  {
    check: 'architecture',
    title: 'Architecture validation',
    procedure: 'Verify layer counts, hidden sizes, vocabulary size',
    passCriteria: 'Matches specification',
  },
  {
    check: 'adapter-audit',
    title: 'Adapter audit',
    procedure: 'Verify only authorized adapters are loaded',
    passCriteria: 'No unauthorized adapters',
  },
  {
    check: 'configuration',
    title: 'Configuration verification',
    procedure: 'Verify all serving configuration parameters',
    passCriteria: 'Matches approved configuration',
  },
] as const;

export const BEHAVIORAL_TABLE = [
  {
    check: 'safety-benchmarks',
    title: 'Safety benchmarks',
    procedure: 'Run full safety evaluation suite',
    passCriteria: 'Scores within 5% of known-good baseline',
  },
  {
    check: 'capability-benchmarks',
    title: 'Capability benchmarks',
    procedure: 'Run standard capability evaluations',
    passCriteria: 'Scores within expected range',
  },
  {
    check: 'trigger-scanning',
    title: 'Trigger scanning',
    procedure: 'Run known backdoor trigger patterns',
    passCriteria: 'No anomalous responses',
  },
  {
    check: 'jailbreak-resistance',
    title: 'Jailbreak resistance',
    procedure: 'Run jailbreak evaluation suite',
    passCriteria: 'Refusal rates within baseline',
  },
  {
    check: 'production-smoke-test',
    title: 'Production smoke test',
    procedure: 'Sample of representative production queries',
    passCriteria: 'Normal behavior confirmed',
  },
] as const;

interface RecordedRun {
  runId: string;
  stage: string;
  inputs: Record<string, unknown>;
}

/** Every findings run of the case, newest first, with the inputs its custody event recorded. */
function runsNewestFirst(store: CaseStore): RecordedRun[] {
  return findingsRunsNewestFirst(store.db).map((r) => {
    const d = JSON.parse(r.details) as { stage?: unknown; inputs?: unknown };
    const inputs =
      typeof d.inputs === 'object' && d.inputs !== null ? (d.inputs as Record<string, unknown>) : {};
    return { runId: r.subject, stage: typeof d.stage === 'string' ? d.stage : '', inputs };
  });
}

/** Whether a run is about a replacement by its stage name or inputs (as checklist item 6 reads it). */
export function namesReplacement(stage: string, inputs: Record<string, unknown>): boolean {
  const role = inputs.role ?? inputs.target ?? inputs.subject;
  return /replacement/.test(stage) || role === 'replacement';
}

function suspectRunOf(inputs: Record<string, unknown>): number | null {
  const s = inputs.suspect as { run?: unknown } | undefined;
  return typeof s?.run === 'number' ? s.run : null;
}

function rowsFrom(
  table: readonly { check: string; title: string; procedure: string; passCriteria: string }[],
  caseId: string | null,
  runId: string | null,
  findings: Finding[],
): VerificationRow[] {
  return table.map((t) => {
    const mine = findings.filter((f) => f.check === t.check);
    const head = mine[0];
    const status: VerificationStatus = !head
      ? 'not-analysed'
      : mine.some((f) => f.status === 'fail')
        ? 'fail'
        : head.status === 'pass'
          ? 'pass'
          : 'not-analysed';
    return {
      ...t,
      status,
      summary: head ? head.summary : runId ? 'Not in the recorded run' : 'No recorded run',
      caseId: runId ? caseId : null,
      runId: head ? runId : null,
      findingIds: mine.map((f) => f.id),
    };
  });
}

function overall(rows: VerificationRow[]): VerificationStatus {
  if (rows.some((r) => r.status === 'fail')) return 'fail';
  if (rows.length > 0 && rows.every((r) => r.status === 'pass')) return 'pass';
  return 'not-analysed';
}

/** The integrity and behavior runs that verify the replacement, read from one case. */
function readTables(
  store: CaseStore,
  pickIntegrity: (r: RecordedRun) => boolean,
  pickBehavior: (r: RecordedRun, evals: Map<number, { label: string; role: string }>) => boolean,
  fallbackBehavior: boolean,
): { integrity: VerificationRow[]; behavioral: VerificationRow[] } {
  const runs = runsNewestFirst(store);
  const evals = evalRunLabels(store.db);
  const integrityRun = runs.find((r) => /integrity/.test(r.stage) && pickIntegrity(r)) ?? null;
  const behaviorRuns = runs.filter((r) => /behav/.test(r.stage));
  const behaviorRun =
    behaviorRuns.find((r) => pickBehavior(r, evals)) ?? (fallbackBehavior ? (behaviorRuns[0] ?? null) : null);
  return {
    integrity: rowsFrom(
      INTEGRITY_TABLE,
      store.id,
      integrityRun?.runId ?? null,
      integrityRun ? findingsOfRun(store, integrityRun.runId) : [],
    ),
    behavioral: rowsFrom(
      BEHAVIORAL_TABLE,
      store.id,
      behaviorRun?.runId ?? null,
      behaviorRun ? findingsOfRun(store, behaviorRun.runId) : [],
    ),
  };
}

function suspectIsReplacement(
  r: RecordedRun,
  evals: Map<number, { label: string; role: string }>,
  label?: string,
): boolean {
  const id = suspectRunOf(r.inputs);
  const run = id === null ? undefined : evals.get(id);
  if (label !== undefined) return run?.label === label;
  return run?.role === 'replacement' || namesReplacement(r.stage, r.inputs);
}

function inThisCase(store: CaseStore, label?: string) {
  return readTables(
    store,
    (r) => namesReplacement(r.stage, r.inputs),
    (r, evals) => suspectIsReplacement(r, evals, label),
    false,
  );
}

function emptyTables() {
  return {
    integrity: rowsFrom(INTEGRITY_TABLE, null, null, []),
    behavioral: rowsFrom(BEHAVIORAL_TABLE, null, null, []),
  };
}

/** Open another case of the same workstation, or say why not. */
function withOtherCase<T>(store: CaseStore, caseId: string, fn: (other: CaseStore) => T): T {
  const other = new Workstation(homeOf(store)).openCase(caseId);
  try {
    return fn(other);
  } finally {
    other.close();
  }
}

export function replacementVerification(
  store: CaseStore,
  state: IncidentState = incidentState(store),
): ReplacementVerification {
  const link: ReplacementLink | null = state.replacement?.link ?? null;
  let problem: string | null = null;
  let tables: { integrity: VerificationRow[]; behavioral: VerificationRow[] };
  if (link?.kind === 'case') {
    try {
      tables = withOtherCase(store, link.caseId, (other) =>
        readTables(
          other,
          () => true,
          (r, evals) => suspectIsReplacement(r, evals),
          true,
        ),
      );
    } catch (err) {
      problem = (err as Error).message;
      tables = emptyTables();
    }
  } else {
    tables = inThisCase(store, link?.label);
  }
  const rows = [...tables.integrity, ...tables.behavioral];
  return {
    link,
    recorded: state.replacement?.recorded ?? null,
    problem,
    ...tables,
    status: problem ? 'not-analysed' : overall(rows),
  };
}
