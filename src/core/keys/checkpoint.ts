/**
 * Signed checkpoints of a case's custody chain, in the spirit of C2SP tlog checkpoints: a small
 * statement of the chain head — `{caseId, lastSeq, lastHash, at}` — that a custodian signs and a
 * second custodian pins. Later, anyone holding the checkpoint can ask: is the event at lastSeq
 * still the one with lastHash, and does the chain still recompute? If so, nothing up to lastSeq
 * was changed since the checkpoint was signed, even by someone able to rewrite the whole log.
 *
 * The signature is Ed25519 (RFC 8032) over the canonical JSON of the checkpoint (util/canonical-json),
 * as UTF-8 bytes, base64.
 */
import type { CustodyEvent } from '../../shared/domain';
import { appendEvent, chainHead, verifyChain } from '../store/custody';
import type { CaseStore } from '../store/workstation';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { prepareCaseSigner } from './case-signer';
import { describeKey, type Keyring, type UnlockedCustodian } from './custodians';
import { signText, verifyText } from './ed25519';
import { keyUseProblem, signedRanges } from './event-signatures';
import { checkpointsAfter, hashAt } from './queries';

export interface Checkpoint {
  caseId: string;
  lastSeq: number;
  lastHash: string;
  at: string;
}

export interface SignedCheckpoint {
  checkpoint: Checkpoint;
  /** base64 Ed25519 signature over canonicalJson(checkpoint) in UTF-8. */
  signature: string;
  signer: { name: string; fingerprint: string };
}

export function checkpointText(c: Checkpoint): string {
  return canonicalJson({ caseId: c.caseId, lastSeq: c.lastSeq, lastHash: c.lastHash, at: c.at });
}

/**
 * Sign the current chain head and record the checkpoint as a signed custody event. The custodian's
 * key introduction (case-signer.ts) is appended first, so the checkpoint covers it.
 */
export function signCheckpoint(
  store: CaseStore,
  home: string,
  custodian: UnlockedCustodian,
  actor: string,
): { signed: SignedCheckpoint; event: CustodyEvent } {
  const signer = prepareCaseSigner(store.db, home, custodian, actor);
  const chain = verifyChain(store.db);
  if (chain.breaks.length) {
    const b = chain.breaks[0]!;
    throw new ProbityError(
      'verification-failed',
      `${store.id}: custody log: chain broken at seq ${b.seq}: ${b.reason}; refusing to sign a checkpoint over it`,
    );
  }
  const head = chainHead(store.db);
  const checkpoint: Checkpoint = {
    caseId: store.id,
    lastSeq: head.lastSeq,
    lastHash: head.lastHash,
    at: utcNow(),
  };
  const signed: SignedCheckpoint = {
    checkpoint,
    signature: signText(custodian.privateKey, checkpointText(checkpoint)),
    signer: { name: custodian.name, fingerprint: custodian.fingerprint },
  };
  const event = appendEvent(
    store.db,
    {
      actor,
      action: 'checkpoint.signed',
      subject: store.id,
      at: checkpoint.at,
      // The signatures made so far, so that none of them can be stripped later unseen
      // (event-signatures.ts), including those of events recorded before `signedBy` existed.
      details: {
        ...signed,
        signedEvents: { throughSeq: head.lastSeq, ranges: signedRanges(store.db, head.lastSeq) },
      },
    },
    signer,
  );
  // The workstation witness log keeps the signed checkpoint too, outside the case: case export
  // carries the latest one even when the case itself was cut before it.
  store.witnessSigner = signer;
  store.witness({ checkpoint: signed });
  return { signed, event };
}

/** Parse a checkpoint file (the JSON `probity checkpoint` prints); names what is wrong with it. */
export function parseSignedCheckpoint(text: string, file: string): SignedCheckpoint {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ProbityError('malformed', `${file}: not JSON`, { file });
  }
  const o = v as Partial<SignedCheckpoint> | null;
  const c = o?.checkpoint;
  const ok =
    typeof o?.signature === 'string' &&
    typeof o.signer?.fingerprint === 'string' &&
    typeof o.signer.name === 'string' &&
    typeof c?.caseId === 'string' &&
    typeof c.lastSeq === 'number' &&
    typeof c.lastHash === 'string' &&
    typeof c.at === 'string';
  if (!ok) throw new ProbityError('malformed', `${file}: not a signed checkpoint`, { file });
  return o as SignedCheckpoint;
}

/** Problems with the checkpoint's own signature, judged against the known keys. */
export function checkCheckpointSignature(signed: SignedCheckpoint, keyring: Keyring): string[] {
  const key = keyring.get(signed.signer.fingerprint);
  if (!key) return [`checkpoint signed by an unknown custodian (${signed.signer.fingerprint})`];
  if (!verifyText(key.publicKey, checkpointText(signed.checkpoint), signed.signature)) {
    return [`checkpoint signature does not verify for custodian ${describeKey(key)}`];
  }
  const misuse = keyUseProblem(key, signed.checkpoint.at);
  return misuse ? [`checkpoint ${misuse}`] : [];
}

/**
 * The checkpoint's own `checkpoint.signed` event, recorded right after the head it signs, must
 * still be in the case: a log cut between the head and that event keeps the head (so the pinned
 * hash still matches) but loses the record of the signing, and everything after it.
 */
export function checkCheckpointEvent(store: CaseStore, signed: SignedCheckpoint): string[] {
  const c = signed.checkpoint;
  if (c.caseId !== store.id) return [`checkpoint is for case ${c.caseId}, not ${store.id}`];
  for (const r of checkpointsAfter(store.db, c.lastSeq)) {
    try {
      const d = JSON.parse(r.details) as Partial<SignedCheckpoint>;
      if (d.signature === signed.signature && d.checkpoint?.lastSeq === c.lastSeq) return [];
    } catch {
      // Reported as a chain break.
    }
  }
  return [
    `custody log: the checkpoint's own event (checkpoint.signed after seq ${c.lastSeq}, signed by ${signed.signer.name}) is gone: the log was cut or rolled back after the checkpoint was signed`,
  ];
}

/**
 * Check a pinned checkpoint against a case: its signature, the case id, the event at lastSeq
 * still carrying lastHash, its own checkpoint.signed event still there, and the whole chain still
 * recomputing.
 */
export function checkCheckpointAgainstCase(
  store: CaseStore,
  signed: SignedCheckpoint,
  keyring: Keyring,
): string[] {
  const problems = checkCheckpointSignature(signed, keyring);
  const c = signed.checkpoint;
  if (c.caseId !== store.id) problems.push(`checkpoint is for case ${c.caseId}, not ${store.id}`);
  const hash = hashAt(store.db, c.lastSeq);
  if (c.lastSeq > 0 && hash === undefined)
    problems.push(`custody log: seq ${c.lastSeq} is gone (the checkpoint pins it)`);
  else if (hash !== undefined && hash !== c.lastHash)
    problems.push(`custody log: seq ${c.lastSeq}: hash is ${hash}, the checkpoint pins ${c.lastHash}`);
  if (c.caseId === store.id) problems.push(...checkCheckpointEvent(store, signed));
  for (const b of verifyChain(store.db).breaks)
    problems.push(`custody log: chain broken at seq ${b.seq}: ${b.reason}`);
  return problems;
}
