/**
 * The playbook's 12-item Post-Mortem Checklist (shared/seed/model-compromise-playbook.txt), each
 * item filled from what the case records — findings, custody events, the last verification — and
 * otherwise "not recorded". An item is never shown as done without a record to point at; the
 * strongest status is "recorded", with links to the findings and events that support it.
 *
 * Where the evidence comes from:
 *  1 compromise point   findings of a stage named `provenance` (or a check named like
 *                       `compromise-point` / `provenance` in any stage) that name a point
 *  2 attack vector      a finding whose check names a `vector`
 *  3 blast radius       `audit` findings about the window, users, actions or blast radius
 *  4 outputs reviewed   `audit` findings about sampling, review or labels of outputs
 *  5 model preserved    model files stored (evidence.stored) and a passing verification that
 *                       covers them (verify.run)
 *  6 replacement        the replacement verification of the incident record
 *                       (src/core/incident/replacement.ts): the integrity and behavioral
 *                       verification tables read from the linked replacement case or evidence
 *                       set, else from this case's runs on a replacement — a stage whose name
 *                       contains `replacement` (e.g. `integrity:replacement`), whose
 *                       findings.recorded inputs say `role: "replacement"`, or a behavior
 *                       comparison whose suspect eval run has role `replacement`
 *  7–12                 outside what Probity records: "not recorded" unless a responder records
 *                       a status and a note (incident checklist), shown as theirs with its event
 */
import type { CustodyEvent, EvidenceItem, EvidenceKind, Finding } from '../../shared/domain';
import type {
  ManualChecklistNote,
  ManualChecklistStatus,
  ReplacementVerification,
  VerificationRow,
} from '../../shared/incident';
import type { LastVerification, StageReport } from './stages';

export type ChecklistStatus = 'recorded' | 'partial' | 'open' | 'not-recorded';

export const STATUS_LABELS: Readonly<Record<ChecklistStatus, string>> = {
  recorded: 'Recorded',
  partial: 'Partly recorded',
  open: 'Open: findings show a failure',
  'not-recorded': 'Not recorded',
};

export interface ChecklistLink {
  label: string;
  /** A fragment inside report.html (#finding-N, #seq-N, #stage-…) or a file of the bundle. */
  href: string;
}

export interface ChecklistItem {
  n: number;
  item: string;
  status: ChecklistStatus;
  /** One sentence saying what the status rests on. */
  basis: string;
  links: ChecklistLink[];
  /** Items 7–12: the status and note a responder recorded, with its custody event. */
  manual: ManualChecklistNote | null;
}

export interface ChecklistInput {
  evidence: EvidenceItem[];
  events: CustodyEvent[];
  stages: StageReport[];
  lastVerification: LastVerification | null;
  /** The incident record's replacement verification (item 6), when read. */
  replacement?: ReplacementVerification | null;
  /** Manual notes on items 7–12 (incident checklist). */
  manual?: ManualChecklistNote[];
}

/** The items as the playbook words them (its mixed-language terms translated per DESIGN.md). */
export const CHECKLIST_ITEMS: readonly string[] = [
  'Compromise point in supply chain identified',
  'Attack vector determined and documented',
  'Blast radius quantified (users, time, actions)',
  'All outputs during compromise window reviewed or sampled',
  'Compromised model preserved as evidence',
  'Replacement model deployed and verified',
  'Supply chain controls strengthened at the compromise point',
  'Model integrity monitoring implemented or enhanced',
  'Other models/systems checked for similar compromise',
  'Vendor notification (if third-party model) completed',
  'Downstream system outputs reviewed and corrected if needed',
  'Post-mortem shared with team and stakeholders',
];

type Outcome = Pick<ChecklistItem, 'status' | 'basis' | 'links'>;

const NOT_RECORDED: Outcome = {
  status: 'not-recorded',
  basis: 'Probity holds no record for this item; attest it outside Probity.',
  links: [],
};

const MODEL_KINDS: ReadonlySet<EvidenceKind> = new Set(['weights', 'adapter', 'tokenizer', 'model-config']);

export function findingLink(f: Finding): ChecklistLink {
  return { label: `finding #${f.id}`, href: `#finding-${f.id}` };
}

function stageLink(s: StageReport): ChecklistLink {
  return { label: `${s.stage} run`, href: `#stage-${anchorId(s.stage)}` };
}

export function anchorId(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-');
}

function matching(stages: StageReport[], stage: RegExp, check: RegExp): Finding[] {
  return stages
    .filter((s) => stage.test(s.stage))
    .flatMap((s) => s.findings.filter((f) => check.test(f.check)));
}

