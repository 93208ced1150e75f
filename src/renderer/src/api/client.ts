/**
 * The one way the UI reaches the core. Two transports carry the same contract (src/shared/contract):
 *  - desktop: Electron's preload exposes `window.probity: ProbityApi` (IPC);
 *  - browser mode: `probity serve` answers `POST /api/<channel>` with a JSON Envelope and pushes
 *    JobEvents over `GET /api/events` (server-sent events).
 * Either way the client unwraps the Envelope: a result is returned, an error is rebuilt into an
 * `ApiCallError` carrying the host's code and the file it names.
 */
import type {
  ApiError,
  ArgsOf,
  Channel,
  Envelope,
  JobEvent,
  ProbityApi,
  ResultOf,
} from '../../../shared/contract';

declare global {
  interface Window {
    probity?: ProbityApi;
  }
}

export class ApiCallError extends Error {
  readonly code: string;
  readonly file: string | null;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.file = error.file;
  }
}

type Unwrapped<T> = T extends Promise<Envelope<infer R>> ? Promise<R> : never;

/** ProbityApi with every envelope unwrapped: methods resolve to results and reject with ApiCallError. */
export type ProbityClient = {
  [K in Exclude<keyof ProbityApi, 'onJobEvent'>]: (
    ...args: Parameters<ProbityApi[K]>
  ) => Unwrapped<ReturnType<ProbityApi[K]>>;
} & {
  onJobEvent: ProbityApi['onJobEvent'];
  transport: 'ipc' | 'http';
};

async function unwrap<T>(pending: Promise<Envelope<T>>): Promise<T> {
  let envelope: Envelope<T>;
  try {
    envelope = await pending;
  } catch (err) {
    // A transport failure (IPC torn down, host gone) rather than an answer from the core.
    throw new ApiCallError({
      code: 'transport',
      message: err instanceof Error ? err.message : String(err),
      file: null,
    });
  }
  if (envelope.ok) return envelope.result;
  throw new ApiCallError(envelope.error);
}

// ---------------------------------------------------------------------------------------------
// Browser-mode transport

const TOKEN_KEY = 'probity.token';
const TOKEN_HEADER = 'x-probity-token';

/**
 * The per-run token arrives once in the address (`?token=`). Keep it for this tab only
 * (sessionStorage) and take it out of the address bar so it is not left in history or screenshots.
 */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage disabled: the token still works for this page's lifetime.
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function httpError(status: number, statusText: string): ApiError {
  const message =
    status === 401 || status === 403
      ? 'The workstation host refused this page: the session token is missing or no longer valid. Open the address printed by `probity serve` again.'
      : `The workstation host answered HTTP ${status}${statusText ? ` ${statusText}` : ''}.`;
  return { code: `http-${status}`, message, file: null };
}

