/**
 * `probity report verify <dir>`: the checks VERIFY.txt gives, done by Probity, plus two that the
 * shell commands cannot do in one line:
 *
 * 1. MANIFEST.sha256 (sha256sum format) names exactly the files of the folder: each listed file
 *    is present with that SHA-256 (else "altered" / "missing"); any other file is "extra".
 * 2. MANIFEST.sha256.sig is a valid Ed25519 signature (RFC 8032) of the manifest's bytes by the
 *    key in signer.pub.pem; with a pin, that key's fingerprint must be the pinned one.
 * 3. custody-log.jsonl recomputes as a chain, its event signatures verify against the keys the
 *    log itself introduces (custodian.key events), no signature that an event's own hashed content
 *    (or a signed checkpoint's list of signed events) says was made is missing or replaced, and its
 *    head is report.json's chain head.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fingerprintOf, readPublicKeyPem } from '../keys/key-file';
import { verifyBytes, verifyText } from '../keys/ed25519';
import { committedSigner } from '../keys/event-signatures';
import { GENESIS_HASH, chainHash, eventBody } from '../store/custody';
import type { CustodyAction } from '../../shared/domain';
import { ProbityError, describeFsError } from '../util/errors';
import { parseChecksums, sha256File } from './sha256sum';
import { MANIFEST, MANIFEST_SIG, SIGNER_PUB } from './verify-text';

export interface BundleVerification {
  ok: boolean;
  dir: string;
  problems: string[];
  filesChecked: number;
  signer: { fingerprint: string } | null;
  chainHead: { lastSeq: number; lastHash: string } | null;
}

const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;

/** A fingerprint as typed: colons and spaces dropped, lower case; must be 64 hex digits. */
export function normaliseFingerprint(text: string): string {
  const fp = text.replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(fp)) {
    throw new ProbityError(
      'usage',
      `--pin ${text}: not a fingerprint (64 hex digits, the SHA-256 of the public key)`,
    );
  }
  return fp;
}

function readSmall(file: string): Buffer | null {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return null;
  if (!st.isFile()) throw new ProbityError('malformed', `${file}: not a regular file`, { file });
  if (st.size > MANIFEST_MAX_BYTES)
    throw new ProbityError('malformed', `${file}: too large (${st.size} bytes)`, { file });
  return fs.readFileSync(file);
}

async function checkFiles(dir: string, manifest: string, problems: string[]): Promise<number> {
  const { lines, bad } = parseChecksums(manifest);
  for (const n of bad) problems.push(`${MANIFEST}: line ${n}: not a sha256sum line`);
  const listed = new Set<string>();
  let checked = 0;
  for (const l of lines) {
    if (l.name.includes('/') || l.name === '.' || l.name === '..' || listed.has(l.name)) {
      problems.push(`${MANIFEST}: ${JSON.stringify(l.name)}: not a file name of this bundle`);
      continue;
    }
    listed.add(l.name);
    const file = path.join(dir, l.name);
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!st) {
      problems.push(`${l.name}: missing (listed in ${MANIFEST})`);
      continue;
    }
    if (!st.isFile()) {
      problems.push(`${l.name}: not a regular file`);
      continue;
    }
    const actual = await sha256File(file);
    checked++;
    if (actual !== l.sha256)
      problems.push(`${l.name}: altered: sha256 is ${actual}, ${MANIFEST} lists ${l.sha256}`);
  }
  for (const name of fs.readdirSync(dir).sort()) {
    if (name === MANIFEST || name === MANIFEST_SIG || listed.has(name)) continue;
    problems.push(`${name}: extra file, not listed in ${MANIFEST}`);
  }
  return checked;
}

function checkSignature(
  dir: string,
  manifest: Buffer,
  pin: string | null,
  problems: string[],
): { fingerprint: string } | null {
  const sig = readSmall(path.join(dir, MANIFEST_SIG));
  const pem = readSmall(path.join(dir, SIGNER_PUB));
  if (!sig && !pem) {
    if (pin)
      problems.push(`${MANIFEST_SIG}: missing: the bundle is not signed, but --pin ${pin} requires it`);
    return null;
  }
  if (!pem) {
    problems.push(`${SIGNER_PUB}: missing: cannot check ${MANIFEST_SIG}`);
    return null;
  }
  let key: ReturnType<typeof readPublicKeyPem>;
  try {
    key = readPublicKeyPem(pem, SIGNER_PUB);
  } catch (err) {
    problems.push((err as Error).message);
    return null;
  }
  const fingerprint = fingerprintOf(key);
  if (!sig) problems.push(`${MANIFEST_SIG}: missing (the bundle has ${SIGNER_PUB}, so it was signed)`);
  else if (!verifyBytes(key, manifest, sig)) {
    problems.push(
      `${MANIFEST_SIG}: bad signature: it does not verify ${MANIFEST} with ${SIGNER_PUB} (${fingerprint})`,
    );
  }
  if (pin && fingerprint !== pin)
    problems.push(`${SIGNER_PUB}: signed by ${fingerprint}, not by the pinned ${pin}`);
  return { fingerprint };
}

