/**
 * `probity case import`: accept a case archive (case-export.ts) only if every check holds, in
 * this order, and say which failed:
 *
 * 1. the archive's members are exactly one case's files (case.db, objects named by their hash,
 *    the manifest, its signature and public key) — nothing else, no links, no duplicates;
 * 2. MANIFEST.sha256 parses, and if MANIFEST.sha256.sig is present it is a valid Ed25519
 *    signature by signer.pub.pem (and by the pinned key, with --pin);
 * 3. every member hashes to its manifest line as it is extracted, every object to its name;
 * 4. the extracted case passes a full verifyCase: custody chain, triggers, evidence and findings
 *    cross-checks, every object re-hashed, every event signature checked against the keys known
 *    here plus the keys the case's own custodian.key events introduce.
 *
 * Extraction goes to a staging folder inside cases/, renamed to cases/<case-id> only when all of
 * that passed; on any failure the staging folder is removed and nothing else changed. Keys learnt
 * from the case are then remembered as external custodians (custodians.ts) and listed, so the
 * user can compare their fingerprints out of band.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createHash } from 'node:crypto';
import type { CustodyEvent, VerifyReport } from '../../shared/domain';
import { indexTar } from '../io/archive/tar';
import { openEntryStream } from '../io/archive/source';
import type { ArchiveEntry, EntrySource } from '../io/archive/types';
import { prepareCaseSigner } from '../keys/case-signer';
import {
  addExternalKey,
  loadKeyring,
  Keyring,
  type KnownKey,
  type UnlockedCustodian,
} from '../keys/custodians';
import { verifyBytes } from '../keys/ed25519';
import { fingerprintOf, publicKeyPem, readPublicKeyPem } from '../keys/key-file';
import { appendEvent, chainHead } from '../store/custody';
import { parseSignedCheckpoint, type SignedCheckpoint } from '../keys/checkpoint';
import { describeKey } from '../keys/custodians';
import { verifyText } from '../keys/ed25519';
import {
  appendWitness,
  parseWitness,
  readWitness,
  witnessEntryHash,
  type WitnessedHead,
} from '../store/witness';
import { CHECKPOINT_MEMBER, WITNESS_MEMBER } from './case-export';
import { migrate } from '../store/schema';
import { openCaseDb } from '../store/sqlite';
import { verifyCase } from '../verify/verify';
import { CASE_ID_PATTERN, CaseStore, type Workstation } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { parseChecksums, sha256Of } from '../report/sha256sum';
import { normaliseFingerprint } from '../report/verify-bundle';
import { MANIFEST, MANIFEST_SIG, SIGNER_PUB } from '../report/verify-text';

export interface ImportCaseOptions {
  workstation: Workstation;
  file: string;
  actor: string;
  pin?: string | null;
  custodian?: UnlockedCustodian | null;
  workers?: number;
}

export interface ImportCaseResult {
  caseId: string;
  dir: string;
  objects: number;
  signer: { fingerprint: string; name: string | null } | null;
  /** Keys this workstation did not know before, learnt from the case. */
  newKeys: { name: string; fingerprint: string }[];
  verification: VerifyReport;
  event: CustodyEvent;
}

const OBJECT_PATH = /^objects\/sha256\/([0-9a-f]{2})\/([0-9a-f]{62})$/;
const SMALL_MEMBERS = new Set([MANIFEST, MANIFEST_SIG, SIGNER_PUB, WITNESS_MEMBER, CHECKPOINT_MEMBER]);
const SMALL_MAX = 16 * 1024 * 1024;

function refuse(file: string, reason: string): ProbityError {
  return new ProbityError('verification-failed', `${file}: refused: ${reason}`, { file });
}

interface Layout {
  caseId: string;
  files: Map<string, { entry: ArchiveEntry; source: EntrySource }>;
}

