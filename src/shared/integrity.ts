/**
 * The wire shapes of the integrity stage (types only): what `integrity:*` and `artifact:inspect`
 * answer. The core's reports (src/core/integrity) are checked against these by the compiler where
 * the service returns them, so the renderer never imports the core.
 */
import type { FindingStatus } from './domain';

export type IntegrityCheckName =
  'file-integrity' | 'architecture' | 'adapter-audit' | 'configuration' | 'template-tokenizer';
/** Never `pass` when nothing was compared: "not analysed" is its own outcome. */
export type IntegrityStatus = 'pass' | 'fail' | 'not-analysed';

export interface IntegrityItem {
  status: FindingStatus;
  subject: string | null;
  summary: string;
  details: Record<string, unknown>;
}

export interface IntegrityCheck {
  check: IntegrityCheckName;
  title: string;
  status: IntegrityStatus;
  summary: string;
  reasons: string[];
  items: IntegrityItem[];
  details: Record<string, unknown>;
  /**
   * How many items of each status the check compared. A run rebuilt from its recorded findings
   * holds only the failing items: these counts are what it recorded, or null when the run was
   * recorded before counts were kept (the screen then says the number is not known).
   */
  counts?: ItemCounts | null;
}

export interface ItemCounts {
  pass: number;
  fail: number;
  info: number;
  notAnalysed: number;
}

/** What a run compared against besides the baseline: the playbook's authorized list and approved config. */
export interface IntegrityRunOptions {
  /** null: none given, so no adapter is authorized. */
  authorizedAdapters: { label: string; sha256: string; names: string[] } | null;
  approvedConfig: { label: string; sha256: string } | null;
  /**
   * The CA certificates a model_signing certificate chain was verified to (an evidence file of
   * the case or a file on the workstation); null: none given. Absent in runs recorded before it.
   */
  trustRoot?: { label: string; sha256: string; subjects: string[] } | null;
}

/** An evidence file of the case that is a PEM certificate or bundle: a possible trust root. */
export interface TrustRootCandidate {
  evidenceId: number;
  path: string;
  sha256: string;
  certificates: { subject: string; ca: boolean; fingerprint256: string }[];
}

export interface IntegrityRun {
  caseId: string;
  baseline: string | null;
  status: IntegrityStatus;
  checks: IntegrityCheck[];
  runId: string;
  custodySeq: number | null;
  recordedAt: string;
  /**
   * 'run': just computed, every item present. 'recorded': rebuilt from the stored findings, which
   * keep each check and its failing items only (the passing comparisons are not stored).
   */
  source: 'run' | 'recorded';
  /** The options the run used; null when rebuilt from findings recorded without them. */
  options: IntegrityRunOptions | null;
}

// --- Weight diff -----------------------------------------------------------------------------

export type TensorDiffStatus =
  'identical' | 'changed' | 'only-in-a' | 'only-in-b' | 'shape-changed' | 'dtype-changed' | 'unreadable';

export interface TensorDiffNumbers {
  elements: number;
  changedElements: number;
  maxAbsDelta: number;
  l2Delta: number;
  l2A: number;
  l2B: number;
  relativeL2: number | null;
  cosine: number | null;
  nonFinite: number;
}

export interface TensorDiffSide {
  file: string;
  dtype: string;
  shape: number[];
  bytes: number;
}

export interface TensorDiffRow {
  name: string;
  layer: number | null;
  role: string;
  status: TensorDiffStatus;
  a: TensorDiffSide | null;
  b: TensorDiffSide | null;
  numbers: TensorDiffNumbers | null;
  note: string | null;
  firstDifferenceAt: number | null;
}

export interface WeightModelUnit {
  key: string;
  files: { label: string; format: 'safetensors' | 'gguf'; tensors: number; sha256: string | null }[];
}

export interface WeightPairDiff {
  a: WeightModelUnit;
  b: WeightModelUnit;
  pairedBy: 'path' | 'only-remaining' | 'given';
  tensors: TensorDiffRow[];
  counts: Record<TensorDiffStatus, number>;
  notes: string[];
}

export interface WeightDiffResult {
  /** a: the baseline (known-good) case, b: the suspect case. */
  a: { label: string };
  b: { label: string };
  pairs: WeightPairDiff[];
  unpairedA: string[];
  unpairedB: string[];
  skipped: string[];
  counts: Record<TensorDiffStatus, number>;
  identical: boolean;
}

// --- Provenance ------------------------------------------------------------------------------

export type ProvenanceStage = 'base-model' | 'fine-tuning' | 'post-processing' | 'deployment';
export type ProvenanceObserved = 'matched' | 'mismatched' | 'missing';

export interface ProvenanceOutput {
  path: string | null;
  sha256: string;
  evidence: ProvenanceObserved;
  evidenceSha256: string | null;
  baseline: ProvenanceObserved | null;
  baselineSha256: string | null;
}

export interface ProvenanceHashChange {
  path: string | null;
  before: string | null;
  after: string | null;
}

export type CompromisePointId =
  'provider' | 'download' | 'fine-tuning' | 'post-processing' | 'deployment' | 'runtime';

export interface ProvenanceStepResult {
  index: number;
  stage: ProvenanceStage;
  title: string;
  description: string;
  performedBy: string | null;
  performedAt: string | null;
  outputs: ProvenanceOutput[];
  changed: ProvenanceHashChange[];
  added: string[];
  inputsChanged: ProvenanceHashChange[];
  sourceChanged: ProvenanceHashChange[];
  compared: boolean;
  diverges: boolean;
  divergence: CompromisePointId | null;
}

export interface ProvenanceResult {
  caseId: string;
  baseline: string | null;
  chain: { file: string; format: string; model: string | null; problems: string[] } | null;
  otherRecords: { file: string; format: string; differences: string[] }[];
  unreadable: string[];
  steps: ProvenanceStepResult[];
  runtime: { compared: number; changed: ProvenanceHashChange[] } | null;
  compromise: {
    point: { id: CompromisePointId; name: string; indicators: string; investigationFocus: string };
    at: ProvenanceStage | 'runtime';
    reasons: string[];
    vectors: { vector: string; investigationSteps: string }[];
  } | null;
  status: IntegrityStatus;
  summary: string;
  reasons: string[];
  runId: string;
  custodySeq: number;
}

// --- Artifact inspection ---------------------------------------------------------------------

export interface ArtifactField {
  label: string;
  value: string;
  /** A value the reader should look at twice (suspicious metadata, remote code, a dangerous import). */
  flag?: boolean;
}

export interface ArtifactTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: number;
  begin: number;
  end: number;
}

export type ImportClass = 'safe' | 'unknown' | 'dangerous';

export interface ArtifactImport {
  classification: ImportClass;
  ref: string;
  count: number;
  reason: string | null;
}

export interface ArtifactTable {
  title: string;
  columns: string[];
  rows: string[][];
}

export interface ArtifactInspection {
  evidenceId: number;
  path: string;
  sha256: string | null;
  size: number;
  /** The parser that read it: safetensors, gguf, adapter-config, tokenizer, pickle, … or unknown. */
  kind: string;
  format: string;
  detectedBy: string;
  fields: ArtifactField[];
  /** Header metadata (safetensors __metadata__, GGUF key/values). */
  metadata: { key: string; type: string | null; value: string; flag?: boolean }[];
  tensors: ArtifactTensor[] | null;
  imports: ArtifactImport[] | null;
  tables: ArtifactTable[];
  problems: string[];
}
