/**
 * Exclusive lock files. A lock is a small JSON file naming its owner — pid, host, the process's
 * start time, a random token — written in full to a private temp file and then hard-linked to the
 * lock's name: link(2) fails when the name exists, so there is never a moment when the lock is
 * visible but half-written, and two processes can never both create it.
 *
 * A lock whose owner is gone (same host, and that pid no longer runs, or runs a process started at
 * another time: the pid was reused) is taken over; the takeover itself runs under a second lock and
 * re-reads the lock before removing it, so only the stale owner's file is ever removed. Release
 * removes the lock only while it still carries the releaser's token.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProbityError, describeFsError } from '../util/errors';

interface LockOwner {
  pid: number;
  host: string;
  started: string | null;
  token: string;
  what: string;
  at: string;
}

/** This process's start time as the kernel records it (Linux), to tell a reused pid apart. */
function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

const OWN_START = processStart(process.pid);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | null | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw new ProbityError('unreadable', `${file}: cannot read the lock: ${describeFsError(err)}`, { file });
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.token === 'string' && typeof o.host === 'string')
      return o as LockOwner;
  } catch {
    /* not a lock this code wrote */
  }
  return null;
}

/** The owner is certainly gone: same host, and its pid no longer runs the process that took the lock. */
function ownerGone(o: LockOwner): boolean {
  if (o.host !== os.hostname()) return false;
  if (o.pid === process.pid) return o.started !== OWN_START;
  if (!alive(o.pid)) return true;
  const started = processStart(o.pid);
  return started !== null && o.started !== null && started !== o.started;
}

/** Create `file` holding `owner`, atomically; false when it already exists. */
function createExclusive(file: string, owner: LockOwner): boolean {
  const tmp = `${file}.${owner.pid}.${owner.token}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(owner), { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ProbityError('unreadable', `${file}: cannot create the lock: ${describeFsError(err)}`, {
      file,
      cause: err,
    });
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Remove `file` only if it still carries `token`. */
function removeIfOwned(file: string, token: string): void {
  const o = readOwner(file);
  if (o !== 'gone' && o !== null && o.token === token) fs.rmSync(file, { force: true });
}

function newOwner(what: string): LockOwner {
  return {
    pid: process.pid,
    host: os.hostname(),
    started: OWN_START,
    token: randomBytes(12).toString('hex'),
    what,
    at: new Date().toISOString(),
  };
}

/**
 * Remove a stale lock left by `stale`, under `<file>.takeover` so two processes finding the same
 * stale lock never remove a lock one of them has just created.
 */
function takeOver(file: string, stale: LockOwner): void {
  const guard = `${file}.takeover`;
  const me = newOwner('takeover');
  if (!createExclusive(guard, me)) {
    const g = readOwner(guard);
    // A takeover guard whose owner died mid-takeover is itself stale.
    if (g !== 'gone' && g !== null && ownerGone(g)) removeIfOwned(guard, g.token);
    return;
  }
  try {
    const now = readOwner(file);
    if (now !== 'gone' && now !== null && now.token === stale.token) fs.rmSync(file, { force: true });
  } finally {
    removeIfOwned(guard, me.token);
  }
}

export interface LockOptions {
  /** How long to wait for a live holder before giving up; 0 refuses at once. */
  waitMs?: number;
  /** Describes the holder in the refusal: "<busy> process 123 is running ingest". */
  busy?: string;
}

/**
 * Take the exclusive lock `file` for `what`. Returns the release function. Waits up to `waitMs`
 * for a live holder, then refuses, naming it.
 */
export function acquireLock(file: string, what: string, opts: LockOptions = {}): () => void {
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const me = newOwner(what);
  let spins = 0;
  for (;;) {
    if (createExclusive(file, me)) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        removeIfOwned(file, me.token);
      };
    }
    const holder = readOwner(file);
    if (holder === 'gone') continue;
    if (holder !== null && ownerGone(holder)) {
      takeOver(file, holder);
      continue;
    }
    if (Date.now() >= deadline) {
      const who =
        holder === null
          ? `${file} is held but unreadable (remove it if no Probity process is running)`
          : holder.pid === process.pid
            ? `this process is already running ${holder.what}`
            : `process ${holder.pid} on ${holder.host} is running ${holder.what}`;
      throw new ProbityError('conflict', `${opts.busy ?? path.basename(file)}: busy: ${who}`, { file });
    }
    // Back off a little, more the longer the wait: a lock is usually held for milliseconds.
    spins++;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(20, spins));
  }
}

/**
 * One long job at a time per case (ingest, verify): `<case>/job.lock`. Refuses at once when a live
 * process holds it; a lock left by a killed process is taken over, which is what lets an
 * interrupted ingest be resumed.
 */
export function acquireCaseLock(caseDir: string, what: string): () => void {
  return acquireLock(path.join(caseDir, 'job.lock'), what, { busy: path.basename(caseDir) });
}
