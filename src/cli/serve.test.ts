import fs from 'node:fs';
import http from 'node:http';
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
    const created = JSON.parse(
      (
        await request(srv.port, {
          method: 'POST',
          path: '/api/cases:create',
          headers: h,
          body: JSON.stringify({ title: 'From the browser' }),
        })
      ).body,
    );
    expect(created.ok).toBe(true);
    expect(created.result.id).toMatch(/^AI-IR-\d{4}-0001$/);
    const bad = JSON.parse(
      (
        await request(srv.port, {
          method: 'POST',
          path: '/api/cases:overview',
          headers: h,
          body: JSON.stringify({ caseId: 'nope' }),
        })
      ).body,
    );
    expect(bad).toEqual({
      ok: false,
      error: {
        code: 'usage',
        message: expect.stringMatching(/caseId: a case id looks like AI-IR-YYYY-NNNN/),
        file: null,
      },
    });
    const unknown = JSON.parse(
      (await request(srv.port, { method: 'POST', path: '/api/fs:read', headers: h, body: '{}' })).body,
    );
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
    const created = JSON.parse(
      (
        await request(srv.port, {
          method: 'POST',
          path: '/api/cases:create',
          headers: h,
          body: '{"title":"t"}',
        })
      ).body,
    );
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
    const started = JSON.parse(
      (
        await request(srv.port, {
          method: 'POST',
          path: '/api/ingest:start',
          headers: h,
          body: JSON.stringify({ caseId: created.result.id, bundle }),
        })
      ).body,
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
