/**
 * The Post-mortem stage's half of the service: the incident record (one view, one update channel
 * whose change names what it records), the live report preview, and the signed export. Every
 * change is a custody event by the host's actor; the retraining gate and every refusal come from
 * src/core/incident unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ArgsOf, ResultOf } from '../../shared/contract';
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
  type DecisionOption,
  type FrameworkKey,
  type IsolationStrategy,
  type RoleKey,
  type TriggerKey,
} from '../../shared/incident';
import { REPORT_FORMATS } from '../../shared/report';
import {
  addTimelineEntry,
  assignRole,
  decideReplacement,
  incidentView,
  linkReplacement,
  recordChecklistNote,
  recordConsideration,
  recordFactor,
  recordImmediateAction,
  setIncidentHeader,
  setTrigger,
} from '../incident';
import { loadKeyring } from '../keys/custodians';
import { exportReport, previewReportHtml } from '../report/bundle';
import { verifyReportBundle } from '../report/verify-bundle';
import { OPENSSL_COMMAND, SHA256SUM_COMMAND } from '../report/verify-text';
import type { CaseStore, Workstation } from '../store/workstation';
import { withOpenCase } from './open-case';
import { unlockForApp } from './custodian-api';

const caseId = z.string().regex(/^AI-IR-\d{4}-\d{4}$/, 'a case id looks like AI-IR-YYYY-NNNN');
const note = z.string().max(10_000).optional();
const time = z.string().trim().max(100);

/** One change to the incident record; `kind` says which part. */
const change = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('header'),
      status: z.enum(INCIDENT_STATUSES).optional(),
      severity: z.enum(SEVERITIES).optional(),
      detected: time.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('role'),
      role: z.enum(ROLE_KEYS as [RoleKey, ...RoleKey[]]),
      name: z.string().max(200),
      custodian: z.string().max(64).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('trigger'),
      criterion: z.enum(TRIGGER_KEYS as [TriggerKey, ...TriggerKey[]]),
      applied: z.boolean(),
      note,
    })
    .strict(),
  z
    .object({
      kind: z.literal('action'),
      action: z.enum(ACTION_KEYS as [ActionKey, ...ActionKey[]]),
      at: time.optional(),
      note,
      strategy: z.enum(ISOLATION_STRATEGY_KEYS as [IsolationStrategy, ...IsolationStrategy[]]).optional(),
      framework: z.enum(FRAMEWORK_KEYS as [FrameworkKey, ...FrameworkKey[]]).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('timeline'), text: z.string().max(10_000), at: time }).strict(),
  z
    .object({
      kind: z.literal('factor'),
      factor: z.enum(FACTOR_KEYS),
      value: z.string().max(1000).optional(),
      note,
    })
    .strict(),
  z
    .object({
      kind: z.literal('decide'),
      option: z.enum(DECISION_OPTION_KEYS as [DecisionOption, ...DecisionOption[]]),
      reason: z.string().max(10_000),
    })
    .strict(),
  z
    .object({
      kind: z.literal('consideration'),
      consideration: z.enum(CONSIDERATION_KEYS),
      note,
      evidenceIds: z.array(z.number().int().positive()).max(1000).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('replacement'),
      caseId: caseId.optional(),
      evidenceLabel: z.string().trim().max(200).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('checklist'),
      n: z.number().int(),
      status: z.enum(MANUAL_CHECKLIST_STATUSES),
      note: z.string().max(10_000),
    })
    .strict(),
]);

export const INCIDENT_SCHEMAS = {
  'incident:view': z.object({ caseId }).strict(),
  'incident:update': z.object({ caseId, change }).strict(),
  'report:preview': z.object({ caseId, signer: z.string().trim().max(64).nullish() }).strict(),
  'report:export': z
    .object({
      caseId,
      formats: z.array(z.enum(REPORT_FORMATS)).min(1, 'choose at least one format'),
      custodian: z.string().trim().max(64).nullish(),
      passphrase: z.string().max(1024).nullish(),
    })
    .strict(),
};

