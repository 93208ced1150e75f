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
 *
 * Stripped signatures. The signature and signer columns are outside the hash, and an unsigned event
 * is legitimate, so someone who drops the append-only trigger could set both to NULL and leave the
 * chain intact. The defence is a commitment inside the hashed content: an event is "signed when
 * recorded" by fingerprint F when
 * - its details carry `signedBy: F` (every event appendEvent signs records this, custody.ts), or
 * - it is a `custodian.key` event introducing F, or a `checkpoint.signed` event whose checkpoint
 *   was signed by F: case-signer.ts and checkpoint.ts always sign these with that same key, so the
 *   rule holds for cases recorded before `signedBy` existed too.
 * - a signed checkpoint recorded after it lists it among the signed events (`signedEvents`: every
 *   seq through the checkpoint that carried a signature then, by fingerprint, as seq ranges). This
 *   reaches back over events recorded before `signedBy` existed: one checkpoint signed on an older
 *   case protects all its earlier signatures.
 * Such an event must still carry a valid signature by F: a missing signature is reported as
 * `signature-removed`, naming the seq and F; a valid signature by another key as re-signed.
 * Changing `signedBy` or a checkpoint's list changes that event's hash and breaks the chain. What
 * stays unseen: a signature stripped from an event of an older case that is neither a key
 * introduction nor a checkpoint, and that no later checkpoint lists. A "once signed, always
 * signed" rule would catch more, but it would flag every legitimate unsigned event a command
 * appends without --sign-as after a custodian has signed, so it is not used.
 */
import type Database from 'better-sqlite3';
import type { VerifyProblem } from '../../shared/domain';
import { SIGNED_BY } from '../store/custody';
import { describeKey, type Keyring, type KnownKey } from './custodians';
import { verifyText } from './ed25519';
import { rawDetailsOfAction, signatureCounts, signatureRows, signedEventsThrough } from './queries';

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

/**
 * The fingerprint that an event's hashed content says signed it when it was recorded, or null when
 * the content makes no such claim (see the header: `signedBy`, `custodian.key`, `checkpoint.signed`).
 */
export function committedSigner(action: string, details: Record<string, unknown>): string | null {
  const signedBy = details[SIGNED_BY];
  if (typeof signedBy === 'string') return signedBy;
  if (action === 'custodian.key' && typeof details.fingerprint === 'string') return details.fingerprint;
  if (action === 'checkpoint.signed') {
    const fp = (details.signer as { fingerprint?: unknown } | undefined)?.fingerprint;
    if (typeof fp === 'string') return fp;
  }
  return null;
}

/** Signed events through a seq, by signer fingerprint, as inclusive [from, to] seq ranges. */
export type SignedRanges = Record<string, [number, number][]>;

/**
 * The signed events of the case through `throughSeq`, for a checkpoint to record (checkpoint.ts):
 * once recorded in a hashed, signed event, these signatures can no longer be stripped unseen.
 */
export function signedRanges(db: Database.Database, throughSeq: number): SignedRanges {
  const ranges: SignedRanges = {};
  for (const r of signedEventsThrough(db, throughSeq)) {
    const list = (ranges[r.signer] ??= []);
    const last = list.at(-1);
    if (last && last[1] === r.seq - 1) last[1] = r.seq;
    else list.push([r.seq, r.seq]);
  }
  return ranges;
}

/** Seq → the fingerprint a signed checkpoint lists it as signed by (the latest checkpoint wins). */
function listedByCheckpoints(
  db: Database.Database,
): Map<number, { fingerprint: string; checkpointSeq: number }> {
  const listed = new Map<number, { fingerprint: string; checkpointSeq: number }>();
  for (const r of rawDetailsOfAction(db, 'checkpoint.signed')) {
    let ranges: unknown;
    try {
      ranges = (JSON.parse(r.details) as { signedEvents?: { ranges?: unknown } }).signedEvents?.ranges;
    } catch {
      continue; // reported as a chain break
    }
    if (typeof ranges !== 'object' || ranges === null) continue;
    for (const [fingerprint, list] of Object.entries(ranges)) {
      if (!Array.isArray(list)) continue;
      for (const range of list as unknown[]) {
        if (!Array.isArray(range) || range.length !== 2) continue;
        const [from, to] = range as unknown[];
        if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) continue;
        // A checkpoint lists only seqs before itself; anything else is not its to vouch for.
        for (let seq = Math.max(1, from as number); seq <= Math.min(to as number, r.seq - 1); seq++)
          listed.set(seq, { fingerprint, checkpointSeq: r.seq });
      }
    }
  }
  return listed;
}

/** Custodian names the case itself records (custodian.key events), by fingerprint. */
function namesInCase(db: Database.Database): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of rawDetailsOfAction(db, 'custodian.key')) {
    try {
      const d = JSON.parse(r.details) as { name?: unknown; fingerprint?: unknown };
      if (typeof d.name === 'string' && typeof d.fingerprint === 'string') names.set(d.fingerprint, d.name);
    } catch {
      // reported as a chain break
    }
  }
  return names;
}

/**
 * Every event of the case, checked: its signature when it has one, and its hashed commitment to a
 * signer when it makes one. At most one problem per event; problems in seq order.
 */
export function checkEventSignatures(db: Database.Database, keyring: Keyring): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  let names: Map<string, string> | null = null;
  const who = (fp: string) => {
    const known = keyring.get(fp);
    if (known) return `custodian ${describeKey(known)}`;
    names ??= namesInCase(db);
    const name = names.get(fp);
    return name === undefined ? fp : `custodian ${describeKey({ name, fingerprint: fp })}`;
  };
  const listed = listedByCheckpoints(db);
  for (const row of signatureRows(db)) {
    let committed: string | null = null;
    try {
      committed = committedSigner(row.action, JSON.parse(row.details) as Record<string, unknown>);
    } catch {
      // details that are not JSON are reported as a chain break
    }
    const list = committed === null ? listed.get(row.seq) : undefined;
    if (list) committed = list.fingerprint;
    if (committed !== null && row.signature === null) {
      const when = list ? `as the signed checkpoint at seq ${list.checkpointSeq} records` : 'when recorded';
      problems.push({
        kind: 'signature-removed',
        seq: row.seq,
        signer: committed,
        reason: `signature removed (signed by ${who(committed)} ${when})`,
      });
      continue;
    }
    const p = checkEventSignature(row, keyring);
    if (p) problems.push(p);
    else if (committed !== null && row.signer !== committed) {
      problems.push(
        problem(
          row.seq,
          row.signer,
          `re-signed: signed by ${who(committed)} when recorded, now by ${row.signer === null ? 'nobody' : who(row.signer)}`,
        ),
      );
    }
  }
  return problems;
}

/** Count of signed events and the distinct signer fingerprints, for summaries. */
export function signatureSummary(db: Database.Database): {
  signed: number;
  unsigned: number;
  signers: string[];
} {
  return signatureCounts(db);
}
