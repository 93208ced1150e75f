/**
 * `probity incident …`: the incident record of a case (src/core/incident). Every write is one
 * incident.* custody event naming the actor; `incident show` prints the whole record. Exit codes as
 * everywhere: 0 ok, 1 a retrain refused by the retraining gate (the missing considerations are
 * listed), 2 bad input (the field and the reason are named).
 */
import type { CustodyEvent } from '../../shared/domain';
import {
  ACTION_KEYS,
  CONSIDERATION_KEYS,
  DECISION_OPTION_KEYS,
  FACTOR_KEYS,
  FRAMEWORK_KEYS,
  INCIDENT_STATUSES,
  ISOLATION_STRATEGY_KEYS,
  MANUAL_CHECKLIST_STATUSES,
  ROLE_KEYS,
  SEVERITIES,
  TRIGGER_KEYS,
  type ActionKey,
  type ConsiderationKey,
  type DecisionOption,
  type FactorKey,
  type FrameworkKey,
  type IncidentStatus,
  type IncidentView,
  type IsolationStrategy,
  type ManualChecklistStatus,
  type RoleKey,
  type Severity,
  type TriggerKey,
} from '../../shared/incident';
import {
  addTimelineEntry,
  assignRole,
  decideReplacement,
  incidentGate,
  incidentView,
  linkReplacement,
  recordChecklistNote,
  recordConsideration,
  recordFactor,
  recordImmediateAction,
  setIncidentHeader,
  setTrigger,
  type Actor,
} from '../../core/incident';
import type { CaseStore } from '../../core/store/workstation';
import { ProbityError } from '../../core/util/errors';
import type { Command, CommandContext } from '../command';
import { flag, listOpt, opt } from '../options';
import { emit, table, withCase } from '../output';
import { actorFor, caseSigner, signingCustodian } from '../signing';

/** Every write takes --sign-as: its custody event is then signed by that custodian. */
const SIGN_AS = { 'sign-as': { type: 'string' } } as const;

/**
 * Run one write and print what it recorded: the event, or in --json the event and the view. The
 * actor is --actor, else the signing custodian, else the OS user.
 */
async function write(
  ctx: CommandContext,
  fn: (store: CaseStore, who: Actor) => CustodyEvent,
  describe: (e: CustodyEvent) => string,
): Promise<number> {
  const custodian = await signingCustodian(ctx);
  return withCase(ctx, (store) => {
    const event = fn(store, {
      actor: actorFor(ctx, custodian),
      signer: caseSigner(ctx, store, custodian),
    });
    if (ctx.json) emit(ctx, { event, incident: incidentView(store) });
    else ctx.stdout.write(`${store.id}: ${describe(event)} (custody seq ${event.seq})\n`);
    return 0;
  });
}

const or = (v: string | null | undefined, dflt = '-') =>
  v === null || v === undefined || v === '' ? dflt : v;