function fromFindings(found: Finding[], stagePresent: StageReport[], what: string): Outcome {
  const analysed = found.filter((f) => f.status !== 'not-analysed');
  if (analysed.length) {
    return {
      status: 'recorded',
      basis: analysed
        .slice(0, 3)
        .map((f) => f.summary)
        .join(' '),
      links: analysed.slice(0, 6).map(findingLink),
    };
  }
  if (found.length) {
    return {
      status: 'partial',
      basis: `${what}: the findings say it could not be analysed.`,
      links: found.map(findingLink),
    };
  }
  if (stagePresent.length) {
    return {
      status: 'partial',
      basis: `${stagePresent.map((s) => s.stage).join(', ')} findings exist, but none records ${what}.`,
      links: stagePresent.map(stageLink),
    };
  }
  return NOT_RECORDED;
}

/** Compromise-point findings: a `compromise-point` check in the provenance stage, or one recording details.compromisePoint. */
function compromiseFindings(stages: StageReport[]): Finding[] {
  return stages
    .filter((s) => /^provenance/.test(s.stage) || s.findings.some((f) => /compromise/.test(f.check)))
    .flatMap((s) => s.findings)
    .filter((f) => /compromise/.test(f.check) || typeof f.details.compromisePoint === 'string');
}

function compromisePoint(i: ChecklistInput): Outcome {
  const found = compromiseFindings(i.stages);
  const named = found.filter(
    (f) => (f.status === 'fail' || f.status === 'info') && (f.subject || f.details.compromisePoint),
  );
  if (named.length) {
    return {
      status: 'recorded',
      basis: named.map((f) => f.summary).join(' '),
      links: named.map(findingLink),
    };
  }
  if (found.length) {
    return {
      status: 'partial',
      basis: `The provenance analysis names no compromise point: ${found.map((f) => f.summary).join(' ')}`,
      links: found.map(findingLink),
    };
  }
  return fromFindings(
    [],
    i.stages.filter((s) => /^provenance/.test(s.stage)),
    'a compromise point',
  );
}

function vectorNames(f: Finding): string[] {
  const v = f.details.vectors;
  if (!Array.isArray(v)) return [];
  return v
    .map((x: unknown) => (typeof x === 'object' && x !== null ? (x as { vector?: unknown }).vector : x))
    .filter((x): x is string => typeof x === 'string');
}

function attackVector(i: ChecklistInput): Outcome {
  const determined = matching(i.stages, /./, /vector/);
  if (determined.length) return fromFindings(determined, [], 'an attack vector');
  const candidates = compromiseFindings(i.stages).filter((f) => vectorNames(f).length > 0);
  if (candidates.length) {
    return {
      status: 'partial',
      basis: `Candidate vectors for the recorded compromise point: ${[...new Set(candidates.flatMap(vectorNames))].join('; ')}. None is recorded as determined.`,
      links: candidates.map(findingLink),
    };
  }
  return NOT_RECORDED;
}

function blastRadius(i: ChecklistInput): Outcome {
  const audit = i.stages.filter((s) => /^audit/.test(s.stage));
  return fromFindings(
    matching(audit, /./, /blast|window|exposure|affected|users|actions|tool/),
    audit,
    'the blast radius',
  );
}

function outputsReviewed(i: ChecklistInput): Outcome {
  const audit = i.stages.filter((s) => /^audit/.test(s.stage));
  return fromFindings(
    matching(audit, /./, /sampl|review|label|output/),
    audit,
    'a review or sample of the outputs',
  );
}

function lastStoredSeq(events: CustodyEvent[], evidence: EvidenceItem[]): number {
  const ids = new Set(evidence.filter((e) => MODEL_KINDS.has(e.kind)).map((e) => e.id));
  return events
    .filter((e) => e.action === 'evidence.stored' && ids.has(Number(e.details.evidenceId)))
    .reduce((max, e) => Math.max(max, e.seq), 0);
}

function modelPreserved(i: ChecklistInput): Outcome {
  const files = i.evidence.filter((e) => MODEL_KINDS.has(e.kind));
  if (files.length === 0) return NOT_RECORDED;
  const stored = `${files.length} model file${files.length === 1 ? '' : 's'} stored read-only with SHA-256`;
  const links: ChecklistLink[] = [{ label: 'evidence.sha256', href: 'evidence.sha256' }];
  const v = i.lastVerification;
  if (!v) return { status: 'partial', basis: `${stored}; no verification has been run since.`, links };
  links.push({ label: `verification, seq ${v.seq}`, href: `#seq-${v.seq}` });
  if (!v.ok) {
    return {
      status: 'open',
      basis: `${stored}; the last verification (${v.at}) found ${v.problems.length} problem(s).`,
      links,
    };
  }
  const needed = lastStoredSeq(i.events, i.evidence);
  if (v.throughSeq < needed) {
    return {
      status: 'partial',
      basis: `${stored}; the last verification predates the last of them (seq ${needed}).`,
      links,
    };
  }
  return {
    status: 'recorded',
    basis: `${stored}; re-hashed and the custody chain recomputed by the verification of ${v.at}, through seq ${v.throughSeq}.`,
    links,
  };
}

