/**
 * The playbook's Model Replacement Decision Matrix and Retraining Considerations, as the report
 * shows them. Probity does not decide the remediation: it marks the matrix row that the recorded
 * compromise point makes relevant (read from a provenance finding, never inferred from raw
 * evidence), shows the values and the decision the responders recorded (src/core/incident), and
 * lists what must be done before retraining, each "not recorded" until a note or evidence attests it.
 */
import type { Finding } from '../../shared/domain';
import type {
  ConsiderationKey,
  DecisionState,
  FactorKey,
  MatrixFactor,
  RecordRef,
  RetrainingGate,
} from '../../shared/incident';
import type { StageReport } from './stages';

export interface MatrixRow {
  key: FactorKey;
  factor: string;
  previousVersion: string;
  newModel: string;
  retrain: string;
  /** Why this row applies to this case (a finding), or null when nothing recorded says so. */
  appliesBecause: { findingId: number; summary: string } | null;
  /** What the responders recorded for this factor (incident factor), if anything. */
  value: string | null;
  note: string | null;
  recorded: RecordRef | null;
}

export interface RetrainingItem {
  key: ConsiderationKey;
  consideration: string;
  action: string;
  status: 'recorded' | 'not-recorded';
  note: string | null;
  evidence: { id: number; path: string; sha256: string | null }[];
  recorded: RecordRef | null;
}

export interface Remediation {
  compromisePoint: { text: string; findingId: number } | null;
  matrix: MatrixRow[];
  /** The option chosen and why (incident decide), or null while undecided. */
  decision: DecisionState | null;
  retraining: RetrainingItem[];
  /** Considerations still without a note or evidence: "Retrain" is refused while any remain. */
  retrainingMissing: ConsiderationKey[];
}

type MatrixText = Pick<MatrixRow, 'key' | 'factor' | 'previousVersion' | 'newModel' | 'retrain'>;

/** The matrix as the playbook gives it: the reference text for every factor. */
export const MATRIX: readonly MatrixText[] = [
  {
    key: 'previous-version-available',
    factor: 'Previous version available and clean',
    previousVersion: 'Preferred',
    newModel: 'If previous version inadequate',
    retrain: 'If custom model required',
  },
  {
    key: 'fine-tuning-data-compromise',
    factor: 'Compromise in fine-tuning data',
    previousVersion: 'N/A',
    newModel: 'If base model is clean',
    retrain: 'Required with clean data',
  },
  {
    key: 'provider-compromise',
    factor: 'Provider-level compromise',
    previousVersion: 'If earlier version unaffected',
    newModel: 'Switch providers',
    retrain: 'Switch providers and retrain',
  },
  {
    key: 'performance-requirements',
    factor: 'Performance requirements',
    previousVersion: 'If previous version meets requirements',
    newModel: 'If upgrade needed',
    retrain: 'If custom capabilities needed',
  },
  {
    key: 'timeline',
    factor: 'Timeline',
    previousVersion: 'Hours',
    newModel: 'Hours to days',
    retrain: 'Days to weeks',
  },
];

/** The Retraining Considerations table, keyed (src/shared/incident.ts CONSIDERATION_KEYS). */
export const RETRAINING: readonly Pick<RetrainingItem, 'key' | 'consideration' | 'action'>[] = [
  {
    key: 'training-data-audit',
    consideration: 'Training data audit',
    action: 'Review all training data for poisoned examples; remove and replace',
  },
  {
    key: 'infrastructure-security',
    consideration: 'Training infrastructure security',
    action: 'Audit and harden the training environment before retraining',
  },
  {
    key: 'process-isolation',
    consideration: 'Training process isolation',
    action: 'Use isolated, audited compute for the retraining job',
  },
  {
    key: 'validation-protocol',
    consideration: 'Validation protocol',
    action: 'Define comprehensive behavioral validation before deployment',
  },
  {
    key: 'incremental-verification',
    consideration: 'Incremental verification',
    action: 'Checkpoint and evaluate during training, not just at the end',
  },
  {
    key: 'output-comparison',
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

/** What the incident record holds for the matrix and the gate (src/core/incident). */
export interface RecordedRemediation {
  factors: MatrixFactor[];
  decision: DecisionState | null;
  gate: RetrainingGate;
}

/** The compromise point and the matrix row it marks, from the latest findings of each stage. */
export function matrixFromFindings(stages: StageReport[]): {
  compromisePoint: Remediation['compromisePoint'];
  rows: (MatrixText & Pick<MatrixRow, 'appliesBecause'>)[];
} {
  const cp = recordedCompromisePoint(stages);
  return {
    compromisePoint: cp ? { text: cp.text, findingId: cp.finding.id } : null,
    rows: MATRIX.map((row) => ({
      ...row,
      appliesBecause:
        cp && rowApplies(row.factor, cp.text)
          ? { findingId: cp.finding.id, summary: cp.finding.summary }
          : null,
    })),
  };
}

export function buildRemediation(stages: StageReport[], recorded?: RecordedRemediation): Remediation {
  const { compromisePoint, rows } = matrixFromFindings(stages);
  return {
    compromisePoint,
    matrix: rows.map((row) => {
      const f = recorded?.factors.find((x) => x.key === row.key);
      return { ...row, value: f?.value ?? null, note: f?.note ?? null, recorded: f?.recorded ?? null };
    }),
    decision: recorded?.decision ?? null,
    retraining: RETRAINING.map((r) => {
      const g = recorded?.gate.items.find((x) => x.key === r.key);
      return {
        ...r,
        status: g?.satisfied ? 'recorded' : 'not-recorded',
        note: g?.note ?? null,
        evidence: g?.evidence ?? [],
        recorded: g?.recorded ?? null,
      };
    }),
    retrainingMissing: recorded ? recorded.gate.missing : RETRAINING.map((r) => r.key),
  };
}
