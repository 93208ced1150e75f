/**
 * The Audit stage's half of the service: argument schemas and handlers for the `audit:*` channels,
 * thin calls into src/core/audit. The reviewer is the host's actor: a label is given by whoever runs
 * the workstation session, as with the CLI's --reviewer default.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import {
  AUDIT_ALLOCATIONS,
  AUDIT_LABELS,
  AUDIT_LOG_FORMATS,
  AUDIT_STRATA,
  type AuditImportView,
  type AuditLogCandidate,
  type AuditState,
  type ReviewItemView,
} from '../../shared/audit';
import type { ArgsOf, ResultOf } from '../../shared/contract';
import {
  blastRadius,
  currentSample,
  currentWindow,
  deploymentWindow,
  drawSample,
  estimate,
  exportSample,
  importLog,
  loadedPolicy,
  manualWindow,
  nextUnreviewed,
  reviewedItems,
  reviewItemAt,
  planReview,
  recordEstimate,
  recordLabel,
  reviewProgress,
  setWindow,
  toolCallViolations,
  type AuditWindow,
  type LoadedPolicy,
  type ReviewItem,
} from '../audit';
import { findEvidence } from '../audit/evidence';
import { describeYamlError, policyFrom } from '../audit/policy';
import { usersPerDay } from '../audit/users-per-day';
import { findDeploymentEvidence, windowPolicy } from '../audit/window';
import type { CaseStore, Workstation } from '../store/workstation';
import { withOpenCase } from './open-case';
import { ProbityError } from '../util/errors';

const caseId = z.string().regex(/^AI-IR-\d{4}-\d{4}$/, 'a case id looks like AI-IR-YYYY-NNNN');
const proportion = (what: string) =>
  z.number().gt(0, `the ${what} must be above 0`).lt(1, `the ${what} must be below 1`);

export const AUDIT_SCHEMAS = {
  'audit:state': z.object({ caseId }).strict(),
  'audit:import': z
    .object({
      caseId,
      path: z.string().trim().min(1, 'give the path of a log (a file, or evidence in the case)').max(4096),
      format: z.enum([...AUDIT_LOG_FORMATS, 'auto']).nullish(),
    })
    .strict(),
  'audit:window': z
    .object({
      caseId,
      from: z.enum(['deployments', 'manual']),
      start: z.string().trim().max(100).nullish(),
      end: z.string().trim().max(100).nullish(),
      deployments: z.string().trim().max(4096).nullish(),
      version: z.string().trim().max(200).nullish(),
      /** The authorized-tools policy as YAML or JSON text; empty for none. */
      policy: z.string().max(262_144, 'the policy is too long').nullish(),
    })
    .strict(),
  'audit:plan': z
    .object({
      prevalence: proportion('prevalence'),
      confidence: proportion('confidence'),
      population: z.number().int('a population is a whole number').positive().nullish(),
    })
    .strict(),
  'audit:sample': z
    .object({
      caseId,
      size: z.number().int('a sample size is a whole number').positive('a sample needs at least one record'),
      strata: z.enum(AUDIT_STRATA),
      allocation: z.enum(AUDIT_ALLOCATIONS),
      seed: z.string().trim().min(1, 'a draw needs a seed (any text)').max(200),
    })
    .strict(),
  'audit:next': z.object({ caseId, secondReview: z.boolean().nullish() }).strict(),
  'audit:reviewed': z.object({ caseId }).strict(),
  'audit:item': z.object({ caseId, position: z.number().int().min(0) }).strict(),
  'audit:label': z
    .object({
      caseId,
      requestId: z.string().min(1).max(1000),
      label: z.enum(AUDIT_LABELS),
      note: z.string().max(10_000).nullish(),
      secondReview: z.boolean().nullish(),
    })
    .strict(),
  'audit:estimate': z
    .object({ caseId, confidence: proportion('confidence').nullish(), record: z.boolean().nullish() })
    .strict(),
  'audit:export': z.object({ caseId, format: z.enum(['csv', 'json']) }).strict(),
};

