/**
 * The workstation witness log, `<home>/witness/heads.jsonl`: outside every case folder, append-only
 * and hash-chained like the custody log (custody.ts),
 *
 *   hash = sha256(prevHash || canonicalJson({seq, at, caseId, headSeq, headHash, source, details}))
 *
 * one entry per command that appended to a case, recording the case's chain head after it. A hash
 * chain proves its inside, not its end: whoever can write a case can cut its tail or copy back an
 * older case.db and the chain still recomputes. The heads witnessed here catch that — verify
 * compares the case with every head recorded for it (verify.ts). Entries are signed (Ed25519 over
 * the hash, as custody events are) when the command ran for a custodian who signs.
 *
 * What it cannot catch: someone who can rewrite this file as well as the case (it is chained, so
 * an edit inside it shows, but it can be cut or replaced whole like a case can). Copies held
 * elsewhere — exported witness entries, signed checkpoints, report bundles — close that.
 */
import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError, describeFsError } from '../util/errors';
import { utcNow } from '../util/format';
import { GENESIS_HASH, type EventSigner } from './custody';
import { acquireLock } from './lock';
import { chainHash, verifyHashChain } from '../util/hash-chain';

export interface WitnessBody {
  seq: number;
  at: string;
  caseId: string;
  headSeq: number;
  headHash: string;
  /** What appended: the command or operation ("probity ingest", "case import", …). */
  source: string;
  details: Record<string, unknown>;
}

export interface WitnessEntry extends WitnessBody {
  prevHash: string;
  hash: string;
  signature: string | null;
  signer: string | null;
}

export function witnessFile(home: string): string {
  return path.join(home, 'witness', 'heads.jsonl');
}

export function witnessEntryHash(prevHash: string, e: WitnessBody): string {
  const body = {
    seq: e.seq,
    at: e.at,
    caseId: e.caseId,
    headSeq: e.headSeq,
    headHash: e.headHash,
    source: e.source,
    details: e.details,
  };
  return chainHash(prevHash, body);
}

export function isWitnessEntry(v: unknown): v is WitnessEntry {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.seq === 'number' &&
    typeof o.at === 'string' &&
    typeof o.caseId === 'string' &&
    typeof o.headSeq === 'number' &&
    typeof o.headHash === 'string' &&
    /^[0-9a-f]{64}$/.test(o.headHash) &&
    typeof o.source === 'string' &&
    typeof o.details === 'object' &&
    o.details !== null &&
    typeof o.prevHash === 'string' &&
    typeof o.hash === 'string'
  );
}

/**
 * Every entry of a witness log text, and one problem per line that is not an entry (named by
 * line). A damaged line does not hide the entries around it.
 */
export function parseWitness(text: string, file: string): { entries: WitnessEntry[]; problems: string[] } {
  const entries: WitnessEntry[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problems.push(`${file}: line ${i + 1}: not JSON`);
      return;
    }
    if (!isWitnessEntry(parsed)) {
      problems.push(`${file}: line ${i + 1}: not a witness entry`);
      return;
    }
    entries.push({ ...parsed, signature: parsed.signature ?? null, signer: parsed.signer ?? null });
  });
  return { entries, problems };
}

/** The workstation's witness entries; an absent log is empty. */
export function readWitness(home: string): { file: string; entries: WitnessEntry[]; problems: string[] } {
  const file = witnessFile(home);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, entries: [], problems: [] };
    throw new ProbityError('unreadable', `${file}: ${describeFsError(err)}`, { file, cause: err });
  }
  return { file, ...parseWitness(text, file) };
}

/** Recompute the witness chain; one message per break, naming the entry's seq. */
export function verifyWitnessChain(entries: WitnessEntry[]): string[] {
  return verifyHashChain(entries, GENESIS_HASH, witnessEntryHash);
}

/**
 * Append one head (fsynced), under `<file>.lock`. A log whose chain is damaged is still extended —
 * refusing would stop every command — and verify keeps naming the damage.
 */
export function appendWitness(
  home: string,
  e: { caseId: string; headSeq: number; headHash: string; source: string; details?: Record<string, unknown> },
  signer?: EventSigner,
): WitnessEntry {
  const file = witnessFile(home);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ProbityError('unreadable', `${path.dirname(file)}: ${describeFsError(err)}`, {
      file,
      cause: err,
    });
  }
  const release = acquireLock(`${file}.lock`, 'witness', { waitMs: 30_000, busy: file });
  try {
    const { entries } = readWitness(home);
    const last = entries[entries.length - 1];
    const body: WitnessBody = {
      seq: (last?.seq ?? 0) + 1,
      at: utcNow(),
      caseId: e.caseId,
      headSeq: e.headSeq,
      headHash: e.headHash,
      source: e.source,
      details: e.details ?? {},
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const hash = witnessEntryHash(prevHash, body);
    const entry: WitnessEntry = {
      ...body,
      prevHash,
      hash,
      signature: signer ? signer.sign(hash) : null,
      signer: signer ? signer.fingerprint : null,
    };
    let fd: number | null = null;
    try {
      fd = fs.openSync(file, 'a', 0o600);
      fs.writeSync(fd, `${canonicalJson(entry)}\n`);
      fs.fsyncSync(fd);
    } catch (err) {
      throw new ProbityError(
        (err as NodeJS.ErrnoException).code === 'ENOSPC' ? 'disk-full' : 'unreadable',
        `${file}: cannot record the case head: ${describeFsError(err)}`,
        { file, cause: err },
      );
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
    return entry;
  } finally {
    release();
  }
}

/** A chain head that someone or something outside the case recorded. */
export interface WitnessedHead {
  seq: number;
  hash: string;
  at: string;
  /** Names the witness in messages: "the workstation witness log (entry 12, probity ingest)". */
  witness: string;
}
