/**
 * The playbook's "Identify the compromise point" table (Supply Chain Investigation) and its
 * "Investigate the compromise vector" table, as data: "Compare checksums at each step of the
 * provenance chain to identify where the modification occurred".
 */

export type CompromisePointId =
  'provider' | 'download' | 'fine-tuning' | 'post-processing' | 'deployment' | 'runtime';

export interface CompromisePoint {
  id: CompromisePointId;
  /** The table's "Compromise Point" column. */
  name: string;
  indicators: string;
  investigationFocus: string;
}

export const COMPROMISE_POINTS: readonly CompromisePoint[] = [
  {
    id: 'provider',
    name: 'Provider compromise',
    indicators: 'Checksums mismatch from source',
    investigationFocus: 'Contact provider; check for broader industry impact',
  },
  {
    id: 'download',
    name: 'Download tampering',
    indicators: 'Checksums match source but not your stored copy',
    investigationFocus: 'Investigate network security, man-in-the-middle',
  },
  {
    id: 'fine-tuning',
    name: 'Fine-tuning compromise',
    indicators: 'Pre-fine-tuning checksums OK, post-fine-tuning differ from expected',
    investigationFocus: 'Investigate training data and training infrastructure',
  },
  {
    id: 'post-processing',
    name: 'Post-processing tampering',
    indicators: 'Modification after quantization or format conversion',
    investigationFocus: 'Investigate processing pipeline access controls',
  },
  {
    id: 'deployment',
    name: 'Deployment compromise',
    indicators: 'Stored model is clean, deployed model differs',
    investigationFocus: 'Investigate deployment pipeline, container security',
  },
  {
    id: 'runtime',
    name: 'Runtime modification',
    indicators: 'Deployed model changed after deployment',
    investigationFocus: 'Investigate host security, write access to model files',
  },
];

export interface CompromiseVector {
  vector: string;
  investigationSteps: string;
}

export const COMPROMISE_VECTORS: readonly CompromiseVector[] = [
  {
    vector: 'Malicious training data',
    investigationSteps: 'Audit training data for poisoned examples; check data source integrity',
  },
  {
    vector: 'Compromised fine-tuning pipeline',
    investigationSteps: 'Review pipeline access logs; check for unauthorized modifications',
  },
  { vector: 'Malicious adapter', investigationSteps: 'Inspect adapter provenance, rank, and target modules' },
  {
    vector: 'Compromised model registry',
    investigationSteps: 'Audit registry access; check for unauthorized pushes',
  },
  {
    vector: 'Container compromise',
    investigationSteps: 'Investigate container image history; scan for malware',
  },
  {
    vector: 'Insider threat',
    investigationSteps: 'Review access logs for model files and training infrastructure',
  },
];

export function compromisePoint(id: CompromisePointId): CompromisePoint {
  const p = COMPROMISE_POINTS.find((x) => x.id === id);
  if (!p) throw new Error(`unknown compromise point ${id}`);
  return p;
}

/** Vectors worth investigating first for a compromise point (and whether an adapter appeared). */
export function vectorsFor(id: CompromisePointId, adapterAdded: boolean): CompromiseVector[] {
  const names: Record<CompromisePointId, string[]> = {
    provider: ['Compromised model registry'],
    download: ['Compromised model registry', 'Insider threat'],
    'fine-tuning': ['Malicious training data', 'Compromised fine-tuning pipeline', 'Insider threat'],
    'post-processing': ['Compromised fine-tuning pipeline', 'Compromised model registry', 'Insider threat'],
    deployment: ['Compromised model registry', 'Container compromise', 'Insider threat'],
    runtime: ['Container compromise', 'Insider threat'],
  };
  const list = adapterAdded ? ['Malicious adapter', ...names[id]] : names[id];
  return COMPROMISE_VECTORS.filter((v) => list.includes(v.vector));
}