/** The plain-text form of the whole record. */
export function renderIncident(v: IncidentView): string {
  const h = v.header;
  const out: string[] = [
    `Incident ID: ${h.incidentId}  Type: ${h.type}  Detected: ${or(h.detected, 'not recorded')}`,
    `Status: ${h.status}  Severity: ${or(h.severity, 'not recorded')}`,
    `Title: ${h.title}`,
    '',
    'TEAM',
    table(
      v.roles.map((r) => [
        r.role,
        or(r.name, 'unassigned'),
        r.custodian ? `${r.custodian.name} ${r.custodian.fingerprint.slice(0, 16)}` : '-',
      ]),
      ['ROLE', 'NAME', 'CUSTODIAN KEY'],
    ).trimEnd(),
    '',
    'TRIGGER CRITERIA',
    table(
      v.triggers.map((t) => [t.applied ? 'applied' : '-', t.key, or(t.note, t.text)]),
      ['', 'CRITERION', 'NOTE'],
    ).trimEnd(),
    '',
    'IMMEDIATE ACTIONS',
  ];
  for (const a of v.actions) {
    out.push(
      `  ${a.done ? 'done' : 'open'}  ${a.action.padEnd(11)} ${or(a.at, '')}  ${a.title}${a.note ? ` — ${a.note}` : ''}`,
    );
    if (a.strategy)
      out.push(
        `        strategy: ${a.strategy.title} (when: ${a.strategy.whenToUse}; impact: ${a.strategy.impact})`,
      );
    if (a.framework) out.push(`        framework: ${a.framework.condition} → ${a.framework.response}`);
    for (const i of a.ingests ?? [])
      out.push(
        `        ingest #${i.ingestId} ${i.status} ${i.bundle}: ${i.files} files; checksum lists ${i.manifest.matched} matched, ${i.manifest.mismatched} mismatched, ${i.manifest.missing} missing${i.seq ? ` (seq ${i.seq})` : ''}`,
      );
  }
  out.push(
    '',
    'DECISION MATRIX',
    table(
      v.matrix.factors.map((f) => [f.key, or(f.value), or(f.note)]),
      ['FACTOR', 'VALUE', 'NOTE'],
    ).trimEnd(),
    `Decision: ${v.decision ? `${v.decision.title} — ${v.decision.reason}` : 'not recorded'}`,
    '',
    `RETRAINING GATE (${v.gate.open ? 'every consideration attested' : `missing: ${v.gate.missing.join(', ')}`})`,
    table(
      v.gate.items.map((g) => [
        g.satisfied ? 'ok' : 'MISSING',
        g.key,
        [g.note, ...g.evidence.map((e) => `evidence #${e.id} ${e.path}`)].filter(Boolean).join('; ') || '-',
      ]),
      ['', 'CONSIDERATION', 'NOTE / EVIDENCE'],
    ).trimEnd(),
    '',
    `REPLACEMENT VERIFICATION: ${v.replacement.link ? (v.replacement.link.kind === 'case' ? `case ${v.replacement.link.caseId}` : `evidence ${v.replacement.link.label}`) : 'not linked'} — ${v.replacement.status}${v.replacement.problem ? ` (${v.replacement.problem})` : ''}`,
    table(
      [...v.replacement.integrity, ...v.replacement.behavioral].map((r) => [
        r.status,
        r.title,
        r.passCriteria,
        r.summary,
      ]),
      ['STATUS', 'CHECK', 'PASS CRITERIA', 'RESULT'],
    ).trimEnd(),
    '',
    'CHECKLIST',
    table(
      v.checklist.map((c) => [String(c.n), c.status, c.item]),
      ['#', 'STATUS', 'ITEM'],
    ).trimEnd(),
    '',
    `TIMELINE: ${v.timeline.length} entries (probity incident timeline ${h.incidentId})`,
  );
  return `${out.join('\n')}\n`;
}

function sourceText(s: IncidentView['timeline'][number]['source']): string {
  switch (s.kind) {
    case 'custody':
      return `seq ${s.seq}`;
    case 'finding':
      return `finding #${s.id}`;
    case 'window':
      return `window #${s.id}`;
    case 'deployment':
      return `${s.evidencePath}:${s.line}`;
    case 'manual':
      return `manual, seq ${s.seq}`;
  }
}

const CASE = ['<case-id>'];

const show: Command = {
  summary:
    'Show the incident record: header, team, trigger criteria, immediate actions, decision matrix, retraining gate, replacement verification and checklist.',
  usage: '<case-id> [--home DIR] [--json]',
  positionals: CASE,
  options: {},
  async run(ctx) {
    return withCase(ctx, (store) => {
      const v = incidentView(store);
      if (ctx.json) emit(ctx, v);
      else ctx.stdout.write(renderIncident(v));
      return 0;
    });
  },
};

const set: Command = {
  summary: `Set the incident's status (${INCIDENT_STATUSES.join(', ')}), severity (${SEVERITIES.join(', ')}) or detection time (UTC).`,
  usage:
    '<case-id> [--status S] [--severity S] [--detected TIME] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: CASE,
  options: {
    ...SIGN_AS,
    status: { type: 'string' },
    severity: { type: 'string' },
    detected: { type: 'string' },
  },
  async run(ctx) {
    return write(
      ctx,
      (store, who) =>
        setIncidentHeader(
          store,
          {
            status: opt(ctx, 'status') as IncidentStatus | undefined,
            severity: opt(ctx, 'severity') as Severity | undefined,
            detected: opt(ctx, 'detected'),
          },
          who,
        ),
      (e) =>
        `incident ${Object.entries(e.details)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ')}`,
    );
  },
};

const role: Command = {
  summary: `Assign a team role (${ROLE_KEYS.join(', ')}) to a person; --custodian records that workstation custodian's key fingerprint with it.`,
  usage: '<case-id> <role> <name> [--custodian NAME] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>', '<role>', '<name>'],
  options: { ...SIGN_AS, custodian: { type: 'string' } },
  async run(ctx) {
    return write(
      ctx,
      (store, who) =>
        assignRole(
          store,
          { role: ctx.args[1] as RoleKey, name: ctx.args[2]!, custodian: opt(ctx, 'custodian') },
          who,
        ),
      (e) => `${String(e.details.role)}: ${String(e.details.name)}`,
    );
  },
};

