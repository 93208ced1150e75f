/**
 * The output-log audit (the playbook's "Assess blast radius", "Output audit" and "Tool call audit"):
 * plain functions over a case store, called by the CLI (src/cli/commands/audit.ts) and the hosts.
 *
 *   importLog          preserve and import an output log (generic, OpenAI, OpenTelemetry)
 *   setWindow …        the compromise window, by hand or from deployment records
 *   blastRadius        requests, users, conversations, tool calls, downstream systems, per day
 *   planReview         the discovery sample size for a prevalence and confidence
 *   drawSample         a reproducible, optionally stratified review sample
 *   nextUnreviewed     the review queue (reviewedItems, reviewItemAt: back to a record); recordLabel / labelHistory / agreement
 *   estimate           prevalence with intervals, projections; recordEstimate writes findings
 *   exportSample       the reviewed sample as CSV or JSON
 */
export { blastRadius, requireImportsFinished, type BlastRadius, type RegionStats } from './blast-radius';
export {
  estimate,
  estimateFindings,
  prevalenceOf,
  recordEstimate,
  type AuditEstimate,
  type EstimateOptions,
} from './estimate';
export { exportRows, exportSample, type ExportResult } from './export';
export { importDigests } from './import-digest';
export { importLog, type ImportLogOptions, type ImportProgress, type ImportReport } from './importer';
export {
  agreement,
  effectiveLabel,
  labelHistory,
  LABELS,
  recordLabel,
  type Label,
  type LabelEntry,
} from './labels';
export {
  loadedPolicy,
  readPolicyFile,
  toolCallViolations,
  type LoadedPolicy,
  type ToolPolicy,
} from './policy';
export { recordDetail, type RecordDetail } from './record-view';
export { planReview, type ReviewPlan } from './plan';
export {
  nextUnreviewed,
  reviewedItems,
  reviewItemAt,
  reviewProgress,
  type ReviewItem,
  type ReviewProgress,
  type ReviewedItem,
} from './review';
export {
  ALLOCATIONS,
  currentSample,
  drawSample,
  requireSample,
  SAMPLE_METHODS,
  sampleItems,
  sampleStatement,
  STRATA,
  windowOfSample,
  type SampleMethod,
  type Allocation,
  type Sample,
  type Strata,
} from './sample';
export {
  currentWindow,
  deploymentWindow,
  manualWindow,
  setWindow,
  type AuditWindow,
  type WindowSpec,
} from './window';
export type { LogFormat } from './types';
