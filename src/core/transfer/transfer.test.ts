import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, sha256, tempDir } from '../../../test/helpers';
import { indexTar } from '../io/archive/tar';
import { openEntryStream } from '../io/archive/source';
import { listExternalCustodians } from '../keys/custodians';
import { listEvents } from '../store/custody';
import { verifyCase } from '../verify/verify';
import { caseWithFindings, run, sh, type Fixture } from '../report/testkit';
import { exportCase } from './case-export';
import { importCase } from './case-import';
import { TarWriter, paxRecord } from './tar-writer';

let fx: Fixture;
let signedTar: string;
let unsignedTar: string;
const temps: string[] = [];

function scratchDir(): string {
  const d = tempDir('probity-transfer-');
  temps.push(d);
  return d;
}

/** A fresh workstation to import into. */
function receiver() {
  const w = newWorkstation();
  temps.push(w.home);
  return w;
}

/** What is in cases/ (nothing when it was never created). */
function caseFolders(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

function copyOf(file: string): string {
  const dst = path.join(scratchDir(), path.basename(file));
  fs.copyFileSync(file, dst);
  return dst;
}

async function memberText(file: string, member: string): Promise<string> {
  const { entries, sources } = await indexTar(file);
  const e = entries.find((x) => x.path === member)!;
  const chunks: Buffer[] = [];
  for await (const c of openEntryStream(sources.get(e.index)!)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Flip one byte in the middle of a member's data inside the archive. */
async function flipInMember(file: string, match: RegExp): Promise<string> {
  const { entries, sources } = await indexTar(file);
  const e = entries.find((x) => match.test(x.path))!;
  const src = sources.get(e.index)!;
  const fd = fs.openSync(file, 'r+');
  const at = src.offset + Math.floor(src.length / 2);
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, at);
  b[0] = (b[0] ?? 0) ^ 0x01;
  fs.writeSync(fd, b, 0, 1, at);
  fs.closeSync(fd);
  return e.path;
}

beforeAll(async () => {
  fx = await caseWithFindings();
  const dir = scratchDir();
  signedTar = path.join(dir, 'signed.tar');
  unsignedTar = path.join(dir, 'unsigned.tar');
  await exportCase({ store: fx.store, home: fx.home, out: signedTar, actor: 'alice', custodian: fx.alice });
  await exportCase({ store: fx.store, home: fx.home, out: unsignedTar, actor: 'ops' });
});

afterAll(() => {
  fx.cleanup();
  for (const t of temps) rmrf(t);
});

describe('tar writer', () => {
  it('writes ustar, with pax headers for long and non-ASCII names, that GNU tar and our reader agree on', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 't.tar');
    const long = `${'deep/'.repeat(30)}weights.safetensors`;
    const tar = await TarWriter.create(file, 1_700_000_000);
    await tar.addBuffer('short.txt', Buffer.from('hello'));
    await tar.addBuffer(long, Buffer.from('x'.repeat(1000)));
    await tar.addBuffer('模型/分詞器.json', Buffer.from('{}'));
    await tar.finish();
    expect(fs.statSync(file).size % 512).toBe(0);
    const { entries } = await indexTar(file);
    expect(entries.map((e) => [e.path, e.size])).toEqual([
      ['short.txt', 5],
      [long, 1000],
      ['模型/分詞器.json', 2],
    ]);
    const gnu = run('tar', ['-tvf', file], dir);
    expect(gnu.code).toBe(0);
    expect(gnu.out).toContain(long);
    expect(gnu.out).toContain('模型/分詞器.json');
    expect(paxRecord('path', 'a')).toBe('9 path=a\n');
    expect(paxRecord('path', 'x'.repeat(95))).toBe(`${'105'} path=${'x'.repeat(95)}\n`);
  });
});

