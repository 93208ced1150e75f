/**
 * `probity case export`: one .tar holding a whole case, for another workstation.
 *
 *   <case-id>/case.db                    a consistent snapshot (SQLite online backup API)
 *   <case-id>/objects/sha256/xx/<62 hex>  every stored object, byte for byte
 *   <case-id>/signer.pub.pem             the signing custodian's SPKI public key (if signed)
 *   <case-id>/MANIFEST.sha256            sha256sum format, paths relative to <case-id>/
 *   <case-id>/MANIFEST.sha256.sig        raw Ed25519 signature (RFC 8032) of the manifest (if signed)
 *   <case-id>/WITNESS.jsonl              this workstation's witness entries for the case (store/witness.ts)
 *   <case-id>/CHECKPOINT.json            the latest signed checkpoint of the case, if there is one
 *
 * The witness entries and the checkpoint travel with the case so the receiving workstation can
 * refuse a case that is behind them (cut or rolled back before it was archived): the chain alone
 * cannot show that. The checkpoint is the highest one found in the case or in the witness log, so
 * one signed before a cut still travels.
 *
 * The manifest comes last so it is computed while the members are written (each file is read
 * once). An object whose bytes no longer hash to its name stops the export: a damaged store is
 * for `probity verify` to report, not for an archive to carry on. The signing custodian's key is
 * introduced into the case (custodian.key event) before the snapshot, so the receiving
 * workstation finds the public key inside the case it imports.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CustodyEvent } from '../../shared/domain';
import { prepareCaseSigner } from '../keys/case-signer';
import type { UnlockedCustodian } from '../keys/custodians';
import { signBytes } from '../keys/ed25519';
import { appendEvent } from '../store/custody';
import { objectPathIn } from '../store/paths';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { formatChecksums, sha256Of, type ChecksumLine } from '../report/sha256sum';
import { MANIFEST, MANIFEST_SIG, SIGNER_PUB } from '../report/verify-text';
import { TarWriter } from './tar-writer';
import { parseSignedCheckpoint, type SignedCheckpoint } from '../keys/checkpoint';
import { readWitness } from '../store/witness';
import { canonicalJson } from '../util/canonical-json';

/** Members that carry the case's witnessed heads (case-import.ts checks the case against them). */
export const WITNESS_MEMBER = 'WITNESS.jsonl';
export const CHECKPOINT_MEMBER = 'CHECKPOINT.json';

export interface ExportCaseOptions {
  store: CaseStore;
  home: string;
  out: string;
  actor: string;
  custodian?: UnlockedCustodian | null;
}

export interface ExportCaseResult {
  out: string;
  caseId: string;
  objects: number;
  bytes: number;
  manifestSha256: string;
  throughSeq: number;
  signer: { name: string; fingerprint: string } | null;
  event: CustodyEvent;
}

/** Snapshot case.db with the online backup API, then make it a single self-contained file. */
async function snapshot(
  store: CaseStore,
  dir: string,
): Promise<{ file: string; objects: { sha256: string }[]; lastSeq: number }> {
  const file = path.join(dir, 'case.db');
  await store.db.backup(file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    const objects = db.prepare('SELECT sha256 FROM objects ORDER BY sha256').all() as { sha256: string }[];
    const last = db.prepare('SELECT max(seq) AS seq FROM custody').get() as { seq: number | null };
    return { file, objects, lastSeq: last.seq ?? 0 };
  } finally {
    db.close();
  }
}

/** Witness entries for the case, and the signed checkpoint with the highest head. */
function witnessMaterial(opts: ExportCaseOptions): { witness: string; checkpoint: string | null } {
  const entries = readWitness(opts.home).entries.filter((e) => e.caseId === opts.store.id);
  const checkpoints: SignedCheckpoint[] = [];
  for (const e of entries) {
    const c = e.details.checkpoint;
    if (c !== undefined) checkpoints.push(parseSignedCheckpoint(JSON.stringify(c), 'witness log'));
  }
  for (const r of opts.store.db
    .prepare("SELECT details FROM custody WHERE action = 'checkpoint.signed' ORDER BY seq")
    .pluck()
    .all() as string[]) {
    const d = JSON.parse(r) as Record<string, unknown>;
    checkpoints.push(
      parseSignedCheckpoint(
        JSON.stringify({ checkpoint: d.checkpoint, signature: d.signature, signer: d.signer }),
        'case.db',
      ),
    );
  }
  const latest = checkpoints.sort((a, b) => b.checkpoint.lastSeq - a.checkpoint.lastSeq)[0];
  return {
    witness: entries.map((e) => `${canonicalJson(e)}\n`).join(''),
    checkpoint: latest ? `${JSON.stringify(latest, null, 2)}\n` : null,
  };
}

