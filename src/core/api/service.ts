import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import {
  isChannel,
  type ApiError,
  type AppInfo,
  type ArgsOf,
  type Channel,
  type DemoCases,
  type Envelope,
  type JobEvent,
  type JobKind,
  type ResultOf,
} from '../../shared/contract';
import { EVIDENCE_KINDS, type EvidenceKind } from '../../shared/domain';
import { AUDIT_SCHEMAS, auditHandlers } from './audit-api';
import { CUSTODIAN_SCHEMAS, custodianHandlers } from './custodian-api';
import { INCIDENT_SCHEMAS, incidentHandlers } from './incident-api';
import { withOpenCase } from './open-case';
import { importEvalRun } from '../behavior/import';
import { defaultRefusalRule, parsePhraseList, refusalRule } from '../behavior/refusal';
import { pairedItems, MAX_PAGE } from '../behavior/items-view';
import { compareRuns, latestComparison } from '../behavior/run-compare';
import { listRuns } from '../behavior/store';
import { EVAL_FORMATS, RUN_ROLES } from '../behavior/types';
import { diffCaseWeights } from '../integrity/diff-weights';
import { inspectCaseEvidence } from '../integrity/inspect-view';
import { loadCaseFiles } from '../integrity/case-files';
import {
  authorizedAdaptersFromText,
  integrityRunOptions,
  loadApprovedConfig,
  loadTrustRoot,
  trustRootCandidates,
  trustRootFromEvidence,
} from '../integrity/integrity';
import { latestIntegrityRun } from '../integrity/latest-run';
import { checkIntegrity, checkProvenance } from '../integrity/run';
import { caseScanState, changeLine, scanCase } from '../scan/case-scan';
import { ingestBundle } from '../ingest/ingest';
import { listEvents } from '../store/custody';
import { caseOverview, listEvidence } from '../store/queries';
import { verifyCase } from '../verify/verify';
import { caseSummary, type CaseStore, type Workstation } from '../store/workstation';
import { listCaseEntries } from '../incident/listing';
import { ProbityError } from '../util/errors';

/**
 * The core behind the contract, shared by both hosts (Electron IPC and `probity serve`): every
 * argument is parsed from `unknown` with zod, every result and error travels as an Envelope, and
 * long jobs (ingest, verify) run in the background and report through JobEvents.
 */
const caseId = z.string().regex(/^AI-IR-\d{4}-\d{4}$/, 'a case id looks like AI-IR-YYYY-NNNN');
const none = z.object({}).strict();
/** An eval run named by its label or its id (`#7`). */
const runRef = z.string().trim().min(1, 'name a run by its label or #id').max(200);

/** One argument schema per row of the contract's METHODS table (a test checks the keys match). */
export const ARG_SCHEMAS = {
  'app:info': none,
  'cases:list': none,
  'cases:create': z
    .object({
      title: z.string().trim().min(1, 'a case needs a title').max(500),
      examiner: z.string().max(200).nullish(),
    })
    .strict(),
  'cases:overview': z.object({ caseId }).strict(),
  'evidence:list': z
    .object({ caseId, kind: z.enum(EVIDENCE_KINDS as [EvidenceKind, ...EvidenceKind[]]).optional() })
    .strict(),
  'ingest:start': z
    .object({ caseId, bundle: z.string().min(1, 'give the path of a bundle').max(4096) })
    .strict(),
  'verify:start': z.object({ caseId }).strict(),
  'jobs:cancel': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'custody:log': z.object({ caseId }).strict(),
  'demo:open': none,
  'dialog:pickBundle': z.object({ kind: z.enum(['folder', 'file']) }).strict(),
  'integrity:run': z
    .object({
      caseId,
      baselineCaseId: caseId.nullish(),
      authorizedAdapters: z.string().max(65_536, 'the authorized list is too long').nullish(),
      approvedConfig: z.string().max(4096).nullish(),
      trustRoot: z
        .union([
          z.object({ evidenceId: z.number().int('an evidence id is a whole number').positive() }).strict(),
          z.object({ path: z.string().trim().min(1, 'give the path of a PEM file').max(4096) }).strict(),
        ])
        .nullish(),
    })
    .strict(),
  'integrity:trustRoots': z.object({ caseId }).strict(),
  'integrity:latest': z.object({ caseId }).strict(),
  'scan:state': z.object({ caseId }).strict(),
  'scan:rescan': z.object({ caseId }).strict(),
  'integrity:diffWeights': z.object({ caseId, baselineCaseId: caseId }).strict(),
  'integrity:provenance': z.object({ caseId, baselineCaseId: caseId.nullish() }).strict(),
  'artifact:inspect': z
    .object({ caseId, evidenceId: z.number().int('an evidence id is a whole number').positive() })
    .strict(),
  'behavior:runs': z.object({ caseId }).strict(),
  'behavior:import': z
    .object({
      caseId,
      path: z.string().trim().min(1, 'give the path of an eval run file').max(4096),
      fromEvidence: z.boolean().nullish(),
      role: z.enum(RUN_ROLES),
      label: z.string().trim().max(200).nullish(),
      format: z.enum([...EVAL_FORMATS, 'auto']).nullish(),
    })
    .strict(),
  'behavior:compare': z
    .object({
      caseId,
      baseline: runRef,
      suspect: runRef,
      margin: z.number().gt(0, 'the margin must be above 0').lt(1, 'the margin must be below 1'),
      marginKind: z.enum(['points', 'relative']),
      confidence: z
        .number()
        .gt(0.5, 'the confidence must be above 0.5')
        .lt(1, 'the confidence must be below 1'),
      refusalPhrases: z.string().max(1_048_576, 'a phrase list larger than 1 MiB').nullish(),
    })
    .strict(),
  'behavior:latest': z.object({ caseId }).strict(),
  'behavior:refusalPhrases': none,
  'behavior:items': z
    .object({
      caseId,
      baseline: runRef,
      suspect: runRef,
      filter: z
        .object({
          suite: z.string().max(500).nullish(),
          category: z.string().max(500).nullish(),
          transition: z
            .enum(['refused→complied', 'complied→refused', 'both-refused', 'both-complied'])
            .nullish(),
        })
        .strict(),
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(MAX_PAGE),
    })
    .strict(),
  ...AUDIT_SCHEMAS,
  ...CUSTODIAN_SCHEMAS,
  ...INCIDENT_SCHEMAS,
} satisfies Record<Channel, z.ZodType>;

