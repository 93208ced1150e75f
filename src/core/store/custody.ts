import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CustodyAction, CustodyEvent } from '../../shared/domain';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';

/** prev_hash of the first event: the chain starts from 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export interface NewEvent {
  actor: string;
  action: CustodyAction;
  subject: string;
  details: Record<string, unknown>;
  at?: string;
}

/** The part of an event that its hash covers. */
export function eventBody(e: Pick<CustodyEvent, 'seq' | 'at' | 'actor' | 'action' | 'subject' | 'details'>) {
  return { seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, details: e.details };
}

/** hash = sha256(prev_hash || canonical JSON of the event), both as UTF-8 text. */
export function chainHash(prevHash: string, body: ReturnType<typeof eventBody>): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalJson(body), 'utf8').digest('hex');
}

/** A row of the custody table as SQLite returns it. */
export interface CustodyRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
  signature: string | null;
  signer: string | null;
}

function rowToEvent(r: CustodyRow): CustodyEvent {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    action: r.action as CustodyAction,
    subject: r.subject,
    details: JSON.parse(r.details) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
    signature: r.signature,
    signer: r.signer,
  };
}

/**
 * The custodian acting for a command. `sign` returns the base64 Ed25519 signature (RFC 8032) of
 * the event's hash, taken as its 64 hex characters in UTF-8; `fingerprint` is the SHA-256 of the
 * custodian's SubjectPublicKeyInfo DER, in hex (src/core/keys).
 */
export interface EventSigner {
  fingerprint: string;
  sign(hashHex: string): string;
}

/**
 * The details key through which a signed event's hash commits to its signer. The signature and
 * signer columns sit outside the hash, so on their own they could be set to NULL unnoticed (an
 * unsigned event is legitimate); `signedBy` inside the hashed details cannot be removed without
 * breaking the chain, and verify (keys/event-signatures.ts) names an event that records a signer
 * but carries no signature. Reserved: callers never set it themselves.
 */
export const SIGNED_BY = 'signedBy';

/**
 * Append one event to the chain. Call inside the caller's transaction when the event must commit
 * together with other rows (ingest.finished with its evidence). With a signer, the details record
 * the signer's fingerprint (`signedBy`, hashed), the event's hash is signed, and the signature and
 * signer fingerprint are stored beside it (the signature covers the hash, which covers the event
 * and, through prev_hash, all before it).
 */
export function appendEvent(db: Database.Database, e: NewEvent, signer?: EventSigner): CustodyEvent {
  // Reading the head and inserting after it must be one write transaction: case databases run
  // every transaction as BEGIN IMMEDIATE (store/sqlite.ts), so a concurrent append waits for this
  // one instead of taking the same seq.
  if (!db.inTransaction) return db.transaction(() => appendEventInTransaction(db, e, signer)).immediate();
  return appendEventInTransaction(db, e, signer);
}

function appendEventInTransaction(db: Database.Database, e: NewEvent, signer?: EventSigner): CustodyEvent {
  if (Object.hasOwn(e.details, SIGNED_BY)) {
    throw new ProbityError(
      'internal',
      `custody event ${e.action}: details.${SIGNED_BY} is set by appendEvent only`,
    );
  }
  const details = signer ? { ...e.details, [SIGNED_BY]: signer.fingerprint } : e.details;
  const last = db.prepare('SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined;
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const body = eventBody({
    seq,
    at: e.at ?? utcNow(),
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    details,
  });
  const hash = chainHash(prevHash, body);
  const signature = signer ? signer.sign(hash) : null;
  const signerFp = signer ? signer.fingerprint : null;
  db.prepare(
    `INSERT INTO custody (seq, at, actor, action, subject, details, prev_hash, hash, signature, signer)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    seq,
    body.at,
    body.actor,
    body.action,
    body.subject,
    canonicalJson(body.details),
    prevHash,
    hash,
    signature,
    signerFp,
  );
  return { ...body, prevHash, hash, signature, signer: signerFp };
}

export function listEvents(
  db: Database.Database,
  opts: { afterSeq?: number; limit?: number } = {},
): CustodyEvent[] {
  const rows = db
    .prepare('SELECT * FROM custody WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(opts.afterSeq ?? 0, opts.limit ?? -1) as CustodyRow[];
  return rows.map(rowToEvent);
}

export function chainHead(db: Database.Database): { lastSeq: number; lastHash: string } {
  const last = db.prepare('SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined;
  return { lastSeq: last?.seq ?? 0, lastHash: last?.hash ?? GENESIS_HASH };
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

/**
 * Recompute the whole chain. Reports the first seq at which each kind of break appears: a gap in
 * seq, a prev_hash that does not match the previous event's hash, a stored hash that does not match
 * the recomputed one (the event's content was edited), or details that are not valid JSON.
 */
export function verifyChain(db: Database.Database): {
  breaks: ChainBreak[];
  lastSeq: number;
  lastHash: string;
  count: number;
} {
  const breaks: ChainBreak[] = [];
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let lastSeq = 0;
  for (const r of db
    .prepare('SELECT * FROM custody ORDER BY seq')
    .iterate() as IterableIterator<CustodyRow>) {
    count++;
    if (r.seq !== expectedSeq) {
      breaks.push({
        seq: r.seq,
        reason: `expected seq ${expectedSeq} but found ${r.seq}: events are missing`,
      });
    }
    if (r.prev_hash !== expectedPrev) {
      breaks.push({ seq: r.seq, reason: `prev_hash does not match the hash of the event before it` });
    }
    let details: Record<string, unknown> | null = null;
    try {
      details = JSON.parse(r.details) as Record<string, unknown>;
    } catch {
      breaks.push({ seq: r.seq, reason: 'details are not valid JSON' });
    }
    if (details !== null) {
      const recomputed = chainHash(
        r.prev_hash,
        eventBody({
          seq: r.seq,
          at: r.at,
          actor: r.actor,
          action: r.action as CustodyAction,
          subject: r.subject,
          details,
        }),
      );
      if (recomputed !== r.hash) {
        breaks.push({ seq: r.seq, reason: 'event content does not match its hash: the row was edited' });
      }
    }
    expectedPrev = r.hash;
    expectedSeq = r.seq + 1;
    lastSeq = r.seq;
  }
  return { breaks, lastSeq, lastHash: expectedPrev, count };
}