const trigger: Command = {
  summary: `Record that a trigger criterion applied (${TRIGGER_KEYS.join(', ')}), with an optional note; --remove records that it did not.`,
  usage:
    '<case-id> <criterion> [--note TEXT] [--remove] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>', '<criterion>'],
  options: { ...SIGN_AS, note: { type: 'string' }, remove: { type: 'boolean' } },
  async run(ctx) {
    return write(
      ctx,
      (store, who) =>
        setTrigger(
          store,
          {
            criterion: ctx.args[1] as TriggerKey,
            applied: !flag(ctx, 'remove'),
            note: opt(ctx, 'note'),
          },
          who,
        ),
      (e) => `trigger ${String(e.details.criterion)} ${e.details.applied ? 'applied' : 'removed'}`,
    );
  },
};

const action: Command = {
  summary: `Record an immediate action (${ACTION_KEYS.join(', ')}) and when it was taken. isolate needs --strategy (${ISOLATION_STRATEGY_KEYS.join(', ')}) and takes --framework (${FRAMEWORK_KEYS.join(', ')}); preserve links the case's ingests and their checksum results.`,
  usage:
    '<case-id> <action> [--strategy S] [--framework F] [--at TIME] [--note TEXT] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>', '<action>'],
  options: {
    ...SIGN_AS,
    strategy: { type: 'string' },
    framework: { type: 'string' },
    at: { type: 'string' },
    note: { type: 'string' },
  },
  async run(ctx) {
    return write(
      ctx,
      (store, who) =>
        recordImmediateAction(
          store,
          {
            action: ctx.args[1] as ActionKey,
            at: opt(ctx, 'at'),
            note: opt(ctx, 'note'),
            strategy: opt(ctx, 'strategy') as IsolationStrategy | undefined,
            framework: opt(ctx, 'framework') as FrameworkKey | undefined,
          },
          who,
        ),
      (e) =>
        `${String(e.details.action)} at ${String(e.details.at)}${typeof e.details.strategy === 'string' ? ` (${e.details.strategy}: ${String(e.details.whenToUse)})` : ''}`,
    );
  },
};

const timeline: Command = {
  summary:
    'Print the timeline assembled from custody events, deployment records, the compromise window and findings; --add records a manual entry (--at, default now).',
  usage: '<case-id> [--add TEXT [--at TIME]] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: CASE,
  options: { ...SIGN_AS, add: { type: 'string' }, at: { type: 'string' } },
  async run(ctx) {
    const add = opt(ctx, 'add');
    if (add === undefined && opt(ctx, 'at') !== undefined)
      throw new ProbityError('usage', '--at goes with --add');
    if (add !== undefined)
      return write(
        ctx,
        (store, who) =>
          addTimelineEntry(store, { text: add, at: opt(ctx, 'at') ?? new Date().toISOString() }, who),
        (e) => `timeline entry at ${String(e.details.at)}`,
      );
    return withCase(ctx, (store) => {
      const t = incidentView(store).timeline;
      if (ctx.json) emit(ctx, t);
      else
        ctx.stdout.write(
          table(
            t.map((x) => [x.at, sourceText(x.source), x.text]),
            ['AT (UTC)', 'SOURCE', 'EVENT'],
          ),
        );
      return 0;
    });
  },
};

const decide: Command = {
  summary: `Record the replacement decision (${DECISION_OPTION_KEYS.join(', ')}) with its reason. retrain is refused (exit 1) until every retraining consideration has a note or evidence.`,
  usage: '<case-id> <option> --reason TEXT [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>', '<option>'],
  options: { ...SIGN_AS, reason: { type: 'string' } },
  async run(ctx) {
    return write(
      ctx,
      (store, who) =>
        decideReplacement(store, { option: ctx.args[1] as DecisionOption, reason: opt(ctx, 'reason')! }, who),
      (e) => `decision ${String(e.details.option)}: ${String(e.details.reason)}`,
    );
  },
};

const factor: Command = {
  summary: `Record a decision-matrix factor's value and note (${FACTOR_KEYS.join(', ')}).`,
  usage: '<case-id> <factor> [--value V] [--note TEXT] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>', '<factor>'],
  options: { ...SIGN_AS, value: { type: 'string' }, note: { type: 'string' } },
  async run(ctx) {
    return write(
      ctx,
      (store, who) =>
        recordFactor(
          store,
          { factor: ctx.args[1] as FactorKey, value: opt(ctx, 'value'), note: opt(ctx, 'note') },
          who,
        ),
      (e) => `factor ${String(e.details.factor)} recorded`,
    );
  },
};