export type AuditChannel = keyof typeof AUDIT_SCHEMAS;

interface AuditHostOptions {
  workstation: Workstation;
  actor: string;
  host: string;
}

function logCandidates(store: CaseStore): AuditLogCandidate[] {
  return store.db
    .prepare(
      `SELECT e.id AS evidenceId, e.path, e.size, e.sha256,
         (SELECT max(i.id) FROM audit_imports i WHERE i.sha256 = e.sha256 AND i.status = 'finished') AS importId
       FROM evidence e WHERE e.kind = 'output-log' AND e.sha256 IS NOT NULL ORDER BY e.path`,
    )
    .all() as AuditLogCandidate[];
}

function imports(store: CaseStore): AuditImportView[] {
  const rows = store.db
    .prepare(
      'SELECT id, evidence_path, sha256, format, status, started_at, finished_at, stats FROM audit_imports ORDER BY id',
    )
    .all() as {
    id: number;
    evidence_path: string;
    sha256: string;
    format: AuditImportView['format'];
    status: string;
    started_at: string;
    finished_at: string | null;
    stats: string;
  }[];
  return rows.map((r) => {
    const stats = JSON.parse(r.stats) as { records?: number; malformed?: number };
    return {
      id: r.id,
      file: r.evidence_path,
      sha256: r.sha256,
      format: r.format,
      status: r.status,
      records: stats.records ?? 0,
      malformed: stats.malformed ?? 0,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    };
  });
}

function stateOf(store: CaseStore, reviewer: string): AuditState {
  const window = currentWindow(store);
  const importList = imports(store);
  let radius: AuditState['blastRadius'] = null;
  let waitingFor: string | null = null;
  if (importList.length === 0)
    waitingFor = 'No output log is imported yet: import the logs of the window first.';
  else if (!window)
    waitingFor = 'No compromise window is set: derive it from the deployment records or set it by hand.';
  else {
    try {
      radius = blastRadius(store, window);
    } catch (err) {
      if (!(err instanceof ProbityError)) throw err;
      waitingFor = err.message;
    }
  }
  const sample = window ? currentSample(store) : null;
  return {
    caseId: store.id,
    reviewer,
    logs: logCandidates(store),
    imports: importList,
    deployments: findDeploymentEvidence(store).map((f) => ({
      evidencePath: f.log.path,
      sha256: f.log.sha256,
      events: f.events,
    })),
    window,
    blastRadius: radius,
    usersPerDay: radius && window ? usersPerDay(store, window) : [],
    sample,
    progress: sample ? reviewProgress(store, sample.id) : null,
    waitingFor,
  };
}