interface LogLine {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  signature: string | null;
  signer: string | null;
}

/** Recompute custody-log.jsonl; check signatures with the keys its custodian.key events carry. */
function checkCustodyLog(dir: string, problems: string[]): { lastSeq: number; lastHash: string } | null {
  const file = path.join(dir, 'custody-log.jsonl');
  if (!fs.existsSync(file)) return null; // reported as missing by the manifest check
  const keys = new Map<string, ReturnType<typeof readPublicKeyPem>>();
  const signerOf = new Map<number, string | null>();
  const checkpoints: LogLine[] = [];
  let prev = GENESIS_HASH;
  let lastSeq = 0;
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  for (const [i, text] of lines.entries()) {
    let e: LogLine;
    try {
      e = JSON.parse(text) as LogLine;
    } catch {
      problems.push(`custody-log.jsonl: line ${i + 1}: not JSON`);
      return null;
    }
    const where = `custody-log.jsonl: seq ${e.seq}`;
    if (e.seq !== lastSeq + 1) problems.push(`${where}: expected seq ${lastSeq + 1}`);
    if (e.prev_hash !== prev) problems.push(`${where}: prev_hash does not match the event before it`);
    const body = eventBody({ ...e, action: e.action as CustodyAction });
    if (chainHash(e.prev_hash, body) !== e.hash) problems.push(`${where}: event does not match its hash`);
    if (e.action === 'custodian.key' && typeof e.details.publicKeyPem === 'string') {
      try {
        const k = readPublicKeyPem(e.details.publicKeyPem, `${where}: publicKeyPem`);
        keys.set(fingerprintOf(k), k);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    const committed = committedSigner(e.action, e.details);
    if (committed !== null && (e.signature === null || e.signer === null))
      problems.push(`${where}: signature removed (signed by ${committed} when recorded)`);
    else if (committed !== null && e.signer !== committed)
      problems.push(`${where}: re-signed by ${e.signer} (signed by ${committed} when recorded)`);
    signerOf.set(e.seq, e.signature !== null ? e.signer : null);
    if (e.action === 'checkpoint.signed') checkpoints.push(e);
    if (e.signature !== null && e.signer !== null) {
      const k = keys.get(e.signer);
      if (!k) problems.push(`${where}: signed by ${e.signer}, whose key the log does not introduce`);
      else if (!verifyText(k, e.hash, e.signature))
        problems.push(`${where}: signature does not verify for ${e.signer}`);
    }
    prev = e.hash;
    lastSeq = e.seq;
  }
  checkCheckpointRanges(checkpoints, signerOf, problems);
  return { lastSeq, lastHash: prev };
}

/** The signatures each signed checkpoint lists must still be on their events. */
function checkCheckpointRanges(
  checkpoints: LogLine[],
  signerOf: Map<number, string | null>,
  problems: string[],
): void {
  for (const cp of checkpoints) {
    const ranges = (cp.details.signedEvents as { ranges?: Record<string, [number, number][]> } | undefined)
      ?.ranges;
    for (const [fp, list] of Object.entries(ranges ?? {})) {
      for (const [from, to] of Array.isArray(list) ? list : []) {
        for (let seq = from; seq <= to; seq++) {
          if (signerOf.get(seq) === fp) continue;
          problems.push(
            `custody-log.jsonl: seq ${seq}: signature removed (signed by ${fp}, as the signed checkpoint at seq ${cp.seq} records)`,
          );
        }
      }
    }
  }
}

function checkReportHead(
  dir: string,
  head: { lastSeq: number; lastHash: string } | null,
  problems: string[],
): void {
  const file = path.join(dir, 'report.json');
  if (!head || !fs.existsSync(file)) return;
  let report: { chainHead?: { lastSeq?: number; lastHash?: string } };
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof report;
  } catch {
    problems.push('report.json: not JSON');
    return;
  }
  if (report.chainHead?.lastHash !== head.lastHash || report.chainHead.lastSeq !== head.lastSeq) {
    problems.push(
      `report.json: chain head seq ${report.chainHead?.lastSeq} does not match custody-log.jsonl (seq ${head.lastSeq}, ${head.lastHash})`,
    );
  }
}

/** The fingerprint report.html's "Signed by" row shows, or null when it says unsigned / is absent. */
function htmlSigner(html: string): { fingerprint: string | null; unsigned: boolean } | null {
  const at = html.indexOf('>Signed by<');
  if (at < 0) return null;
  const end = html.indexOf('</tr>', at);
  const row = html.slice(at, end < 0 ? undefined : end);
  const m = /<code class="hash">([0-9a-f]{64})<\/code>/.exec(row);
  return { fingerprint: m ? m[1]! : null, unsigned: row.includes('unsigned bundle') };
}

/**
 * The key in signer.pub.pem must be the one report.json and report.html name: a bundle re-signed
 * with another key (a valid signature, a different signer) fails here even without --pin. A
 * report.json that names a signer while the signature or key is gone fails too: the signature
 * was stripped. And a signed bundle's custody log ends with the checkpoint its signer signed
 * when exporting (report/bundle.ts).
 */
function checkNamedSigner(dir: string, signer: { fingerprint: string } | null, problems: string[]): void {
  const jsonFile = path.join(dir, 'report.json');
  let named: { name?: string; fingerprint?: string } | null | undefined;
  if (fs.existsSync(jsonFile)) {
    try {
      named = (JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { signer?: typeof named }).signer ?? null;
    } catch {
      named = undefined; // reported by the head check
    }
  }
  const hasSig = fs.existsSync(path.join(dir, MANIFEST_SIG));
  const hasPub = fs.existsSync(path.join(dir, SIGNER_PUB));
  if (named && typeof named.fingerprint === 'string') {
    const who = `${named.name ?? 'a custodian'} (${named.fingerprint})`;
    if (!hasSig || !hasPub) {
      const gone = [!hasSig ? MANIFEST_SIG : null, !hasPub ? SIGNER_PUB : null].filter(Boolean).join(' and ');
      problems.push(
        `report.json: says the bundle is signed by ${who}, but ${gone} ${!hasSig && !hasPub ? 'are' : 'is'} missing: the signature was removed`,
      );
    } else if (signer && signer.fingerprint !== named.fingerprint) {
      problems.push(
        `${SIGNER_PUB}: holds key ${signer.fingerprint}, but report.json names ${who}: the bundle was re-signed with another key`,
      );
    }
  } else if (named === null && signer) {
    problems.push(
      `report.json: says the bundle is unsigned, but ${SIGNER_PUB} holds key ${signer.fingerprint}`,
    );
  }
  const htmlFile = path.join(dir, 'report.html');
  if (fs.existsSync(htmlFile)) {
    const h = htmlSigner(fs.readFileSync(htmlFile, 'utf8'));
    if (h?.fingerprint && signer && h.fingerprint !== signer.fingerprint)
      problems.push(
        `${SIGNER_PUB}: holds key ${signer.fingerprint}, but report.html names ${h.fingerprint}: the bundle was re-signed with another key`,
      );
    if (h?.fingerprint && !signer && (!hasSig || !hasPub))
      problems.push(
        `report.html: says the bundle is signed by ${h.fingerprint}, but the signature was removed`,
      );
    if (h?.unsigned && signer)
      problems.push(
        `report.html: says the bundle is unsigned, but ${SIGNER_PUB} holds key ${signer.fingerprint}`,
      );
  }
}

export async function verifyReportBundle(
  dirArg: string,
  opts: { pin?: string | null } = {},
): Promise<BundleVerification> {
  const dir = path.resolve(dirArg);
  const pin = opts.pin ? normaliseFingerprint(opts.pin) : null;
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory()) {
    throw new ProbityError(
      'unreadable',
      `${dirArg}: ${st ? 'not a folder' : describeFsError({ code: 'ENOENT' })}`,
      {
        file: dirArg,
      },
    );
  }
  const problems: string[] = [];
  const manifest = readSmall(path.join(dir, MANIFEST));
  if (!manifest) {
    return {
      ok: false,
      dir,
      problems: [`${MANIFEST}: missing`],
      filesChecked: 0,
      signer: null,
      chainHead: null,
    };
  }
  const filesChecked = await checkFiles(dir, manifest.toString('utf8'), problems);
  const signer = checkSignature(dir, manifest, pin, problems);
  const chainHead = checkCustodyLog(dir, problems);
  checkReportHead(dir, chainHead, problems);
  checkNamedSigner(dir, signer, problems);
  return { ok: problems.length === 0, dir, problems, filesChecked, signer, chainHead };
}
