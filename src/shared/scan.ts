/**
 * The wire shapes of the scanner's recorded verdicts (core/scan/case-scan.ts): the rules each
 * preserved object was last judged under, and what the last re-scan changed.
 */

export type ScanLevelName = 'dangerous' | 'suspicious' | 'not-analysed' | 'safe';

export interface RulesRef {
  version: string;
  /** sha256 of the rule set's canonical JSON. */
  digest: string;
}

export interface ScanObjectVerdict {
  path: string;
  sha256: string;
  level: ScanLevelName;
  rules: RulesRef;
  /** The worst finding, in words. */
  because: string;
}

export interface ScanRunSummary {
  runId: string;
  at: string;
  objects: number;
  /** The rule sets the run's verdicts came from. */
  ruleSets: RulesRef[];
  /** Verdicts that changed in that run (a re-scan), one line each. */
  changed: { path: string; summary: string }[];
}

export interface CaseScanState {
  /** The rules the scanner runs with now. */
  current: RulesRef;
  lastRun: ScanRunSummary | null;
  /** True when some verdict of the last scan was reached under other rules than the current ones. */
  outdated: boolean;
  verdicts: ScanObjectVerdict[];
}

export interface RescanResult {
  runId: string;
  custodySeq: number;
  rules: RulesRef;
  objects: number;
  changed: string[];
  reconfirmed: number;
  added: number;
}