/** Check the member list: one case folder, only the names a case archive has. */
function layoutOf(file: string, entries: ArchiveEntry[], sources: Map<number, EntrySource>): Layout {
  let caseId: string | null = null;
  const files = new Map<string, { entry: ArchiveEntry; source: EntrySource }>();
  for (const e of entries) {
    const [top, ...rest] = e.path.split('/');
    if (!top || !CASE_ID_PATTERN.test(top))
      throw refuse(file, `${e.path}: not inside a case folder (AI-IR-YYYY-NNNN/)`);
    if (caseId !== null && top !== caseId) throw refuse(file, `${e.path}: a second case in one archive`);
    caseId = top;
    if (e.type === 'directory') continue;
    const rel = rest.join('/');
    if (e.type !== 'file') throw refuse(file, `${e.path}: a ${e.type}, not a regular file`);
    if (rel !== 'case.db' && !SMALL_MEMBERS.has(rel) && !OBJECT_PATH.test(rel))
      throw refuse(file, `${e.path}: unexpected member`);
    if (files.has(rel)) throw refuse(file, `${e.path}: appears twice`);
    const source = sources.get(e.index);
    if (!source) throw refuse(file, `${e.path}: no data`);
    files.set(rel, { entry: e, source });
  }
  if (caseId === null) throw refuse(file, 'empty archive');
  return { caseId, files };
}