describe('case export', () => {
  it('archives a case.db snapshot, every object, a manifest and its signature, checkable with tar, sha256sum and openssl', async () => {
    const { entries } = await indexTar(signedTar);
    const id = fx.store.id;
    const names = entries.map((e) => e.path);
    expect(names[0]).toBe(`${id}/case.db`);
    expect(names.slice(-3)).toEqual([
      `${id}/signer.pub.pem`,
      `${id}/MANIFEST.sha256`,
      `${id}/MANIFEST.sha256.sig`,
    ]);
    expect(names.filter((n) => n.includes('/objects/sha256/'))).toHaveLength(4);

    const dir = scratchDir();
    expect(run('tar', ['-xf', signedTar], dir).code).toBe(0);
    const caseDir = path.join(dir, id);
    const sums = sh('sha256sum -c MANIFEST.sha256', caseDir);
    expect(sums.code).toBe(0);
    expect(sums.out).toMatch(/^case\.db: OK$/m);
    const sig = sh(
      'openssl pkeyutl -verify -pubin -inkey signer.pub.pem -rawin -in MANIFEST.sha256 -sigfile MANIFEST.sha256.sig',
      caseDir,
    );
    expect(sig.out).toMatch(/Signature Verified Successfully/);

    // The export is recorded in the source case, signed, after the snapshot it describes.
    const exported = listEvents(fx.store.db).filter((e) => e.action === 'case.exported');
    expect(exported[0]).toMatchObject({ signer: fx.alice.fingerprint });
    const snap = new Database(path.join(caseDir, 'case.db'), { readonly: true });
    const inSnap = (snap.prepare('SELECT max(seq) AS s FROM custody').get() as { s: number }).s;
    snap.close();
    expect(exported[0]!.details.throughSeq).toBe(inSnap);
    expect(exported[0]!.seq).toBeGreaterThan(inSnap);
  });

  it('refuses to overwrite an existing file', async () => {
    await expect(
      exportCase({ store: fx.store, home: fx.home, out: signedTar, actor: 'ops' }),
    ).rejects.toThrow(/already exists; choose a new --out/);
  });
});