function isReplacementRun(s: StageReport): boolean {
  const role = s.inputs.role ?? s.inputs.target ?? s.inputs.subject;
  return /replacement/.test(s.stage) || role === 'replacement';
}

function rowLink(r: VerificationRow): ChecklistLink {
  const id = r.findingIds[0];
  return id !== undefined && r.caseId !== null
    ? {
        label: `${r.title}: finding #${id}${r.caseId ? ` in ${r.caseId}` : ''}`,
        href: `#replacement-${r.check}`,
      }
    : { label: r.title, href: `#replacement-${r.check}` };
}

/** Item 6 from the replacement verification tables, when any row was read from a recorded run. */
function fromReplacementTables(v: ReplacementVerification): Outcome | null {
  const rows = [...v.integrity, ...v.behavioral];
  const read = rows.filter((r) => r.runId !== null);
  if (read.length === 0) return null;
  const where = v.link?.kind === 'case' ? ` (case ${v.link.caseId})` : '';
  const failing = rows.filter((r) => r.status === 'fail');
  if (failing.length)
    return {
      status: 'open',
      basis: `Verification of the replacement${where} fails: ${failing.map((r) => `${r.title} — ${r.summary}`).join('; ')}`,
      links: failing.map(rowLink),
    };
  const missing = rows.filter((r) => r.status !== 'pass');
  if (missing.length === 0)
    return {
      status: 'recorded',
      basis: `Every integrity and behavioral verification check of the replacement${where} passes its playbook criterion; its deployment itself is attested outside Probity.`,
      links: read.map(rowLink),
    };
  return {
    status: 'partial',
    basis: `Verification of the replacement${where} recorded, but not analysed: ${missing.map((r) => r.title).join(', ')}.`,
    links: read.map(rowLink),
  };
}

function replacementVerified(i: ChecklistInput): Outcome {
  const fromTables = i.replacement ? fromReplacementTables(i.replacement) : null;
  if (fromTables) return fromTables;
  if (i.replacement?.problem)
    return { status: 'partial', basis: `Replacement linked, but ${i.replacement.problem}`, links: [] };
  const runs = i.stages.filter(isReplacementRun);
  const integrity = runs.filter((s) => /integrity/.test(s.stage));
  const behavior = runs.filter((s) => /behav/.test(s.stage));
  if (runs.length === 0) return NOT_RECORDED;
  const links = runs.map(stageLink);
  const failing = runs.flatMap((s) => s.findings.filter((f) => f.status === 'fail'));
  if (failing.length) {
    return {
      status: 'open',
      basis: `Checks of the replacement fail: ${failing[0]!.summary}`,
      links: failing.slice(0, 6).map(findingLink),
    };
  }
  const unanalysed = runs.some((s) => s.counts['not-analysed'] > 0 || s.counts.pass === 0);
  if (integrity.length && behavior.length && !unanalysed) {
    return {
      status: 'recorded',
      basis:
        'Integrity and behavioral verification of the replacement pass; its deployment itself is attested outside Probity.',
      links,
    };
  }
  const missing = [integrity.length ? null : 'integrity', behavior.length ? null : 'behavioral'].filter(
    Boolean,
  );
  return {
    status: 'partial',
    basis: missing.length
      ? `Replacement checks recorded, but no ${missing.join(' or ')} verification of it.`
      : 'Replacement checks recorded, but some could not be analysed.',
    links,
  };
}

const RULES: readonly ((i: ChecklistInput) => Outcome)[] = [
  compromisePoint,
  attackVector,
  blastRadius,
  outputsReviewed,
  modelPreserved,
  replacementVerified,
];

const MANUAL_STATUS: Readonly<Record<ManualChecklistStatus, { status: ChecklistStatus; word: string }>> = {
  done: { status: 'recorded', word: 'Done' },
  'not-applicable': { status: 'recorded', word: 'Not applicable' },
  'in-progress': { status: 'partial', word: 'In progress' },
  open: { status: 'open', word: 'Open' },
};

function fromManual(m: ManualChecklistNote): Outcome {
  const s = MANUAL_STATUS[m.status];
  return {
    status: s.status,
    basis: `${s.word} — ${m.note} (recorded by ${m.recorded.actor}, ${m.recorded.at})`,
    links: [{ label: `custody event ${m.recorded.seq}`, href: `#seq-${m.recorded.seq}` }],
  };
}

export function buildChecklist(input: ChecklistInput): ChecklistItem[] {
  return CHECKLIST_ITEMS.map((item, idx) => {
    const n = idx + 1;
    const rule = RULES[idx];
    const manual = rule ? undefined : input.manual?.find((m) => m.n === n);
    const outcome = rule ? rule(input) : manual ? fromManual(manual) : NOT_RECORDED;
    return { n, item, ...outcome, manual: manual ?? null };
  });
}
