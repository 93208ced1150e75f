/**
 * The integrity stage's use cases, as both hosts run them (src/cli/commands/integrity.ts and the
 * service, src/core/api/service.ts): run a check on a case, then record its findings under one
 * custody event. The host only opens the cases and shows the result.
 */
import type { recordFindings } from '../store/findings';
import type { CaseStore } from '../store/workstation';
import { loadCaseFiles } from './case-files';
import { recordIntegrity, runIntegrity, type IntegrityOptions, type IntegrityReport } from './integrity';
import { analyseProvenance, recordProvenance, type ProvenanceReport } from './provenance';

/** The findings run a check was recorded as: its id, its custody event and its findings. */
export type RecordedRun = ReturnType<typeof recordFindings>;

/** The four Integrity Verification checks on `store` (against `options.baseline`), recorded. */
export async function checkIntegrity(
  store: CaseStore,
  options: IntegrityOptions,
  actor: string,
): Promise<{ report: IntegrityReport; run: RecordedRun }> {
  const report = await runIntegrity(store, options);
  return { report, run: recordIntegrity(store, report, actor, options) };
}

/** The provenance chain of `store` walked against its evidence (and a baseline case's), recorded. */
export async function checkProvenance(
  store: CaseStore,
  baseline: CaseStore | null,
  actor: string,
): Promise<{ report: ProvenanceReport; run: RecordedRun }> {
  const report = await analyseProvenance(loadCaseFiles(store), baseline ? loadCaseFiles(baseline) : null);
  return { report, run: recordProvenance(store, report, actor) };
}