/** The channels come from the contract's METHODS table; re-exported for the hosts. */
export { CHANNELS, isChannel } from '../../shared/contract';

export interface ServiceOptions {
  workstation: Workstation;
  actor: string;
  host: string;
  mode: AppInfo['mode'];
  version: string;
  /** Desktop hosts pass the native picker; browser mode has none. */
  pickBundle?: (kind: 'folder' | 'file') => Promise<string | null>;
  /** Desktop hosts print report.pdf with Electron's printToPDF; browser mode uses the system Chromium. */
  printPdf?: (htmlFile: string, pdfFile: string) => Promise<void>;
  /**
   * The demo incident (generate both bundles, preserve each into a case). The generator lives in
   * src/demo, outside the domain: the hosts hand it in; a service without it refuses demo:open.
   */
  openDemo?: (ws: Workstation, opts: { actor: string; host: string }) => Promise<DemoCases>;
}

type Handlers = { [C in Channel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

export function toApiError(err: unknown): ApiError {
  if (err instanceof ProbityError) return { code: err.code, message: err.message, file: err.file ?? null };
  if (err instanceof z.ZodError) {
    const msg = err.issues
      .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
      .join('; ');
    return { code: 'usage', message: `invalid arguments: ${msg}`, file: null };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err), file: null };
}

/**
 * The file an eval import in the app reads: evidence of the case by its recorded path (its stored
 * object, which the import finds already held, so no copy is made), or a full path on the host. A
 * relative path is refused: it would be read from whatever folder the host was started in.
 */
function evalRunFile(store: CaseStore, ref: string, fromEvidence: boolean): string {
  if (fromEvidence) {
    const row = store.db
      .prepare('SELECT sha256 FROM evidence WHERE path = ? AND sha256 IS NOT NULL ORDER BY id LIMIT 1')
      .get(ref) as { sha256: string } | undefined;
    if (!row)
      throw new ProbityError('not-found', `${ref}: no evidence at that path in ${store.id}`, { file: ref });
    return store.objectPath(row.sha256);
  }
  if (!path.isAbsolute(ref))
    throw new ProbityError(
      'usage',
      `${ref}: give the full path of the file on the workstation, or pick the file from the case's evidence (a relative path would be read from the folder the workstation was started in)`,
      { file: ref },
    );
  return ref;
}

/** A phrase list typed in the app (one per line, `#` comments), named as such in the findings. */
function phraseRuleFromText(text: string) {
  const phrases = parsePhraseList(text);
  if (phrases.length === 0) throw new ProbityError('usage', 'the refusal phrase list holds no phrase');
  return refusalRule(phrases, 'phrase list edited in the app');
}

export class ProbityService {
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly jobs = new Map<string, { controller: AbortController; caseId: string; kind: JobKind }>();
  private readonly handlers: Handlers;

  constructor(private readonly opts: ServiceOptions) {
    const ws = opts.workstation;
    const withCase = <T>(id: string, fn: (s: CaseStore) => T | Promise<T>) => withOpenCase(ws, id, fn);
    /** Open a case and, when given, a second one (a baseline); close both whatever happens. */
    const withCases = async <T>(
      id: string,
      otherId: string | null,
      fn: (s: CaseStore, other: CaseStore | null) => Promise<T>,
    ): Promise<T> => {
      if (otherId === id)
        throw new ProbityError('usage', `${id}: the baseline must be another case than the one examined`);
      const store = ws.openCase(id);
      let other: CaseStore | null = null;
      try {
        other = otherId === null ? null : ws.openCase(otherId);
        return await fn(store, other);
      } finally {
        other?.close();
        store.close();
      }
    };
    this.handlers = {
      'app:info': async () => ({
        version: opts.version,
        mode: opts.mode,
        home: ws.home,
        host: opts.host,
        actor: opts.actor,
        pathInput: opts.pickBundle ? 'dialog' : 'text',
      }),
      'cases:list': async () => listCaseEntries(ws),
      'cases:create': async (a) => {
        const store = ws.createCase({ title: a.title, examiner: a.examiner ?? null, actor: opts.actor });
        try {
          return caseSummary(store);
        } finally {
          store.close();
        }
      },
      'cases:overview': async (a) => withCase(a.caseId, caseOverview),
      'evidence:list': async (a) =>
        withCase(a.caseId, (s) => listEvidence(s, a.kind ? { kind: a.kind } : {})),
      'custody:log': async (a) => withCase(a.caseId, (s) => listEvents(s.db)),
      'ingest:start': async (a) => this.startJob(a.caseId, 'ingest', a.bundle),
      'verify:start': async (a) => this.startJob(a.caseId, 'verify', null),
      'jobs:cancel': async (a) => {
        const job = this.jobs.get(a.jobId);
        if (!job) return { cancelled: false };
        job.controller.abort();
        return { cancelled: true };
      },
      'demo:open': async () => {
        if (!opts.openDemo)
          throw new ProbityError('usage', 'this host was started without the demo generator');
        return opts.openDemo(ws, { actor: opts.actor, host: opts.host });
      },
      'dialog:pickBundle': async (a) => (opts.pickBundle ? opts.pickBundle(a.kind) : null),
      'integrity:run': async (a) =>
        withCases(a.caseId, a.baselineCaseId ?? null, async (store, baseline) => {
          const approved = a.approvedConfig?.trim() ?? '';
          const root = a.trustRoot ?? null;
          const options = {
            baseline,
            authorized: authorizedAdaptersFromText(a.authorizedAdapters ?? ''),
            approvedConfig: approved === '' ? null : await loadApprovedConfig(approved),
            trustRoot:
              root === null
                ? null
                : 'evidenceId' in root
                  ? await trustRootFromEvidence(loadCaseFiles(store), root.evidenceId)
                  : await loadTrustRoot(root.path),
          };
          const { report, run } = await checkIntegrity(store, options, opts.actor);
          return {
            ...report,
            runId: run.runId,
            custodySeq: run.event.seq,
            recordedAt: run.event.at,
            source: 'run' as const,
            options: integrityRunOptions(options),
          };
        }),
      'integrity:trustRoots': async (a) => withCase(a.caseId, (s) => trustRootCandidates(loadCaseFiles(s))),
      'integrity:latest': async (a) => withCase(a.caseId, latestIntegrityRun),
      'scan:state': async (a) => withCase(a.caseId, caseScanState),
      'scan:rescan': async (a) =>
        withCase(a.caseId, async (store) => {
          const r = await scanCase(store, opts.actor, caseScanState(store).lastRun ? 'rescan' : 'scan');
          return {
            runId: r.runId,
            custodySeq: r.custodySeq,
            rules: { ...r.rules },
            objects: r.objects.length,
            changed: r.changed.map(changeLine),
            reconfirmed: r.reconfirmed.length,
            added: r.added.length,
          };
        }),
      'integrity:diffWeights': async (a) =>
        withCases(a.baselineCaseId, a.caseId, async (baseline, store) => {
          const report = await diffCaseWeights(baseline, store as CaseStore);
          // The tensor references stay on the host: the wire carries the model units' files only.
          return {
            ...report,
            pairs: report.pairs.map((p) => ({
              ...p,
              a: { key: p.a.key, files: p.a.files },
              b: { key: p.b.key, files: p.b.files },
            })),
          };
        }),
      'integrity:provenance': async (a) =>
        withCases(a.caseId, a.baselineCaseId ?? null, async (store, baseline) => {
          const { report, run } = await checkProvenance(store, baseline, opts.actor);
          return { ...report, runId: run.runId, custodySeq: run.event.seq };
        }),
      'behavior:runs': async (a) =>
        withCase(a.caseId, (s) =>
          listRuns(s).map((r) => ({
            id: r.id,
            label: r.label,
            role: r.role,
            format: r.format,
            items: r.itemCount,
            sha256: r.sha256,
            sourceName: r.sourceName,
            model: r.header.model,
            importedAt: r.importedAt,
          })),
        ),
      'behavior:import': async (a) =>
        withCases(a.caseId, null, (store) =>
          importEvalRun({
            store,
            file: evalRunFile(store, a.path, a.fromEvidence === true),
            role: a.role,
            label: a.label?.trim() ? a.label.trim() : null,
            format: a.format ?? 'auto',
            actor: opts.actor,
            host: opts.host,
          }),
        ),
      'behavior:compare': async (a) =>
        withCase(a.caseId, (store) =>
          compareRuns({
            store,
            baseline: a.baseline,
            suspect: a.suspect,
            margin: a.margin,
            marginKind: a.marginKind,
            confidence: a.confidence,
            refusalRule: a.refusalPhrases?.trim() ? phraseRuleFromText(a.refusalPhrases) : null,
            actor: opts.actor,
          }),
        ),
      'behavior:latest': async (a) => withCase(a.caseId, latestComparison),
      'behavior:refusalPhrases': async () => {
        const rule = defaultRefusalRule();
        return { phrases: [...rule.phrases], sha256: rule.sha256 };
      },
      'behavior:items': async (a) =>
        withCase(a.caseId, (store) =>
          pairedItems(store, {
            baseline: a.baseline,
            suspect: a.suspect,
            filter: a.filter,
            offset: a.offset,
            limit: a.limit,
          }),
        ),
      'artifact:inspect': (a) => withCase(a.caseId, (store) => inspectCaseEvidence(store, a.evidenceId)),
      ...auditHandlers({ workstation: ws, actor: opts.actor, host: opts.host }),
      ...custodianHandlers({ workstation: ws, actor: opts.actor }),
      ...incidentHandlers({
        workstation: ws,
        actor: opts.actor,
        version: opts.version,
        printPdf: opts.printPdf,
      }),
    };
  }

  /** Parse, run, and wrap: never throws, whatever the caller sent. */
  async handle(channel: string, rawArgs: unknown): Promise<Envelope<unknown>> {
    try {
      if (!isChannel(channel)) throw new ProbityError('usage', `unknown method ${JSON.stringify(channel)}`);
      const args = ARG_SCHEMAS[channel].parse(rawArgs ?? {}) as never;
      const result = await (this.handlers[channel] as (a: never) => Promise<unknown>)(args);
      return { ok: true, result };
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  }

  onJobEvent(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Abort every running job (host shutdown) and wait for none: each records its own cancellation. */
  cancelAll(): void {
    for (const job of this.jobs.values()) job.controller.abort();
  }

  get runningJobs(): number {
    return this.jobs.size;
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* one broken listener must not stop the others */
      }
    }
  }

  private startJob(caseIdArg: string, kind: JobKind, bundle: string | null): { jobId: string } {
    const store = this.opts.workstation.openCase(caseIdArg); // fails fast on an unknown case
    const jobId = `${kind}-${randomUUID()}`;
    const controller = new AbortController();
    this.jobs.set(jobId, { controller, caseId: caseIdArg, kind });
    const onProgress = (
      progress: Parameters<NonNullable<Parameters<typeof ingestBundle>[0]['onProgress']>>[0],
    ) => this.emit({ type: 'progress', jobId, caseId: caseIdArg, kind, progress: { ...progress, jobId } });
    const common = { store, actor: this.opts.actor, signal: controller.signal, jobId, onProgress };
    void (async () => {
      try {
        if (kind === 'ingest') {
          const summary = await ingestBundle({ ...common, bundle: bundle!, host: this.opts.host });
          this.emit({ type: 'finished', jobId, caseId: caseIdArg, kind: 'ingest', summary });
        } else {
          const report = await verifyCase(common);
          this.emit({ type: 'finished', jobId, caseId: caseIdArg, kind: 'verify', report });
        }
      } catch (err) {
        this.emit({ type: 'failed', jobId, caseId: caseIdArg, kind, error: toApiError(err) });
      } finally {
        this.jobs.delete(jobId);
        store.close();
      }
    })();
    return { jobId };
  }
}
