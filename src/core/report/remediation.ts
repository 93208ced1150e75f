/**
 * The playbook's Model Replacement Decision Matrix and Retraining Considerations, as the report
 * shows them. Probity does not decide the remediation: it marks the matrix row that the recorded
 * compromise point makes relevant (read from a provenance finding, never inferred from raw
 * evidence) and lists what must be done before retraining, each "not recorded" until attested.
 */
import type { Finding } from '../../shared/domain';
import type { StageReport } from './model';

export interface MatrixRow {
  factor: string;
  previousVersion: string;
  newModel: string;
  retrain: string;
  /** Why this row applies to this case (a finding), or null when nothing recorded says so. */
  appliesBecause: { findingId: number; summary: string } | null;
}

export interface RetrainingItem {
  consideration: string;
  action: string;
  status: 'not-recorded';
}

export interface Remediation {
  compromisePoint: { text: string; findingId: number } | null;
  matrix: MatrixRow[];
  retraining: RetrainingItem[];
}

const MATRIX: readonly Omit<MatrixRow, 'appliesBecause'>[] = [
  {
    factor: 'Previous version available and clean',
    previousVersion: 'Preferred',
    newModel: 'If previous version inadequate',
    retrain: 'If custom model required',
  },
  {
    factor: 'Compromise in fine-tuning data',
    previousVersion: 'N/A',
    newModel: 'If base model is clean',
    retrain: 'Required with clean data',
  },
  {
    factor: 'Provider-level compromise',
    previousVersion: 'If earlier version unaffected',
    newModel: 'Switch providers',
    retrain: 'Switch providers and retrain',
  },
  {
    factor: 'Performance requirements',
    previousVersion: 'If previous version meets requirements',
    newModel: 'If upgrade needed',
    retrain: 'If custom capabilities needed',
  },
  { factor: 'Timeline', previousVersion: 'Hours', newModel: 'Hours to days', retrain: 'Days to weeks' },
];

const RETRAINING: readonly Omit<RetrainingItem, 'status'>[] = [
  {
    consideration: 'Training data audit',
    action: 'Review all training data for poisoned examples; remove and replace',
  },
  {
    consideration: 'Training infrastructure security',
    action: 'Audit and harden the training environment before retraining',
  },
  {
    consideration: 'Training process isolation',
    action: 'Use isolated, audited compute for the retraining job',
  },
  {
    consideration: 'Validation protocol',
    action: 'Define comprehensive behavioral validation before deployment',
  },
  {
    consideration: 'Incremental verification',
    action: 'Checkpoint and evaluate during training, not just at the end',
  },
  {
    consideration: 'Output comparison',
    action: 'Compare retrained model against both the compromised and known-good versions',
  },
];

/** The compromise point a provenance finding records: details.compromisePoint, else its subject. */
function recordedCompromisePoint(stages: StageReport[]): { text: string; finding: Finding } | null {
  for (const s of stages) {
    for (const f of s.findings) {
      const cp = f.details.compromisePoint;
      if (typeof cp === 'string' && cp) return { text: cp, finding: f };
      if (/compromise/.test(f.check) && (f.status === 'fail' || f.status === 'info') && f.subject) {
        const point = f.details.point as { name?: unknown } | undefined;
        const name = typeof point?.name === 'string' ? point.name : null;
        return { text: name ? `${name} (at ${f.subject})` : f.subject, finding: f };
      }
    }
  }
  return null;
}

function rowApplies(factor: string, point: string): boolean {
  if (factor === 'Compromise in fine-tuning data') return /fine-?tun|training/i.test(point);
  if (factor === 'Provider-level compromise') return /provider|base-model|upstream/i.test(point);
  return false;
}

export function buildRemediation(stages: StageReport[]): Remediation {
  const cp = recordedCompromisePoint(stages);
  return {
    compromisePoint: cp ? { text: cp.text, findingId: cp.finding.id } : null,
    matrix: MATRIX.map((row) => ({
      ...row,
      appliesBecause:
        cp && rowApplies(row.factor, cp.text)
          ? { findingId: cp.finding.id, summary: cp.finding.summary }
          : null,
    })),
    retraining: RETRAINING.map((r) => ({ ...r, status: 'not-recorded' })),
  };
}