async function writeArchive(
  tmp: string,
  opts: ExportCaseOptions,
  snap: { file: string; objects: { sha256: string }[] },
): Promise<{ manifest: string; bytes: number }> {
  const id = opts.store.id;
  const tar = await TarWriter.create(tmp);
  try {
    const lines: ChecksumLine[] = [];
    let bytes = 0;
    const db = await tar.addFile(`${id}/case.db`, snap.file);
    lines.push({ sha256: db.sha256, name: 'case.db' });
    for (const o of snap.objects) {
      const rel = path.posix.join('objects', 'sha256', o.sha256.slice(0, 2), o.sha256.slice(2));
      const src = objectPathIn(opts.store.objectsDir, o.sha256);
      if (!fs.existsSync(src))
        throw new ProbityError(
          'verification-failed',
          `${rel}: object missing from the store; run probity verify`,
        );
      const r = await tar.addFile(`${id}/${rel}`, src);
      if (r.sha256 !== o.sha256) {
        throw new ProbityError(
          'verification-failed',
          `${rel}: object modified (sha256 is now ${r.sha256}); run probity verify`,
        );
      }
      bytes += r.size;
      lines.push({ sha256: r.sha256, name: rel });
    }
    const carried = witnessMaterial(opts);
    lines.push({
      sha256: await tar.addBuffer(`${id}/${WITNESS_MEMBER}`, Buffer.from(carried.witness, 'utf8')),
      name: WITNESS_MEMBER,
    });
    if (carried.checkpoint !== null)
      lines.push({
        sha256: await tar.addBuffer(`${id}/${CHECKPOINT_MEMBER}`, Buffer.from(carried.checkpoint, 'utf8')),
        name: CHECKPOINT_MEMBER,
      });
    const c = opts.custodian;
    if (c)
      lines.push({
        sha256: await tar.addBuffer(`${id}/${SIGNER_PUB}`, Buffer.from(c.publicKeyPem)),
        name: SIGNER_PUB,
      });
    const manifest = formatChecksums(lines);
    await tar.addBuffer(`${id}/${MANIFEST}`, Buffer.from(manifest, 'utf8'));
    if (c)
      await tar.addBuffer(`${id}/${MANIFEST_SIG}`, signBytes(c.privateKey, Buffer.from(manifest, 'utf8')));
    await tar.finish();
    return { manifest, bytes };
  } catch (err) {
    await tar.abort();
    throw err;
  }
}

export async function exportCase(opts: ExportCaseOptions): Promise<ExportCaseResult> {
  const out = path.resolve(opts.out);
  if (fs.existsSync(out)) throw new ProbityError('conflict', `${out}: already exists; choose a new --out`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const c = opts.custodian ?? null;
  const signer = c ? prepareCaseSigner(opts.store.db, opts.home, c, opts.actor) : undefined;
  if (signer) opts.store.witnessSigner = signer;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-export-'));
  const tmp = `${out}.partial-${randomBytes(4).toString('hex')}`;
  try {
    // The head being archived is witnessed first, so the entries carried reach it.
    opts.store.witness();
    const snap = await snapshot(opts.store, work);
    const { manifest, bytes } = await writeArchive(tmp, opts, snap);
    fs.renameSync(tmp, out);
    const manifestSha256 = sha256Of(manifest);
    const event = appendEvent(
      opts.store.db,
      {
        actor: opts.actor,
        action: 'case.exported',
        subject: opts.store.id,
        details: {
          out,
          objects: snap.objects.length,
          bytes,
          manifestSha256,
          throughSeq: snap.lastSeq,
          signer: c?.fingerprint ?? null,
        },
      },
      signer,
    );
    return {
      out,
      caseId: opts.store.id,
      objects: snap.objects.length,
      bytes,
      manifestSha256,
      throughSeq: snap.lastSeq,
      signer: c ? { name: c.name, fingerprint: c.fingerprint } : null,
      event,
    };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