async function readMember(source: EntrySource, name: string, file: string): Promise<Buffer> {
  if (source.length > SMALL_MAX) throw refuse(file, `${name}: too large (${source.length} bytes)`);
  const chunks: Buffer[] = [];
  for await (const c of openEntryStream(source)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The manifest and, when signed, the signer — checked against the signature and the pin. */
async function checkManifest(
  file: string,
  layout: Layout,
  pin: string | null,
): Promise<{ expected: Map<string, string>; signer: { fingerprint: string; pem: string } | null }> {
  const m = layout.files.get(MANIFEST);
  if (!m) throw refuse(file, `${layout.caseId}/${MANIFEST}: missing`);
  const manifest = await readMember(m.source, MANIFEST, file);
  const { lines, bad } = parseChecksums(manifest.toString('utf8'));
  if (bad.length) throw refuse(file, `${MANIFEST}: line ${bad[0]}: not a sha256sum line`);
  const expected = new Map(lines.map((l) => [l.name, l.sha256]));
  const sig = layout.files.get(MANIFEST_SIG);
  const pub = layout.files.get(SIGNER_PUB);
  let signer: { fingerprint: string; pem: string } | null = null;
  if (sig || pub) {
    if (!sig)
      throw refuse(file, `${MANIFEST_SIG}: missing (the archive has ${SIGNER_PUB}, so it was signed)`);
    if (!pub) throw refuse(file, `${SIGNER_PUB}: missing: cannot check ${MANIFEST_SIG}`);
    const pem = (await readMember(pub.source, SIGNER_PUB, file)).toString('utf8');
    const key = readPublicKeyPem(pem, SIGNER_PUB);
    const fingerprint = fingerprintOf(key);
    if (!verifyBytes(key, manifest, await readMember(sig.source, MANIFEST_SIG, file))) {
      throw refuse(
        file,
        `${MANIFEST_SIG}: bad signature: it does not verify ${MANIFEST} with ${SIGNER_PUB} (${fingerprint})`,
      );
    }
    signer = { fingerprint, pem: publicKeyPem(key) };
  }
  if (pin && !signer) throw refuse(file, `the archive is not signed, but --pin ${pin} requires it`);
  if (pin && signer && signer.fingerprint !== pin) {
    throw refuse(file, `${SIGNER_PUB}: signed by ${signer.fingerprint}, not by the pinned ${pin}`);
  }
  for (const rel of layout.files.keys()) {
    if (rel !== MANIFEST && rel !== MANIFEST_SIG && !expected.has(rel))
      throw refuse(file, `${rel}: not listed in ${MANIFEST}`);
  }
  for (const name of expected.keys()) {
    if (!layout.files.has(name)) throw refuse(file, `${name}: listed in ${MANIFEST} but not in the archive`);
  }
  return { expected, signer };
}

/** Stream one member to `dest`, hashing it; it must match the manifest (and, for objects, its name). */
async function extractMember(
  file: string,
  rel: string,
  source: EntrySource,
  dest: string,
  expected: string,
): Promise<void> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  await pipeline(openEntryStream(source), tap, fs.createWriteStream(dest, { flags: 'wx' }));
  const actual = hash.digest('hex');
  if (actual !== expected) throw refuse(file, `${rel}: sha256 is ${actual}, ${MANIFEST} lists ${expected}`);
  const m = OBJECT_PATH.exec(rel);
  if (m && `${m[1]}${m[2]}` !== actual) throw refuse(file, `${rel}: object does not hash to its name`);
  if (m) fs.chmodSync(dest, 0o444);
}

/**
 * The heads the archive carries (WITNESS.jsonl, CHECKPOINT.json; case-export.ts). Each witness
 * entry must still hash to itself and, when signed by a known key, verify; a damaged entry refuses
 * the archive. The files are listed in the manifest, so with a signed archive they are the
 * exporter's.
 */
function carriedWitnesses(
  file: string,
  caseId: string,
  staging: string,
  keyring: Keyring,
): { heads: WitnessedHead[]; checkpoint: { file: string; signed: SignedCheckpoint } | null } {
  const heads: WitnessedHead[] = [];
  const wfile = path.join(staging, WITNESS_MEMBER);
  if (fs.existsSync(wfile)) {
    const { entries, problems } = parseWitness(fs.readFileSync(wfile, 'utf8'), WITNESS_MEMBER);
    if (problems.length) throw refuse(file, problems[0]!);
    for (const e of entries) {
      if (e.caseId !== caseId)
        throw refuse(file, `${WITNESS_MEMBER}: entry ${e.seq} is for case ${e.caseId}`);
      if (witnessEntryHash(e.prevHash, e) !== e.hash)
        throw refuse(file, `${WITNESS_MEMBER}: entry ${e.seq} does not match its hash: it was edited`);
      const key = e.signer ? keyring.get(e.signer) : undefined;
      if (key && (e.signature === null || !verifyText(key.publicKey, e.hash, e.signature)))
        throw refuse(
          file,
          `${WITNESS_MEMBER}: entry ${e.seq}: signature does not verify for ${describeKey(key)}`,
        );
      heads.push({
        seq: e.headSeq,
        hash: e.headHash,
        at: e.at,
        witness: `the exporting workstation's witness log (entry ${e.seq}, ${e.source}, carried in ${WITNESS_MEMBER})`,
      });
    }
  }
  const cfile = path.join(staging, CHECKPOINT_MEMBER);
  const checkpoint = fs.existsSync(cfile)
    ? {
        file: CHECKPOINT_MEMBER,
        signed: parseSignedCheckpoint(fs.readFileSync(cfile, 'utf8'), CHECKPOINT_MEMBER),
      }
    : null;
  return { heads, checkpoint };
}

/** What this workstation itself witnessed of the case before (a copy it held earlier). */
function localHeads(home: string, caseId: string): WitnessedHead[] {
  return readWitness(home)
    .entries.filter((e) => e.caseId === caseId)
    .map((e) => ({
      seq: e.headSeq,
      hash: e.headHash,
      at: e.at,
      witness: `this workstation's witness log (entry ${e.seq}, ${e.source})`,
    }));
}

function openStaged(caseId: string, dir: string): CaseStore {
  return new CaseStore(caseId, dir, openCaseDb(path.join(dir, 'case.db'), { create: false, migrate }));
}

/** Keys the case introduces about itself (custodian.key events), that this workstation lacks. */
function keysFromCase(store: CaseStore, known: Keyring): KnownKey[] {
  const rows = store.db
    .prepare("SELECT details FROM custody WHERE action = 'custodian.key' ORDER BY seq")
    .all() as {
    details: string;
  }[];
  const learnt: KnownKey[] = [];
  for (const r of rows) {
    const d = JSON.parse(r.details) as { name?: unknown; role?: unknown; publicKeyPem?: unknown };
    if (typeof d.publicKeyPem !== 'string') continue;
    const key = readPublicKeyPem(d.publicKeyPem, `${store.id}: custodian.key event`);
    const fingerprint = fingerprintOf(key);
    if (known.get(fingerprint) || learnt.some((k) => k.fingerprint === fingerprint)) continue;
    learnt.push({
      fingerprint,
      name: typeof d.name === 'string' ? d.name : 'unknown',
      role: typeof d.role === 'string' ? d.role : 'custodian',
      publicKey: key,
      publicKeyPem: publicKeyPem(key),
      status: 'active',
      endedAt: null,
      reason: null,
      external: true,
    });
  }
  return learnt;
}

async function extractAll(
  file: string,
  layout: Layout,
  expected: Map<string, string>,
  staging: string,
): Promise<number> {
  let objects = 0;
  for (const [rel, { source }] of layout.files) {
    if (rel === MANIFEST || rel === MANIFEST_SIG) continue;
    await extractMember(file, rel, source, path.join(staging, ...rel.split('/')), expected.get(rel)!);
    if (OBJECT_PATH.test(rel)) objects++;
  }
  fs.mkdirSync(path.join(staging, 'objects', 'sha256'), { recursive: true });
  fs.mkdirSync(path.join(staging, 'objects', 'tmp'), { recursive: true });
  return objects;
}

export async function importCase(opts: ImportCaseOptions): Promise<ImportCaseResult> {
  const file = opts.file;
  const pin = opts.pin ? normaliseFingerprint(opts.pin) : null;
  const { entries, sources } = await indexTar(file);
  const layout = layoutOf(file, entries, sources);
  const ws = opts.workstation;
  const target = path.join(ws.casesDir, layout.caseId);
  if (fs.existsSync(target))
    throw new ProbityError('conflict', `${layout.caseId}: already on this workstation (${target})`);
  const { expected, signer } = await checkManifest(file, layout, pin);

  fs.mkdirSync(ws.casesDir, { recursive: true });
  const staging = path.join(ws.casesDir, `.import-${layout.caseId}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(staging);
  let store: CaseStore | null = null;
  try {
    const objects = await extractAll(file, layout, expected, staging);
    store = openStaged(layout.caseId, staging);
    const info = store.db.prepare('SELECT id FROM case_info').get() as { id: string } | undefined;
    if (info?.id !== layout.caseId)
      throw refuse(file, `case.db is case ${info?.id ?? '(none)'}, not ${layout.caseId}`);

    const { keyring: known } = loadKeyring(ws.home);
    const learnt = keysFromCase(store, known);
    const keyring = new Keyring([...known.all(), ...learnt]);
    const carried = carriedWitnesses(file, layout.caseId, staging, keyring);
    const verification = await verifyCase({
      store,
      actor: opts.actor,
      keyring,
      workers: opts.workers,
      witnesses: [...carried.heads, ...localHeads(ws.home, layout.caseId)],
      checkpoints: carried.checkpoint ? [carried.checkpoint] : [],
    });
    if (!verification.ok) {
      const first = verification.messages.slice(0, 3).join('; ');
      throw refuse(file, `the case does not verify (${verification.problems.length} problem(s)): ${first}`);
    }
    const c = opts.custodian ?? null;
    const eventSigner = c ? prepareCaseSigner(store.db, ws.home, c, opts.actor) : undefined;
    const signerName = signer ? (keyring.get(signer.fingerprint)?.name ?? null) : null;
    const event = appendEvent(
      store.db,
      {
        actor: opts.actor,
        action: 'case.imported',
        subject: layout.caseId,
        details: {
          archive: path.basename(file),
          manifestSha256: sha256Of(await readMember(layout.files.get(MANIFEST)!.source, MANIFEST, file)),
          signer: signer?.fingerprint ?? null,
          pinned: pin !== null,
          objects,
          newKeys: learnt.map((k) => ({ name: k.name, fingerprint: k.fingerprint })),
        },
      },
      eventSigner,
    );
    const head = chainHead(store.db);
    store.close();
    store = null;
    fs.renameSync(staging, target);
    // From now on this workstation witnesses the case too.
    appendWitness(
      ws.home,
      {
        caseId: layout.caseId,
        headSeq: head.lastSeq,
        headHash: head.lastHash,
        source: 'case import',
        details: { archive: path.basename(file), carriedHeads: carried.heads.length },
      },
      eventSigner,
    );
    for (const k of learnt) {
      addExternalKey(ws.home, {
        name: k.name,
        role: k.role,
        publicKeyPem: k.publicKeyPem,
        created: event.at,
        actor: opts.actor,
        source: `${layout.caseId} (${path.basename(file)})`,
      });
    }
    return {
      caseId: layout.caseId,
      dir: target,
      objects,
      signer: signer ? { fingerprint: signer.fingerprint, name: signerName } : null,
      newKeys: learnt.map((k) => ({ name: k.name, fingerprint: k.fingerprint })),
      verification,
      event,
    };
  } catch (err) {
    store?.close();
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