const gate: Command = {
  summary: `Show the retraining gate, or attest one consideration (${CONSIDERATION_KEYS.join(', ')}) with --note and/or --evidence ID (repeatable).`,
  usage:
    '<case-id> [--consideration KEY (--note TEXT | --evidence ID …)] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: CASE,
  options: {
    ...SIGN_AS,
    consideration: { type: 'string' },
    note: { type: 'string' },
    evidence: { type: 'string', multiple: true },
  },
  async run(ctx) {
    const key = opt(ctx, 'consideration');
    const evidence = listOpt(ctx, 'evidence');
    if (key === undefined) {
      if (evidence.length || opt(ctx, 'note') !== undefined)
        throw new ProbityError('usage', '--note and --evidence need --consideration KEY');
      return withCase(ctx, (store) => {
        const g = incidentGate(store);
        if (ctx.json) emit(ctx, g);
        else {
          ctx.stdout.write(
            table(
              g.items.map((i) => [
                i.satisfied ? 'ok' : 'MISSING',
                i.key,
                [i.note, ...i.evidence.map((e) => `evidence #${e.id} ${e.path}`)]
                  .filter(Boolean)
                  .join('; ') || i.action,
              ]),
              ['', 'CONSIDERATION', 'NOTE / EVIDENCE (or the action required)'],
            ),
          );
          ctx.stdout.write(
            g.open ? 'retraining gate: open\n' : `retraining gate: closed, missing ${g.missing.join(', ')}\n`,
          );
        }
        return 0;
      });
    }
    const ids = evidence.map((s) => {
      if (!/^\d+$/.test(s)) throw new ProbityError('usage', `--evidence ${s}: not an evidence id (a number)`);
      return Number(s);
    });
    return write(
      ctx,
      (store, who) =>
        recordConsideration(
          store,
          { consideration: key as ConsiderationKey, note: opt(ctx, 'note'), evidenceIds: ids },
          who,
        ),
      (e) => `retraining consideration ${String(e.details.consideration)} recorded`,
    );
  },
};

const replacement: Command = {
  summary:
    'Link the replacement model: another case on this workstation (--case) or an evidence set in this case (--evidence-label: an eval run label or an evidence folder). Its verification tables are read from recorded findings.',
  usage:
    '<case-id> (--case OTHER | --evidence-label LABEL) [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: CASE,
  options: { ...SIGN_AS, case: { type: 'string' }, 'evidence-label': { type: 'string' } },
  async run(ctx) {
    const other = opt(ctx, 'case');
    const label = opt(ctx, 'evidence-label');
    if ((other === undefined) === (label === undefined))
      throw new ProbityError('usage', 'give exactly one of --case OTHER-CASE-ID or --evidence-label LABEL');
    return write(
      ctx,
      (store, who) =>
        linkReplacement(store, other !== undefined ? { caseId: other } : { evidenceLabel: label! }, who),
      (e) => `replacement linked: ${e.details.kind === 'case' ? 'case' : 'evidence'} ${e.subject}`,
    );
  },
};

const checklist: Command = {
  summary: `Record the status (${MANUAL_CHECKLIST_STATUSES.join(', ')}) and a note for a checklist item 7–12 (items 1–6 are filled from findings).`,
  usage: '<case-id> <n> --status S --note TEXT [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>', '<n>'],
  options: { ...SIGN_AS, status: { type: 'string' }, note: { type: 'string' } },
  async run(ctx) {
    const n = ctx.args[1]!;
    if (!/^\d+$/.test(n)) throw new ProbityError('usage', `checklist item ${n}: not a number (7–12)`);
    return write(
      ctx,
      (store, who) =>
        recordChecklistNote(
          store,
          { n: Number(n), status: opt(ctx, 'status') as ManualChecklistStatus, note: opt(ctx, 'note')! },
          who,
        ),
      (e) => `checklist item ${String(e.details.n)}: ${String(e.details.status)}`,
    );
  },
};

export const INCIDENT_COMMANDS: Record<string, Command> = {
  'incident show': show,
  'incident set': set,
  'incident role': role,
  'incident trigger': trigger,
  'incident action': action,
  'incident timeline': timeline,
  'incident decide': decide,
  'incident factor': factor,
  'incident gate': gate,
  'incident replacement': replacement,
  'incident checklist': checklist,
};
