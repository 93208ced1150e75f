/**
 * The verdict ladder every scanner in this folder answers with (DESIGN.md, "The verdict ladder"):
 *
 *   dangerous     a known-dangerous capability is reachable; the finding names it and where
 *   suspicious    structure an honest writer does not produce, payloads that were not analysed,
 *                 globals/modules outside the allowlist
 *   not-analysed  incomplete, unreadable or unsupported: the scan did not see everything
 *   safe          read to the end, every element accounted for
 *
 * A verdict is the worst of its findings; `safe` needs a complete read and no finding at all.
 * Every verdict names the rule set it was reached under (rules.ts SCANNER_RULES).
 */
import type { Capability } from './danger.ts';

export type ScanLevel = 'dangerous' | 'suspicious' | 'not-analysed' | 'safe';

export interface ScanFinding {
  level: Exclude<ScanLevel, 'safe'>;
  /** What was found: the global, construct or reason, in words. */
  what: string;
  /** Where: member, offset, nesting path, config key… */
  where: string | null;
  capability?: Capability | null;
}

export interface RulesId {
  version: string;
  digest: string;
}

export interface ScanVerdict {
  level: ScanLevel;
  /** Every finding that lowered or capped the verdict, worst first. */
  findings: ScanFinding[];
  rules: RulesId;
}

const RANK: Record<ScanLevel, number> = { dangerous: 3, suspicious: 2, 'not-analysed': 1, safe: 0 };

export function worse(a: ScanLevel, b: ScanLevel): ScanLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

export function levelOf(findings: readonly ScanFinding[]): ScanLevel {
  let l: ScanLevel = 'safe';
  for (const f of findings) l = worse(l, f.level);
  return l;
}

/** Findings sorted worst first (stable), capped at `max` with a closing note of how many were cut. */
export function sortFindings(findings: readonly ScanFinding[], max = 500): ScanFinding[] {
  const sorted = [...findings].sort((a, b) => RANK[b.level] - RANK[a.level]);
  if (sorted.length <= max) return sorted;
  const cut = sorted.slice(0, max);
  const last = sorted[max];
  cut.push({
    level: last?.level ?? 'suspicious',
    what: `… and ${(sorted.length - max).toLocaleString('en-US')} more findings`,
    where: null,
  });
  return cut;
}

/** A bounded, de-duplicated collector of findings. */
export class FindingList {
  private readonly items: ScanFinding[] = [];
  private readonly seen = new Set<string>();
  private dropped: ScanFinding | null = null;
  private droppedCount = 0;
  constructor(private readonly cap = 500) {}

  add(
    level: ScanFinding['level'],
    what: string,
    where: string | null = null,
    capability?: ScanFinding['capability'],
  ): void {
    const key = `${level}\u0000${what}\u0000${where ?? ''}`;
    if (this.seen.has(key)) return;
    const f: ScanFinding = { level, what, where, ...(capability ? { capability } : {}) };
    if (this.items.length >= this.cap) {
      this.droppedCount++;
      if (!this.dropped || RANK[level] > RANK[this.dropped.level]) this.dropped = f;
      return;
    }
    this.seen.add(key);
    this.items.push(f);
  }

  addAll(list: readonly ScanFinding[]): void {
    for (const f of list) this.add(f.level, f.what, f.where, f.capability);
  }

  get level(): ScanLevel {
    const l = levelOf(this.items);
    return this.dropped ? worse(l, this.dropped.level) : l;
  }

  toArray(): ScanFinding[] {
    const out = sortFindings(this.items, this.cap);
    if (this.dropped)
      out.push({
        level: this.dropped.level,
        what: `… and ${this.droppedCount.toLocaleString('en-US')} more findings (worst: ${this.dropped.what})`,
        where: this.dropped.where,
      });
    return out;
  }
}