type IncidentChannel = keyof typeof INCIDENT_SCHEMAS;
export type IncidentChange = z.infer<typeof change>;

/** Record one change through the incident mutations (they check every field again). */
export function applyIncidentChange(store: CaseStore, c: IncidentChange, actor: string): void {
  const who = { actor };
  switch (c.kind) {
    case 'header': {
      const { kind: _k, ...args } = c;
      setIncidentHeader(store, args, who);
      return;
    }
    case 'role':
      assignRole(store, { role: c.role, name: c.name, custodian: c.custodian || undefined }, who);
      return;
    case 'trigger':
      setTrigger(store, { criterion: c.criterion, applied: c.applied, note: c.note }, who);
      return;
    case 'action':
      recordImmediateAction(
        store,
        {
          action: c.action,
          at: c.at || undefined,
          note: c.note,
          strategy: c.strategy,
          framework: c.framework,
        },
        who,
      );
      return;
    case 'timeline':
      addTimelineEntry(store, { text: c.text, at: c.at }, who);
      return;
    case 'factor':
      recordFactor(store, { factor: c.factor, value: c.value, note: c.note }, who);
      return;
    case 'decide':
      decideReplacement(store, { option: c.option, reason: c.reason }, who);
      return;
    case 'consideration':
      recordConsideration(
        store,
        { consideration: c.consideration, note: c.note, evidenceIds: c.evidenceIds },
        who,
      );
      return;
    case 'replacement':
      linkReplacement(store, c.caseId ? { caseId: c.caseId } : { evidenceLabel: c.evidenceLabel ?? '' }, who);
      return;
    case 'checklist':
      recordChecklistNote(store, { n: c.n, status: c.status, note: c.note }, who);
      return;
  }
}

function reportDir(home: string, id: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(home, 'reports', `${id}-${stamp}`);
}

export function incidentHandlers(opts: {
  workstation: Workstation;
  actor: string;
  version: string;
  printPdf?: ((htmlFile: string, pdfFile: string) => Promise<void>) | null;
}): { [C in IncidentChannel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> } {
  const ws = opts.workstation;
  const generator = `probity ${opts.version}`;
  const withCase = <T>(id: string, fn: (s: CaseStore) => T | Promise<T>) => withOpenCase(ws, id, fn);
  return {
    'incident:view': (a) => withCase(a.caseId, incidentView),
    'incident:update': (a) =>
      withCase(a.caseId, (store) => {
        applyIncidentChange(store, a.change, opts.actor);
        return incidentView(store);
      }),
    'report:preview': (a) =>
      withCase(a.caseId, (store) => {
        const { keyring } = loadKeyring(ws.home);
        const known = a.signer
          ? keyring.all().find((k) => k.name === a.signer && k.status === 'active')
          : undefined;
        const html = previewReportHtml(store, {
          generator,
          keyring,
          signer: known ? { name: known.name, role: known.role, fingerprint: known.fingerprint } : null,
        });
        return { html };
      }),
    'report:export': (a) =>
      withCase(a.caseId, async (store) => {
        const custodian = a.custodian ? unlockForApp(ws.home, a.custodian, a.passphrase ?? '') : null;
        const out = reportDir(ws.home, store.id);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        const r = await exportReport({
          store,
          home: ws.home,
          out,
          formats: a.formats,
          actor: custodian?.name ?? opts.actor,
          generator,
          custodian,
          keyring: loadKeyring(ws.home).keyring,
          printPdf: opts.printPdf ?? null,
        });
        const check = await verifyReportBundle(r.out, {});
        return {
          out: r.out,
          files: r.files,
          manifestSha256: r.manifestSha256,
          signer: r.signer,
          chainHead: r.chainHead,
          verification: { ok: check.ok, problems: check.problems, filesChecked: check.filesChecked },
          commands: r.signer ? [SHA256SUM_COMMAND, OPENSSL_COMMAND] : [SHA256SUM_COMMAND],
        };
      }),
  };
}
