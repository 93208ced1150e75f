import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newWorkstation, repoRoot, rmrf, tempDir } from '../../../test/helpers';
import { listEvents, verifyChain } from './custody';
import { acquireCaseLock, acquireLock } from './lock';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function runWorker(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'test/workers', script), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('concurrent custody appends', () => {
  it('200 appends from 4 processes: 200 events, none lost, the chain intact', async () => {
    const { ws, cleanup } = newWorkstation();
    cleanups.push(cleanup);
    const store = ws.createCase({ title: 'Concurrency', actor: 'custodian' });
    const id = store.id;
    store.close();
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => runWorker('append-events.mjs', [ws.home, id, '50', `p${i}`])),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ failed: 0 });
    }
    const again = ws.openCase(id);
    cleanups.push(() => again.close());
    const events = listEvents(again.db).filter((e) => e.action === 'incident.timeline.added');
    expect(events).toHaveLength(200);
    for (const i of [0, 1, 2, 3]) expect(events.filter((e) => e.actor === `p${i}`)).toHaveLength(50);
    const chain = verifyChain(again.db);
    expect(chain.breaks).toEqual([]);
    expect(chain.lastSeq).toBe(201);
  }, 120_000);
});

describe('the exclusive lock', () => {
  it('10,000 acquisitions across 4 processes: never held twice at once', async () => {
    const dir = tempDir('probity-lock-');
    cleanups.push(() => rmrf(dir));
    const lock = path.join(dir, 'job.lock');
    const marker = path.join(dir, 'holder');
    const started = Date.now();
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => runWorker('lock-race.mjs', [lock, marker, '2500'])),
    );
    let double = 0;
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      double += (JSON.parse(r.stdout) as { double: number }).double;
    }
    expect(double).toBe(0);
    expect(fs.existsSync(lock)).toBe(false);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('refuses while a live process holds it, and names that process', () => {
    const dir = tempDir('probity-lock-');
    cleanups.push(() => rmrf(dir));
    const release = acquireCaseLock(dir, 'ingest');
    cleanups.push(release);
    expect(() => acquireCaseLock(dir, 'verify')).toThrow(/busy: this process is already running ingest/);
    fs.writeFileSync(
      path.join(dir, 'other.lock'),
      JSON.stringify({
        pid: process.ppid,
        host: os.hostname(),
        started: null,
        token: 'x',
        what: 'verify',
        at: '',
      }),
    );
    expect(() => acquireLock(path.join(dir, 'other.lock'), 'ingest')).toThrow(
      new RegExp(`busy: process ${process.ppid} on .* is running verify`),
    );
  });

  it('takes over a lock whose process is gone, and release never removes another owner’s lock', () => {
    const dir = tempDir('probity-lock-');
    cleanups.push(() => rmrf(dir));
    const file = path.join(dir, 'job.lock');
    // A pid that cannot be running: beyond the kernel's pid range.
    fs.writeFileSync(
      file,
      JSON.stringify({
        pid: 2 ** 22 + 1,
        host: os.hostname(),
        started: '1',
        token: 'dead',
        what: 'ingest',
        at: '',
      }),
    );
    const release = acquireLock(file, 'verify');
    const mine = JSON.parse(fs.readFileSync(file, 'utf8')) as { token: string; pid: number };
    expect(mine.pid).toBe(process.pid);
    // Someone replaced the lock behind our back: our release must leave theirs alone.
    fs.rmSync(file);
    fs.writeFileSync(file, JSON.stringify({ ...mine, token: 'theirs' }));
    release();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('does not take over a lock held on another host', () => {
    const dir = tempDir('probity-lock-');
    cleanups.push(() => rmrf(dir));
    const file = path.join(dir, 'job.lock');
    fs.writeFileSync(
      file,
      JSON.stringify({
        pid: 2 ** 22 + 1,
        host: 'other-host',
        started: '1',
        token: 'x',
        what: 'ingest',
        at: '',
      }),
    );
    expect(() => acquireLock(file, 'verify')).toThrow(/busy: process \d+ on other-host is running ingest/);
  });
});
