import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, tempDir, writeTree } from '../../test/helpers';
import type { JobEvent } from '../shared/contract';
import { ProbityService } from '../core/api/service';
import { startServer, type RunningServer } from './serve';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function boot(): Promise<{ srv: RunningServer; service: ProbityService }> {
  const { ws, cleanup } = newWorkstation();
  const ui = tempDir('probity-ui-');
  writeTree(ui, { 'index.html': '<!doctype html><title>Probity</title>', 'assets/app.js': 'console.log(1)' });
  const service = new ProbityService({
    workstation: ws,
    actor: 'tester',
    host: 'h',
    mode: 'browser',
    version: 'test',
  });
  const srv = await startServer({ service, rendererDir: ui });
  cleanups.push(
    cleanup,
    () => rmrf(ui),
    () => srv.close(),
  );
  return { srv, service };
}

/** POST /api/<channel> with these headers and body; the parsed JSON reply. */
async function api(port: number, headers: Record<string, string>, channel: string, body: string) {
  return JSON.parse((await request(port, { method: 'POST', path: `/api/${channel}`, headers, body })).body);
}

/** Raw request, so the Host header can be anything. */
function request(
  port: number,
  opts: { method?: string; path: string; host?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { host: opts.host ?? `127.0.0.1:${port}`, ...opts.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

/** A request written byte for byte, for what http.request will not send (duplicate headers, raw bytes). */
function rawRequest(port: number, head: string, body: Buffer = Buffer.alloc(0)): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(head.replace(/\n/g, '\r\n') + '\r\n');
      sock.end(body);
    });
    let out = '';
    sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

describe('browser mode against hostile requests', () => {
  it('answers a malformed %-escape with 400, for the API and for the page', async () => {
    const { srv } = await boot();
    const api = await request(srv.port, {
      method: 'POST',
      path: '/api/cases%E0%A4%A:list',
      headers: { 'x-probity-token': srv.token },
      body: '{}',
    });
    expect(api.status).toBe(400);
    expect(api.body).toMatch(/malformed %-escape/);
    expect((await request(srv.port, { path: `/%ZZ?token=${srv.token}` })).status).toBe(400);
  });

  it('refuses a request carrying two Host headers, the good one first', async () => {
    const { srv } = await boot();
    const reply = await rawRequest(
      srv.port,
      `GET /?token=${srv.token} HTTP/1.1\nHost: 127.0.0.1:${srv.port}\nHost: evil.example\nConnection: close\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toMatch(/more than one Host header/);
  });

  it('refuses a state-changing call from any origin but its own, even with the token', async () => {
    const { srv } = await boot();
    const call = (headers: Record<string, string>) =>
      request(srv.port, {
        method: 'POST',
        path: '/api/cases:list',
        headers: { 'x-probity-token': srv.token, 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    expect((await call({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await call({ origin: 'null' })).status).toBe(403);
    expect((await call({ origin: `http://127.0.0.1:${srv.port + 1}` })).status).toBe(403);
    expect((await call({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await call({ origin: `http://127.0.0.1:${srv.port}` })).status).toBe(200);
    expect((await call({ origin: `http://localhost:${srv.port}` })).status).toBe(200);
  });

  it('refuses a JSON body that is not valid UTF-8 with 400 instead of patching it', async () => {
    const { srv } = await boot();
    const body = Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const reply = await rawRequest(
      srv.port,
      `POST /api/cases:create HTTP/1.1\nHost: 127.0.0.1:${srv.port}\nx-probity-token: ${srv.token}\ncontent-type: application/json\ncontent-length: ${body.length}\nConnection: close\n`,
      body,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toMatch(/not valid UTF-8/);
  });
});

describe('probity serve (browser mode host)', () => {
  it('listens on 127.0.0.1 only and prints a URL with a long random token', async () => {
    const { srv } = await boot();
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const addr = srv.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
  });

  it('refuses a request without the token with 401, for the page and for the API', async () => {
    const { srv } = await boot();
    expect((await request(srv.port, { path: '/' })).status).toBe(401);
    expect((await request(srv.port, { path: '/assets/app.js' })).status).toBe(401);
    expect((await request(srv.port, { method: 'POST', path: '/api/cases:list', body: '{}' })).status).toBe(
      401,
    );
    expect((await request(srv.port, { path: '/?token=wrong' })).status).toBe(401);
    expect((await request(srv.port, { path: '/api/events' })).status).toBe(401);
  });

  it('refuses a foreign Host header with 403 (DNS rebinding)', async () => {
    const { srv } = await boot();
    const r = await request(srv.port, { path: `/?token=${srv.token}`, host: `evil.example:${srv.port}` });
    expect(r.status).toBe(403);
    const r2 = await request(srv.port, { path: `/?token=${srv.token}`, host: `127.0.0.1:${srv.port + 1}` });
    expect(r2.status).toBe(403);
    expect(
      (await request(srv.port, { path: `/?token=${srv.token}`, host: `localhost:${srv.port}` })).status,
    ).toBe(200);
  });

  it('serves the page with a strict CSP and an HttpOnly SameSite=Strict cookie, then assets by cookie', async () => {
    const { srv } = await boot();
    const page = await request(srv.port, { path: `/?token=${srv.token}` });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/probity_token=.+; HttpOnly; SameSite=Strict/);
    const asset = await request(srv.port, {
      path: '/assets/app.js',
      headers: { cookie: `probity_token=${srv.token}` },
    });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const escape = await request(srv.port, {
      path: '/../../etc/passwd',
      headers: { cookie: `probity_token=${srv.token}` },
    });
    expect(escape.body).not.toContain('root:');
  });

  it('answers the contract with envelopes, requiring the token header (a cookie alone is not enough)', async () => {
    const { srv } = await boot();
    const cookieOnly = await request(srv.port, {
      method: 'POST',
      path: '/api/cases:list',
      body: '{}',
      headers: { cookie: `probity_token=${srv.token}` },
    });
    expect(cookieOnly.status).toBe(401);
    const h = { 'x-probity-token': srv.token, 'content-type': 'application/json' };
    const created = await api(srv.port, h, 'cases:create', JSON.stringify({ title: 'From the browser' }));
    expect(created.ok).toBe(true);
    expect(created.result.id).toMatch(/^AI-IR-\d{4}-0001$/);
    const bad = await api(srv.port, h, 'cases:overview', JSON.stringify({ caseId: 'nope' }));
    expect(bad).toEqual({
      ok: false,
      error: {
        code: 'usage',
        message: expect.stringMatching(/caseId: a case id looks like AI-IR-YYYY-NNNN/),
        file: null,
      },
    });
    const unknown = await api(srv.port, h, 'fs:read', '{}');
    expect(unknown.error.message).toMatch(/unknown method "fs:read"/);
    const junk = await request(srv.port, {
      method: 'POST',
      path: '/api/cases:list',
      headers: h,
      body: '{not json',
    });
    expect(junk.status).toBe(400);
  });

  it('streams job progress and the result as server-sent events', async () => {
    const { srv, service } = await boot();
    const h = { 'x-probity-token': srv.token };
    const created = await api(srv.port, h, 'cases:create', '{"title":"t"}');
    const bundle = tempDir('probity-bundle-');
    cleanups.push(() => rmrf(bundle));
    writeTree(bundle, { 'w.safetensors': Buffer.alloc(1024 * 1024, 1), 'config.json': '{}' });
    const events: JobEvent[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: srv.port,
          path: '/api/events',
          headers: { cookie: `probity_token=${srv.token}` },
        },
        (res) => {
          expect(res.headers['content-type']).toBe('text/event-stream');
          let buf = '';
          res.on('data', (c) => {
            buf += c;
            for (const frame of buf.split('\n\n').slice(0, -1)) {
              const line = frame.split('\n').find((l) => l.startsWith('data: '));
              if (line) {
                const e = JSON.parse(line.slice(6)) as JobEvent;
                events.push(e);
                if (e.type !== 'progress') {
                  req.destroy();
                  resolve();
                }
              }
            }
            buf = buf.slice(buf.lastIndexOf('\n\n') + 2);
          });
        },
      );
      req.on('error', (e) => (events.length ? resolve() : reject(e)));
    });
    await new Promise((r) => setTimeout(r, 100));
    const started = await api(
      srv.port,
      h,
      'ingest:start',
      JSON.stringify({ caseId: created.result.id, bundle }),
    );
    expect(started.ok).toBe(true);
    await done;
    const last = events.at(-1)!;
    expect(last.type).toBe('finished');
    expect(last.type === 'finished' && last.kind === 'ingest' && last.summary.files).toBe(2);
    expect(service.runningJobs).toBe(0);
    expect(fs.existsSync(path.join(bundle, 'w.safetensors'))).toBe(true);
  });
});
