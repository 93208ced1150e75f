/**
 * What the custodian keys read of a case's custody log: signatures and signers, the keys a case
 * introduced, its checkpoints. Each statement is prepared once per database (store/statements.ts);
 * the row-by-row readers iterate, so a long log is never held in memory at once.
 */
import type Database from 'better-sqlite3';
import { statement } from '../store/statements';

type Db = Database.Database;

/** The parsed details of every event with this action, in seq order. */
export function detailsOfAction(db: Db, action: string): Record<string, unknown>[] {
  return (
    statement(db, 'SELECT details FROM custody WHERE action = ? ORDER BY seq').all(action) as {
      details: string;
    }[]
  ).map((r) => JSON.parse(r.details) as Record<string, unknown>);
}

/** The raw details of every event with this action, in seq order (unparsed: a bad one is the caller's to report). */
export function rawDetailsOfAction(
  db: Db,
  action: string,
): IterableIterator<{ seq: number; details: string }> {
  return statement(db, 'SELECT seq, details FROM custody WHERE action = ? ORDER BY seq').iterate(
    action,
  ) as IterableIterator<{ seq: number; details: string }>;
}

/** The details of the `checkpoint.signed` events after `seq`. */
export function checkpointsAfter(db: Db, seq: number): IterableIterator<{ details: string }> {
  return statement(
    db,
    "SELECT details FROM custody WHERE action = 'checkpoint.signed' AND seq > ? ORDER BY seq",
  ).iterate(seq) as IterableIterator<{ details: string }>;
}

/** Whether any event of the case is signed by this key. */
export function signedInCase(db: Db, fingerprint: string): boolean {
  return statement(db, 'SELECT 1 FROM custody WHERE signer = ? LIMIT 1').get(fingerprint) !== undefined;
}

/** The hash of the event at `seq`, or undefined when there is none. */
export function hashAt(db: Db, seq: number): string | undefined {
  const r = statement(db, 'SELECT hash FROM custody WHERE seq = ?').get(seq) as { hash: string } | undefined;
  return r?.hash;
}

/** The signed events through `seq`, with their signer, in seq order. */
export function signedEventsThrough(db: Db, seq: number): IterableIterator<{ seq: number; signer: string }> {
  return statement(
    db,
    'SELECT seq, signer FROM custody WHERE seq <= ? AND signature IS NOT NULL AND signer IS NOT NULL ORDER BY seq',
  ).iterate(seq) as IterableIterator<{ seq: number; signer: string }>;
}

export interface SignatureRow {
  seq: number;
  at: string;
  hash: string;
  action: string;
  details: string;
  signature: string | null;
  signer: string | null;
}

/** Every event of the case with what its signature check needs, in seq order. */
export function signatureRows(db: Db): IterableIterator<SignatureRow> {
  return statement(
    db,
    'SELECT seq, at, hash, action, details, signature, signer FROM custody ORDER BY seq',
  ).iterate() as IterableIterator<SignatureRow>;
}

/** Events signed and unsigned, and the fingerprints that signed any. */
export function signatureCounts(db: Db): { signed: number; unsigned: number; signers: string[] } {
  const r = statement(
    db,
    'SELECT count(signature) AS signed, count(*) - count(signature) AS unsigned FROM custody',
  ).get() as { signed: number; unsigned: number };
  const signers = (
    statement(db, 'SELECT DISTINCT signer FROM custody WHERE signer IS NOT NULL ORDER BY signer').all() as {
      signer: string;
    }[]
  ).map((x) => x.signer);
  return { signed: r.signed, unsigned: r.unsigned, signers };
}