describe('case import', () => {
  it('round-trips a signed case to another workstation, learning the signer’s key, and it verifies there', async () => {
    const b = receiver();
    const r = await importCase({
      workstation: b.ws,
      file: signedTar,
      actor: 'bob',
      pin: fx.alice.fingerprint,
      workers: 1,
    });
    expect(r.caseId).toBe(fx.store.id);
    expect(r.objects).toBe(4);
    expect(r.signer).toEqual({ fingerprint: fx.alice.fingerprint, name: 'alice' });
    expect(r.newKeys).toEqual([{ name: 'alice', fingerprint: fx.alice.fingerprint }]);
    expect(r.verification.ok).toBe(true);
    expect(b.ws.caseIds()).toEqual([fx.store.id]);
    expect(fs.readdirSync(b.ws.casesDir)).toEqual([fx.store.id]);
    expect(listExternalCustodians(b.home).map((c) => [c.name, c.fingerprint, c.external])).toEqual([
      ['alice', fx.alice.fingerprint, true],
    ]);
    const store = b.ws.openCase(fx.store.id);
    try {
      const events = listEvents(store.db);
      expect(events.at(-1)).toMatchObject({ action: 'case.imported', actor: 'bob' });
      // Later verifications on the receiving workstation find the key it learnt.
      const again = await verifyCase({ store, actor: 'bob', workers: 1 });
      expect(again.messages).toEqual([]);
      const obj = sha256(Buffer.alloc(4096, 7));
      expect(sha256(fs.readFileSync(store.objectPath(obj)))).toBe(obj);
      expect(fs.statSync(store.objectPath(obj)).mode & 0o222).toBe(0);
    } finally {
      store.close();
    }
    await expect(
      importCase({ workstation: b.ws, file: signedTar, actor: 'bob', workers: 1 }),
    ).rejects.toThrow(/already on this workstation/);
  });

  it('refuses an archive with a byte changed in an object, naming it, and leaves nothing behind', async () => {
    const b = receiver();
    const file = copyOf(signedTar);
    const member = await flipInMember(file, /objects\/sha256\//);
    const rel = member.split('/').slice(1).join('/');
    await expect(importCase({ workstation: b.ws, file, actor: 'bob', workers: 1 })).rejects.toThrow(
      new RegExp(`${file}: refused: ${rel}: sha256 is [0-9a-f]{64}, MANIFEST\\.sha256 lists [0-9a-f]{64}`),
    );
    expect(caseFolders(b.ws.casesDir)).toEqual([]);
  });

  it('refuses a changed manifest (bad signature), a missing signature under --pin, and a different signer', async () => {
    const b = receiver();
    const file = copyOf(signedTar);
    await flipInMember(file, /MANIFEST\.sha256$/);
    await expect(importCase({ workstation: b.ws, file, actor: 'bob', workers: 1 })).rejects.toThrow(
      /MANIFEST\.sha256\.sig: bad signature: it does not verify MANIFEST\.sha256 with signer\.pub\.pem/,
    );
    await expect(
      importCase({
        workstation: b.ws,
        file: unsignedTar,
        actor: 'bob',
        pin: fx.alice.fingerprint,
        workers: 1,
      }),
    ).rejects.toThrow(/the archive is not signed, but --pin [0-9a-f]{64} requires it/);
    await expect(
      importCase({ workstation: b.ws, file: signedTar, actor: 'bob', pin: 'ab'.repeat(32), workers: 1 }),
    ).rejects.toThrow(
      `signer.pub.pem: signed by ${fx.alice.fingerprint}, not by the pinned ${'ab'.repeat(32)}`,
    );
    expect(caseFolders(b.ws.casesDir)).toEqual([]);
  });

  it('refuses a case whose custody log was rewritten, even with a manifest made to match', async () => {
    const dir = scratchDir();
    expect(run('tar', ['-xf', unsignedTar], dir).code).toBe(0);
    const id = fx.store.id;
    const db = new Database(path.join(dir, id, 'case.db'));
    db.exec('DROP TRIGGER custody_no_update');
    db.prepare("UPDATE custody SET actor = 'mallory' WHERE seq = 1").run();
    db.exec(
      "CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody BEGIN SELECT RAISE(ABORT, 'custody is append-only: rows cannot be changed'); END;",
    );
    db.close();
    const members = (await indexTar(unsignedTar)).entries.map((e) => e.path);
    const manifest = sh(
      `sha256sum ${members
        .filter((m) => !m.endsWith('MANIFEST.sha256'))
        .map((m) => m.slice(id.length + 1))
        .join(' ')}`,
      path.join(dir, id),
    ).out;
    fs.writeFileSync(path.join(dir, id, 'MANIFEST.sha256'), manifest);
    const forged = path.join(dir, 'forged.tar');
    const tar = await TarWriter.create(forged);
    for (const m of members) await tar.addFile(m, path.join(dir, m));
    await tar.finish();

    const b = receiver();
    await expect(importCase({ workstation: b.ws, file: forged, actor: 'bob', workers: 1 })).rejects.toThrow(
      /refused: the case does not verify \(\d+ problem\(s\)\): custody log: chain broken at seq 1: event content does not match its hash/,
    );
    expect(caseFolders(b.ws.casesDir)).toEqual([]);
  });

  it('refuses members a case archive never has', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'odd.tar');
    const tar = await TarWriter.create(file);
    await tar.addBuffer('AI-IR-2026-0001/case.db', Buffer.from('x'));
    await tar.addBuffer('AI-IR-2026-0001/notes/../../etc/passwd', Buffer.from('x'));
    await tar.finish();
    const b = receiver();
    await expect(importCase({ workstation: b.ws, file, actor: 'bob', workers: 1 })).rejects.toThrow(
      /notes\/\.\.\/\.\.\/etc\/passwd": path escapes the bundle/,
    );
    const file2 = path.join(dir, 'extra.tar');
    const tar2 = await TarWriter.create(file2);
    await tar2.addBuffer('AI-IR-2026-0001/case.db', Buffer.from('x'));
    await tar2.addBuffer('AI-IR-2026-0001/run.sh', Buffer.from('x'));
    await tar2.finish();
    await expect(importCase({ workstation: b.ws, file: file2, actor: 'bob', workers: 1 })).rejects.toThrow(
      `${file2}: refused: AI-IR-2026-0001/run.sh: unexpected member`,
    );
    expect(await memberText(signedTar, `${fx.store.id}/signer.pub.pem`)).toBe(fx.alice.publicKeyPem);
  });
});
