/**
 * The one way the UI reaches the core. Two transports carry the same contract (src/shared/contract):
 *  - desktop: Electron's preload exposes `window.probity: ProbityApi` (IPC);
 *  - browser mode: `probity serve` answers `POST /api/<channel>` with a JSON Envelope and pushes
 *    JobEvents over `GET /api/events` (server-sent events).
 * Either way the client unwraps the Envelope: a result is returned, an error is rebuilt into an
 * `ApiCallError` carrying the host's code and the file it names.
 */
import {
  bindMethods,
  CHANNELS,
  METHODS,
  type ApiError,
  type Channel,
  type Envelope,
  type JobEvent,
  type ProbityApi,
  type ProbityMethods,
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
  [K in keyof ProbityMethods]: (
    ...args: Parameters<ProbityMethods[K]>
  ) => Unwrapped<ReturnType<ProbityMethods[K]>>;
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
  async function call(channel: Channel, args: unknown): Promise<Envelope<unknown>> {
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
      return (await response.json()) as Envelope<unknown>;
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
    ...bindMethods(call),
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
  const methods: Record<string, (args?: unknown) => Promise<unknown>> = {};
  for (const channel of CHANNELS) {
    const name = METHODS[channel].name;
    const send = api[name] as (args?: unknown) => Promise<Envelope<unknown>>;
    methods[name] = (args?: unknown) => unwrap(send(args));
  }
  return {
    // Each row of METHODS, unwrapped: the types are ProbityApi's, with the envelope taken off.
    ...(methods as unknown as Omit<ProbityClient, 'onJobEvent' | 'transport'>),
    transport,
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