export function createHttpApi(token: string | null): ProbityApi {
  async function call<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<Envelope<ResultOf<C>>> {
    let response: Response;
    try {
      response = await fetch(`/api/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { [TOKEN_HEADER]: token } : {}) },
        body: JSON.stringify(args),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (err) {
      return {
        ok: false,
        error: {
          code: 'host-unreachable',
          message: `Cannot reach the workstation host (is \`probity serve\` still running?): ${err instanceof Error ? err.message : String(err)}`,
          file: null,
        },
      };
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('application/json'))
      return { ok: false, error: httpError(response.status, response.statusText) };
    try {
      return (await response.json()) as Envelope<ResultOf<C>>;
    } catch {
      return { ok: false, error: httpError(response.status, response.statusText) };
    }
  }

  // One EventSource shared by every listener; EventSource reconnects by itself after a drop.
  const listeners = new Set<(e: JobEvent) => void>();
  let source: EventSource | null = null;
  function ensureSource(): void {
    if (source) return;
    source = new EventSource('/api/events', { withCredentials: true });
    source.onmessage = (message: MessageEvent<string>) => {
      let event: JobEvent;
      try {
        event = JSON.parse(message.data) as JobEvent;
      } catch {
        return; // a keep-alive or a line this client does not understand
      }
      for (const listener of listeners) listener(event);
    };
  }

  return {
    appInfo: () => call('app:info', {}),
    listCases: () => call('cases:list', {}),
    createCase: (args) => call('cases:create', args),
    caseOverview: (args) => call('cases:overview', args),
    listEvidence: (args) => call('evidence:list', args),
    startIngest: (args) => call('ingest:start', args),
    startVerify: (args) => call('verify:start', args),
    cancelJob: (args) => call('jobs:cancel', args),
    custodyLog: (args) => call('custody:log', args),
    openDemo: () => call('demo:open', {}),
    pickBundle: (args) => call('dialog:pickBundle', args),
    runIntegrity: (args) => call('integrity:run', args),
    latestIntegrity: (args) => call('integrity:latest', args),
    diffWeights: (args) => call('integrity:diffWeights', args),
    provenance: (args) => call('integrity:provenance', args),
    inspectArtifact: (args) => call('artifact:inspect', args),
    behaviorRuns: (args) => call('behavior:runs', args),
    importBehaviorRun: (args) => call('behavior:import', args),
    compareBehavior: (args) => call('behavior:compare', args),
    refusalPhrases: () => call('behavior:refusalPhrases', {}),
    behaviorItems: (args) => call('behavior:items', args),
    auditState: (args) => call('audit:state', args),
    importAuditLog: (args) => call('audit:import', args),
    setAuditWindow: (args) => call('audit:window', args),
    planAuditReview: (args) => call('audit:plan', args),
    drawAuditSample: (args) => call('audit:sample', args),
    nextAuditItem: (args) => call('audit:next', args),
    labelAuditItem: (args) => call('audit:label', args),
    auditEstimate: (args) => call('audit:estimate', args),
    exportAuditSample: (args) => call('audit:export', args),
    listCustodians: () => call('custodians:list', {}),
    signCheckpoint: (args) => call('checkpoint:sign', args),
    incidentView: (args) => call('incident:view', args),
    updateIncident: (args) => call('incident:update', args),
    previewReport: (args) => call('report:preview', args),
    exportReport: (args) => call('report:export', args),
    addCustodian: (args) => call('custodians:add', args),
    rotateCustodian: (args) => call('custodians:rotate', args),
    revokeCustodian: (args) => call('custodians:revoke', args),
    onJobEvent: (listener) => {
      listeners.add(listener);
      ensureSource();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  } satisfies ProbityApi;
}

// ---------------------------------------------------------------------------------------------

export function createClient(api: ProbityApi, transport: ProbityClient['transport']): ProbityClient {
  return {
    transport,
    appInfo: () => unwrap(api.appInfo()),
    listCases: () => unwrap(api.listCases()),
    createCase: (args) => unwrap(api.createCase(args)),
    caseOverview: (args) => unwrap(api.caseOverview(args)),
    listEvidence: (args) => unwrap(api.listEvidence(args)),
    startIngest: (args) => unwrap(api.startIngest(args)),
    startVerify: (args) => unwrap(api.startVerify(args)),
    cancelJob: (args) => unwrap(api.cancelJob(args)),
    custodyLog: (args) => unwrap(api.custodyLog(args)),
    openDemo: () => unwrap(api.openDemo()),
    pickBundle: (args) => unwrap(api.pickBundle(args)),
    runIntegrity: (args) => unwrap(api.runIntegrity(args)),
    latestIntegrity: (args) => unwrap(api.latestIntegrity(args)),
    diffWeights: (args) => unwrap(api.diffWeights(args)),
    provenance: (args) => unwrap(api.provenance(args)),
    inspectArtifact: (args) => unwrap(api.inspectArtifact(args)),
    behaviorRuns: (args) => unwrap(api.behaviorRuns(args)),
    importBehaviorRun: (args) => unwrap(api.importBehaviorRun(args)),
    compareBehavior: (args) => unwrap(api.compareBehavior(args)),
    refusalPhrases: () => unwrap(api.refusalPhrases()),
    behaviorItems: (args) => unwrap(api.behaviorItems(args)),
    auditState: (args) => unwrap(api.auditState(args)),
    importAuditLog: (args) => unwrap(api.importAuditLog(args)),
    setAuditWindow: (args) => unwrap(api.setAuditWindow(args)),
    planAuditReview: (args) => unwrap(api.planAuditReview(args)),
    drawAuditSample: (args) => unwrap(api.drawAuditSample(args)),
    nextAuditItem: (args) => unwrap(api.nextAuditItem(args)),
    labelAuditItem: (args) => unwrap(api.labelAuditItem(args)),
    auditEstimate: (args) => unwrap(api.auditEstimate(args)),
    exportAuditSample: (args) => unwrap(api.exportAuditSample(args)),
    listCustodians: () => unwrap(api.listCustodians()),
    signCheckpoint: (args) => unwrap(api.signCheckpoint(args)),
    incidentView: (args) => unwrap(api.incidentView(args)),
    updateIncident: (args) => unwrap(api.updateIncident(args)),
    previewReport: (args) => unwrap(api.previewReport(args)),
    exportReport: (args) => unwrap(api.exportReport(args)),
    addCustodian: (args) => unwrap(api.addCustodian(args)),
    rotateCustodian: (args) => unwrap(api.rotateCustodian(args)),
    revokeCustodian: (args) => unwrap(api.revokeCustodian(args)),
    onJobEvent: (listener) => api.onJobEvent(listener),
  };
}

function defaultClient(): ProbityClient {
  if (typeof window !== 'undefined' && window.probity) return createClient(window.probity, 'ipc');
  return createClient(createHttpApi(takeToken()), 'http');
}

/** The client for this page: IPC under Electron, HTTP under `probity serve`. */
export const api: ProbityClient = defaultClient();

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** An error as the screens show it: the host's message, prefixed with the file it names if it does not say it. */
export function describeError(err: unknown): string {
  if (err instanceof ApiCallError && err.file && !err.message.includes(err.file))
    return `${err.file}: ${err.message}`;
  return errorMessage(err);
}
