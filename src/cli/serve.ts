/**
 * Browser mode: the workstation UI and the same contract as the desktop app, over HTTP on the
 * loopback interface only.
 *
 * - Bound to 127.0.0.1; a request whose Host header is not 127.0.0.1:PORT or localhost:PORT is
 *   refused with 403 (a DNS-rebinding page cannot reach us under another name).
 * - A random token per run, printed in the URL. Opening `/?token=…` sets an HttpOnly,
 *   SameSite=Strict cookie so the page's own assets and event stream load; every API call must
 *   also carry the token in the `x-probity-token` header (a cross-site form cannot set it).
 *   Anything without the token gets 401.
 * - A request with more than one Host header is refused (400): which one a proxy or the browser
 *   honoured cannot be known, so neither is trusted.
 * - State-changing calls (every API POST) carrying an Origin other than the app's own
 *   (http://127.0.0.1:PORT or http://localhost:PORT) are refused with 403, as is `Origin: null` and
 *   `Sec-Fetch-Site: cross-site`: the header token is not the only defence.
 * - A path with a malformed %-escape is a bad request (400), and so is a JSON body that is not
 *   valid UTF-8 (it is refused, never patched with U+FFFD).
 * - Strict Content-Security-Policy: the page may talk to this origin only.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { JobEvent } from '../shared/contract';
import type { ProbityService } from '../core/api/service';
import { CSP } from '../shared/csp';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const MAX_BODY = 1024 * 1024;

export interface ServeOptions {
  service: ProbityService;
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  server: http.Server;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: http.IncomingMessage): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'probity_token') return v.join('=');
  }
  return null;
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string | Buffer,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, {
    'content-type': type,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
  });
  res.end(body);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  let text: string;
  try {
    text = UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new Error('not valid UTF-8');
  }
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

/** A path component decoded, or null when its %-escapes are malformed. */
function decodePath(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** How many Host headers the request carried (Node keeps only the first in req.headers). */
function hostHeaderCount(req: http.IncomingMessage): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') n++;
  return n;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const rendererDir = path.resolve(opts.rendererDir);
  const index = path.join(rendererDir, 'index.html');
  const sseClients = new Set<http.ServerResponse>();
  let port = 0;

  // The latest event of each recent job, replayed to a page that (re)connects mid-job, so a dropped
  // event stream never leaves a dialog waiting for an end it already missed.
  const lastByJob = new Map<string, JobEvent>();
  const unsubscribe = opts.service.onJobEvent((e: JobEvent) => {
    lastByJob.delete(e.jobId);
    lastByJob.set(e.jobId, e);
    if (lastByJob.size > 50) lastByJob.delete(lastByJob.keys().next().value!);
    const frame = `data: ${JSON.stringify(e)}\n\n`;
    for (const res of sseClients) res.write(frame);
  });

  const server = http.createServer((req, res) => {
    void (async () => {
      if (hostHeaderCount(req) > 1) {
        send(res, 400, 'bad request: more than one Host header\n');
        return;
      }
      const host = req.headers.host ?? '';
      const ownOrigins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
        send(res, 403, 'forbidden: this workstation answers only to 127.0.0.1 and localhost\n');
        return;
      }
      const url = new URL(req.url ?? '/', `http://${host}`);
      const headerToken = req.headers['x-probity-token'];
      const queryToken = url.searchParams.get('token');
      const cookie = cookieToken(req);
      const viaHeader = typeof headerToken === 'string' && sameSecret(headerToken, token);
      const viaQuery = queryToken !== null && sameSecret(queryToken, token);
      const viaCookie = cookie !== null && sameSecret(cookie, token);

      const decodedPath = decodePath(url.pathname);
      if (decodedPath === null) return send(res, 400, 'bad request: malformed %-escape in the path\n');
      if (url.pathname.startsWith('/api/')) {
        const name = decodedPath.slice('/api/'.length);
        if (name === 'events' && req.method === 'GET') {
          if (!viaHeader && !viaCookie && !viaQuery)
            return send(res, 401, 'unauthorized: missing or wrong token\n');
          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-store',
            connection: 'keep-alive',
            'x-content-type-options': 'nosniff',
          });
          res.write(': connected\n\n');
          for (const e of lastByJob.values()) res.write(`data: ${JSON.stringify(e)}\n\n`);
          sseClients.add(res);
          req.on('close', () => sseClients.delete(res));
          return;
        }
        // API calls need the header: a cookie alone could be sent by a cross-site form.
        if (!viaHeader)
          return send(
            res,
            401,
            JSON.stringify({
              ok: false,
              error: { code: 'unauthorized', message: 'missing or wrong token', file: null },
            }),
            'application/json',
          );
        if (req.method !== 'POST') return send(res, 405, 'use POST\n');
        const origin = req.headers.origin;
        if (
          (origin !== undefined && !ownOrigins.includes(origin)) ||
          req.headers['sec-fetch-site'] === 'cross-site'
        )
          return send(
            res,
            403,
            JSON.stringify({
              ok: false,
              error: {
                code: 'forbidden',
                message: `origin ${origin ?? '(cross-site)'} is not this workstation's own`,
                file: null,
              },
            }),
            'application/json',
          );
        let args: unknown;
        try {
          args = await readBody(req);
        } catch (err) {
          return send(
            res,
            400,
            JSON.stringify({
              ok: false,
              error: { code: 'usage', message: `bad request body: ${(err as Error).message}`, file: null },
            }),
            'application/json',
          );
        }
        const envelope = await opts.service.handle(name, args);
        return send(res, 200, JSON.stringify(envelope), 'application/json');
      }

      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
      if (!viaQuery && !viaCookie && !viaHeader) {
        return send(res, 401, 'unauthorized: open the URL printed by `probity serve`, with its token\n');
      }
      let file = url.pathname === '/' ? index : path.join(rendererDir, path.normalize(decodedPath));
      if (!file.startsWith(rendererDir + path.sep) && file !== index) return send(res, 404, 'not found\n');
      if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = index; // client-side routes
      const body = fs.readFileSync(file);
      // Opened with the token in the URL: the page's assets and event stream then use this cookie.
      if (viaQuery) res.setHeader('set-cookie', `probity_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
      send(res, 200, body, TYPES[path.extname(file)] ?? 'application/octet-stream');
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, `internal error: ${(err as Error).message}\n`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  return {
    url,
    port,
    token,
    server,
    close: async () => {
      unsubscribe();
      for (const res of sseClients) res.end();
      opts.service.cancelAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
