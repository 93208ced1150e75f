import { afterEach, describe, expect, it } from 'vitest';
import { newWorkstation } from '../../test/helpers';
import { ProbityService } from '../core/api/service';
import { CHANNELS } from '../shared/contract';
import { bindIpc, type IpcEventLike } from './ipc';
import { isLocalUrl, lockDownContents, lockDownSession, type SessionLike } from './security';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('desktop security handlers', () => {
  function fakeSession() {
    const s: {
      before?: Parameters<SessionLike['webRequest']['onBeforeRequest']>[0];
      headers?: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0];
      perm?: Parameters<SessionLike['setPermissionRequestHandler']>[0];
      check?: () => boolean;
    } = {};
    const session: SessionLike = {
      webRequest: { onBeforeRequest: (l) => (s.before = l), onHeadersReceived: (l) => (s.headers = l) },
      setPermissionRequestHandler: (h) => (s.perm = h),
      setPermissionCheckHandler: (h) => (s.check = h),
    };
    return { session, s };
  }

  it('blocks every non-local request and allows the app’s own files', () => {
    const { session, s } = fakeSession();
    const logged: string[] = [];
    lockDownSession(session, null, (l) => logged.push(l));
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      s.before!({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('file:///opt/probity/out/renderer/index.html')).toBe(false);
    expect(decide('https://cdn.example.com/font.woff2')).toBe(true);
    expect(decide('http://127.0.0.1:8080/')).toBe(true); // not even loopback, outside dev mode
    expect(decide('http://192.168.1.10/')).toBe(true);
    expect(logged.join('\n')).toMatch(/blocked a request to https:\/\/cdn\.example\.com/);
  });

  it('allows only the local dev server in dev mode', () => {
    expect(isLocalUrl('http://localhost:5173/src/main.tsx', 'http://localhost:5173')).toBe(true);
    expect(isLocalUrl('ws://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isLocalUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isLocalUrl('http://evil.example:5173/', 'http://localhost:5173')).toBe(false);
    expect(isLocalUrl('not a url', null)).toBe(false);
  });

  it('denies permissions and sets a strict CSP on every response', () => {
    const { session, s } = fakeSession();
    lockDownSession(session, null);
    let granted: boolean | undefined;
    s.perm!(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(s.check!()).toBe(false);
    let headers: Record<string, string[]> | undefined;
    s.headers!({ url: 'file:///x', responseHeaders: { a: ['b'] } }, (r) => (headers = r.responseHeaders));
    expect(headers!['Content-Security-Policy']![0]).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(headers!.a).toEqual(['b']);
  });

  it('denies window.open, navigation away and webviews', () => {
    const handlers: Record<string, (e: { preventDefault(): void }, url?: string) => void> = {};
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    lockDownContents(
      {
        setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' }) => (openHandler = h),
        on: (event: string, l: (e: { preventDefault(): void }, url?: string) => void) =>
          (handlers[event] = l),
      } as never,
      null,
    );
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let prevented = 0;
    const ev = { preventDefault: () => prevented++ };
    handlers['will-navigate']!(ev, 'https://example.com/phish');
    handlers['will-redirect']!(ev, 'http://127.0.0.1:9/');
    handlers['will-attach-webview']!(ev);
    expect(prevented).toBe(3);
    handlers['will-navigate']!(ev, 'file:///opt/probity/out/renderer/index.html');
    expect(prevented).toBe(3);
  });
});

describe('IPC binding', () => {
  it('binds one handler per channel, refuses untrusted frames, and parses arguments', async () => {
    const { ws, cleanup } = newWorkstation();
    cleanups.push(cleanup);
    const service = new ProbityService({
      workstation: ws,
      actor: 'a',
      host: 'h',
      mode: 'desktop',
      version: 't',
    });
    const handlers = new Map<string, (e: IpcEventLike, arg: unknown) => Promise<unknown>>();
    const unbind = bindIpc(
      { handle: (c, l) => handlers.set(c, l), removeHandler: (c) => handlers.delete(c) },
      service,
      (url) => url.startsWith('file:'),
      () => {},
    );
    expect([...handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    const top = { senderFrame: { url: 'file:///app/index.html', parent: null } };
    const iframe = { senderFrame: { url: 'file:///app/index.html', parent: {} } };
    const foreign = { senderFrame: { url: 'https://evil.example/', parent: null } };
    expect(await handlers.get('cases:list')!(top, {})).toEqual({ ok: true, result: [] });
    expect(await handlers.get('cases:list')!(iframe, {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await handlers.get('cases:list')!(foreign, {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await handlers.get('cases:create')!(top, { title: 42 })).toMatchObject({
      ok: false,
      error: { code: 'usage' },
    });
    expect(await handlers.get('cases:create')!(top, { title: 'x', extra: true })).toMatchObject({
      ok: false,
      error: { code: 'usage' },
    });
    expect(await handlers.get('dialog:pickBundle')!(top, { kind: 'folder' })).toEqual({
      ok: true,
      result: null,
    });
    unbind();
    expect(handlers.size).toBe(0);
  });
});
