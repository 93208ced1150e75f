/**
 * Security handlers of the desktop app. They take the Electron objects they act on as parameters
 * (structural types below), so they are tested under plain Node where Electron's binary is absent.
 * Policy: the workstation is offline by construction — the renderer may load only its own files
 * (or the local dev server), may open no window, navigate nowhere, embed no webview and is granted
 * no permission.
 */
import { CSP } from '../shared/csp';

export interface RequestDetails {
  url: string;
}
export interface SessionLike {
  webRequest: {
    onBeforeRequest(
      listener: (details: RequestDetails, callback: (response: { cancel: boolean }) => void) => void,
    ): void;
    onHeadersReceived(
      listener: (
        details: RequestDetails & { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
}
export interface WebContentsLike {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
}

/** Is this URL one the renderer may load? Its own files, devtools, or the local dev server. */
export function isLocalUrl(raw: string, devServer: string | null): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (
    url.protocol === 'file:' ||
    url.protocol === 'devtools:' ||
    url.protocol === 'data:' ||
    url.protocol === 'blob:'
  )
    return true;
  if (devServer) {
    const dev = new URL(devServer);
    if (
      (url.protocol === 'http:' || url.protocol === 'ws:') &&
      url.host === dev.host &&
      ['127.0.0.1', 'localhost'].includes(url.hostname)
    )
      return true;
  }
  return false;
}

export function lockDownSession(
  session: SessionLike,
  devServer: string | null,
  log: (line: string) => void = () => {},
): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isLocalUrl(details.url, devServer);
    if (!allowed) log(`blocked a request to ${details.url}: the workstation is offline by construction`);
    callback({ cancel: !allowed });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...(details.responseHeaders ?? {}),
        'Content-Security-Policy': [devServer ? devCsp(devServer) : CSP],
      },
    });
  });
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    log(`denied a permission request: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

function devCsp(devServer: string): string {
  const origin = new URL(devServer).origin;
  return CSP.replace("script-src 'self'", `script-src 'self' 'unsafe-inline' ${origin}`).replace(
    "connect-src 'self'",
    `connect-src 'self' ${origin} ${origin.replace('http', 'ws')}`,
  );
}

export function lockDownContents(
  contents: WebContentsLike,
  devServer: string | null,
  log: (line: string) => void = () => {},
): void {
  contents.setWindowOpenHandler(({ url }) => {
    log(`denied window.open(${url})`);
    return { action: 'deny' };
  });
  const stay = (event: { preventDefault(): void }, url: string) => {
    // Reloading the app itself (its file:// page or the dev server) is fine; anything else is refused.
    const own =
      url.startsWith('file:') || (devServer !== null && isLocalUrl(url, devServer) && url.startsWith('http'));
    if (!own) {
      event.preventDefault();
      log(`denied navigation to ${url}`);
    }
  };
  contents.on('will-navigate', stay);
  contents.on('will-redirect', stay);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('denied a webview');
  });
}
