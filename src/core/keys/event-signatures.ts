/**
 * Check the Ed25519 signatures (RFC 8032) of a case's custody events against the custodian keys
 * known on the workstation. An event's signature covers its `hash` as 64 hex characters of UTF-8;
 * the hash covers the event and, through prev_hash, everything before it (custody.ts).
 *
 * Judged per event:
 * - signature and signer must come together;
 * - the signer fingerprint must be a known key (else: unknown custodian);
 * - the signature must verify;
 * - the event's time must not be after the key was retired by a rotation or revoked. The time is
 *   the event's own `at`, which the chain protects but which the signer wrote: a signature dated
 *   before a revocation is trusted as far as the custodian was trusted then.
 */
import type Database from 'better-sqlite3';
import type { VerifyProblem } from '../../shared/domain';
import { describeKey, type Keyring, type KnownKey } from './custodians';
import { verifyText } from './ed25519';

interface SignedRow {
  seq: number;
  at: string;
  hash: string;
  signature: string | null;
  signer: string | null;
}

function problem(seq: number, signer: string | null, reason: string): VerifyProblem {
  return { kind: 'signature-invalid', seq, signer, reason };
}

/** Why a signature made at `at` by `key` is not acceptable, or null when it is. */
export function keyUseProblem(key: KnownKey, at: string): string | null {
  if (key.status === 'revoked' && key.endedAt !== null && at > key.endedAt) {
    return `signed by custodian ${describeKey(key)} after the key was revoked at ${key.endedAt}${key.reason ? ` (${key.reason})` : ''}`;
  }
  if (key.status === 'retired' && key.endedAt !== null && at > key.endedAt) {
    return `signed by custodian ${describeKey(key)} after the key was retired by rotation at ${key.endedAt}`;
  }
  return null;
}

/** Judge one event's signature; null when it holds. */
export function checkEventSignature(row: SignedRow, keyring: Keyring): VerifyProblem | null {
  if (row.signature === null && row.signer === null) return null;
  if (row.signature === null)
    return problem(row.seq, row.signer, `signer ${row.signer} recorded without a signature`);
  if (row.signer === null) return problem(row.seq, null, 'a signature is recorded without a signer');
  const key = keyring.get(row.signer);
  if (!key) {
    return problem(
      row.seq,
      row.signer,
      `signed by an unknown custodian (${row.signer}): no such public key on this workstation`,
    );
  }
  if (!verifyText(key.publicKey, row.hash, row.signature)) {
    return problem(row.seq, row.signer, `signature does not verify for custodian ${describeKey(key)}`);
  }
  const misuse = keyUseProblem(key, row.at);
  return misuse === null ? null : problem(row.seq, row.signer, misuse);
}

/** Every signed event of the case, checked; problems in seq order. */
export function checkEventSignatures(db: Database.Database, keyring: Keyring): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const row of db
    .prepare(
      'SELECT seq, at, hash, signature, signer FROM custody WHERE signature IS NOT NULL OR signer IS NOT NULL ORDER BY seq',
    )
    .iterate() as IterableIterator<SignedRow>) {
    const p = checkEventSignature(row, keyring);
    if (p) problems.push(p);
  }
  return problems;
}

/** Count of signed events and the distinct signer fingerprints, for summaries. */
export function signatureSummary(db: Database.Database): {
  signed: number;
  unsigned: number;
  signers: string[];
} {
  const r = db
    .prepare('SELECT count(signature) AS signed, count(*) - count(signature) AS unsigned FROM custody')
    .get() as { signed: number; unsigned: number };
  const signers = (
    db.prepare('SELECT DISTINCT signer FROM custody WHERE signer IS NOT NULL ORDER BY signer').all() as {
      signer: string;
    }[]
  ).map((x) => x.signer);
  return { signed: r.signed, unsigned: r.unsigned, signers };
}