/** The policy typed into the app (YAML or JSON), or null when the text is blank. */
function policyFromText(text: string | null | undefined): LoadedPolicy | null {
  if (!text || text.trim() === '') return null;
  const label = 'authorized tools (entered in the app)';
  let value: unknown;
  try {
    value = YAML.parse(text, { maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw new ProbityError('malformed', `${label}: not YAML or JSON: ${describeYamlError(err)}`);
  }
  return loadedPolicy(policyFrom(value, label), null);
}

function withViolations(item: ReviewItem | null, window: AuditWindow | null): ReviewItemView | null {
  if (!item) return null;
  const policy = window ? windowPolicy(window) : null;
  const violations: ReviewItemView['violations'] = [];
  if (policy) {
    item.record.toolCalls.forEach((call, index) => {
      for (const v of toolCallViolations(policy.policy, call))
        violations.push({ index, tool: call.name, reason: v.detail });
    });
  }
  return { ...item, violations };
}

function exportName(store: CaseStore, sampleId: number, format: 'csv' | 'json'): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `${store.id}-sample-${sampleId}-${stamp}.${format}`;
}

type AuditHandlers = { [C in AuditChannel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

export function auditHandlers(opts: AuditHostOptions): AuditHandlers {
  const ws = opts.workstation;
  const withCase = <T>(id: string, fn: (s: CaseStore) => T | Promise<T>) => withOpenCase(ws, id, fn);
  const next = (store: CaseStore, secondReview: boolean) =>
    withViolations(nextUnreviewed(store, opts.actor, { secondReview }), currentWindow(store));
  return {
    'audit:state': (a) => withCase(a.caseId, (s) => stateOf(s, opts.actor)),
    'audit:import': (a) =>
      withCase(a.caseId, async (store) => {
        // In the app a path is the case's evidence or a full path on the workstation: a relative
        // one would be read from whatever folder the workstation was started in.
        if (!path.isAbsolute(a.path) && !findEvidence(store, a.path))
          throw new ProbityError(
            'usage',
            `${a.path}: no evidence at that path in ${store.id}; give the full path of a file on the workstation`,
            { file: a.path },
          );
        const r = await importLog({
          store,
          file: a.path,
          format: a.format ?? 'auto',
          actor: opts.actor,
          host: opts.host,
        });
        if (r.records === 0 && r.malformed > 0 && !r.alreadyImported) {
          const first = r.problems[0];
          throw new ProbityError(
            'malformed',
            `${r.file}: no record could be read (${r.malformed} malformed, first: line ${first?.line}: ${first?.reason})`,
            { file: r.file },
          );
        }
        return r;
      }),
    'audit:window': (a) =>
      withCase(a.caseId, async (store) => {
        const policy = policyFromText(a.policy);
        let spec;
        if (a.from === 'deployments') {
          spec = await deploymentWindow(store, {
            ref: a.deployments?.trim() ? a.deployments.trim() : undefined,
            version: a.version?.trim() ? a.version.trim() : undefined,
            actor: opts.actor,
            host: opts.host,
          });
        } else {
          if (!a.start || !a.end)
            throw new ProbityError('usage', 'a window set by hand needs both its start and its end');
          spec = manualWindow(a.start, a.end);
        }
        return setWindow(store, { actor: opts.actor, spec, policy });
      }),
    'audit:plan': async (a) => planReview(a.prevalence, a.confidence, a.population ?? undefined),
    'audit:sample': (a) =>
      withCase(a.caseId, (store) => {
        const { notes: _notes, ...sample } = drawSample(store, {
          size: a.size,
          seed: a.seed,
          strata: a.strata,
          allocation: a.allocation,
          actor: opts.actor,
        });
        return sample;
      }),
    'audit:next': (a) => withCase(a.caseId, (store) => next(store, a.secondReview === true)),
    'audit:reviewed': (a) => withCase(a.caseId, (store) => reviewedItems(store, opts.actor)),
    'audit:item': (a) =>
      withCase(a.caseId, (store) =>
        withViolations(reviewItemAt(store, opts.actor, a.position), currentWindow(store))!,
      ),
    'audit:label': (a) =>
      withCase(a.caseId, (store) => {
        recordLabel(store, {
          requestId: a.requestId,
          label: a.label,
          note: a.note ?? null,
          reviewer: opts.actor,
          actor: opts.actor,
        });
        return { progress: reviewProgress(store), next: next(store, a.secondReview === true) };
      }),
    'audit:estimate': (a) =>
      withCase(a.caseId, (store) => {
        const e = estimate(store, { confidence: a.confidence ?? 0.95 });
        const recorded = a.record === true ? recordEstimate(store, e, opts.actor) : null;
        return { ...e, recordedRunId: recorded?.runId ?? null };
      }),
    'audit:export': (a) =>
      withCase(a.caseId, (store) => {
        const sample = currentSample(store);
        if (!sample) throw new ProbityError('usage', `${store.id}: draw a sample before exporting it`);
        const dir = path.join(ws.home, 'exports');
        fs.mkdirSync(dir, { recursive: true });
        const r = exportSample(store, {
          out: path.join(dir, exportName(store, sample.id, a.format)),
          sampleId: sample.id,
          actor: opts.actor,
        });
        return { ...r, format: a.format, content: fs.readFileSync(r.out, 'utf8') };
      }),
  };
}
