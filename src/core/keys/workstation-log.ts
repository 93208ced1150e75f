/**
 * The workstation's custodian log, `<home>/custodians/log.jsonl`: one JSON object per line, each
 * an entry chained exactly as the case custody log is (src/core/store/custody.ts):
 *
 *   hash = sha256(prevHash || canonicalJson({seq, at, actor, action, subject, details}))
 *
 * with prevHash of the first entry 64 zeros. Adding, rotating and revoking a custodian's key are
 * workstation facts, not facts of one case, so they live here; a case learns of them as custody
 * events when a custodian acts in it (case-signer.ts). Entries may carry an Ed25519 signature of
 * their hash: `custodian.added` by the new key (proof of possession), `custodian.rotated` by the
 * retiring key (the old key vouches for the new one). Revocation is unsigned: a lost key cannot sign.
 */
import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError, describeFsError } from '../util/errors';
import { utcNow } from '../util/format';
import { GENESIS_HASH, type EventSigner } from '../store/custody';
import { chainHash, verifyHashChain } from '../util/hash-chain';
import { acquireLock } from '../store/lock';

export type WorkstationAction =
  'custodian.added' | 'custodian.rotated' | 'custodian.revoked' | 'custodian.imported';

export interface LogEntry {
  seq: number;
  at: string;
  actor: string;
  action: WorkstationAction;
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
  signature: string | null;
  signer: string | null;
}

export function logFile(home: string): string {
  return path.join(home, 'custodians', 'log.jsonl');
}

/** The same formula as the case custody chain: sha256(prevHash || canonical JSON of the body). */
export function logEntryHash(
  prevHash: string,
  e: Pick<LogEntry, 'seq' | 'at' | 'actor' | 'action' | 'subject' | 'details'>,
): string {
  const body = {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    details: e.details,
  };
  return chainHash(prevHash, body);
}

function isEntry(v: unknown): v is LogEntry {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.seq === 'number' &&
    typeof o.at === 'string' &&
    typeof o.actor === 'string' &&
    typeof o.action === 'string' &&
    typeof o.subject === 'string' &&
    typeof o.details === 'object' &&
    o.details !== null &&
    typeof o.prevHash === 'string' &&
    typeof o.hash === 'string'
  );
}

/** Every entry, in file order. A line that is not an entry is an error naming the line. */
export function readLog(home: string): LogEntry[] {
  const file = logFile(home);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ProbityError('unreadable', `${file}: ${describeFsError(err)}`, { file, cause: err });
  }
  const entries: LogEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new ProbityError('malformed', `${file}: line ${i + 1}: not JSON`, { file });
    }
    if (!isEntry(parsed))
      throw new ProbityError('malformed', `${file}: line ${i + 1}: not a log entry`, { file });
    entries.push({ ...parsed, signature: parsed.signature ?? null, signer: parsed.signer ?? null });
  });
  return entries;
}

/** Recompute the chain; one message per break, naming the line's seq. */
export function verifyLogChain(entries: LogEntry[]): string[] {
  return verifyHashChain(entries, GENESIS_HASH, logEntryHash);
}

/**
 * The store's exclusive lock (store/lock.ts: owner written before it is visible, a dead owner's lock
 * taken over, only one's own lock released), so two Probity processes never interleave appends.
 */
function withLogLock<T>(home: string, fn: () => T): T {
  const release = acquireLock(`${logFile(home)}.lock`, 'the custodian log', {
    waitMs: 10_000,
    busy: logFile(home),
  });
  try {
    return fn();
  } finally {
    release();
  }
}

/**
 * Append one entry (fsynced). Refuses to extend a log whose chain is already broken: the break
 * must be looked at, not buried under new entries.
 */
export function appendLogEntry(
  home: string,
  e: {
    actor: string;
    action: WorkstationAction;
    subject: string;
    details: Record<string, unknown>;
    at?: string;
  },
  signer?: EventSigner,
): LogEntry {
  const file = logFile(home);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  return withLogLock(home, () => {
    const entries = readLog(home);
    const broken = verifyLogChain(entries);
    if (broken.length) throw new ProbityError('verification-failed', `${file}: ${broken[0]}`, { file });
    const last = entries[entries.length - 1];
    const body = {
      seq: (last?.seq ?? 0) + 1,
      at: e.at ?? utcNow(),
      actor: e.actor,
      action: e.action,
      subject: e.subject,
      details: e.details,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const hash = logEntryHash(prevHash, body);
    const entry: LogEntry = {
      ...body,
      prevHash,
      hash,
      signature: signer ? signer.sign(hash) : null,
      signer: signer ? signer.fingerprint : null,
    };
    const fd = fs.openSync(file, 'a', 0o600);
    try {
      fs.writeSync(fd, `${canonicalJson(entry)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return entry;
  });
}
