/**
 * Tamper classes, each performed the way someone with write access to a case folder would: open
 * case.db with any SQLite client, drop the trigger in the way, edit or delete rows, recreate the
 * trigger exactly as it was; copy files over the object store; copy back an older case.db; edit
 * report bundles and case archives. Every test asserts that verify, report verify or case import
 * catches the change and names it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestBundle } from '../src/core/ingest/ingest';
import { checkCheckpointAgainstCase, signCheckpoint } from '../src/core/keys/checkpoint';
import { addCustodian, loadKeyring, unlockCustodian } from '../src/core/keys/custodians';
import { exportCase } from '../src/core/transfer/case-export';
import { exportReport } from '../src/core/report/bundle';
import { verifyReportBundle } from '../src/core/report/verify-bundle';
import { signBytes } from '../src/core/keys/ed25519';
import { importCase } from '../src/core/transfer/case-import';
import { listEvents } from '../src/core/store/custody';
import { expectedTriggerSql } from '../src/core/store/schema';
import { verifyCase } from '../src/core/verify/verify';
import type { CaseStore, Workstation } from '../src/core/store/workstation';
import { newWorkstation, rmrf, sha256, tempDir, writeTree } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const WEIGHTS = 'weights-as-deployed';
const CONFIG = '{"model_type":"llama"}';

/** A case holding one ingest with a checksum list (one match, one mismatch) and one verification. */
async function preservedCase(): Promise<{ ws: Workstation; home: string; store: CaseStore; dbFile: string }> {
  const { ws, home, cleanup } = newWorkstation();
  const bundle = tempDir('probity-adversary-bundle-');
  cleanups.push(cleanup, () => rmrf(bundle));
  writeTree(bundle, {
    'model/w.safetensors': WEIGHTS,
    'model/config.json': CONFIG,
    'model/checksums.sha256': `${sha256('weights-as-shipped')}  w.safetensors\n${sha256(CONFIG)}  config.json\n`,
    'notes/readme.txt': 'nothing listed here',
  });
  // Each step as its own command: open, act, close (the close records the head in the witness log).
  const created = ws.createCase({ title: 'Adversary', actor: 'custodian' });
  const id = created.id;
  created.close();
  await withStore(ws, id, (store) =>
    ingestBundle({ store, bundle, actor: 'custodian', host: 'test-host', workers: 1 }),
  );
  const first = await withStore(ws, id, (store) => verifyCase({ store, actor: 'custodian', workers: 1 }));
  expect(first.ok).toBe(true);
  const store = ws.openCase(id);
  cleanups.push(() => store.close());
  return { ws, home, store, dbFile: path.join(store.dir, 'case.db') };
}

async function withStore<T>(ws: Workstation, id: string, fn: (s: CaseStore) => Promise<T> | T): Promise<T> {
  const s = ws.openCase(id);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/**
 * Run SQL as an outside SQLite client would: drop the named append-only triggers, run the edit,
 * recreate the triggers with exactly the schema's text.
 */
function behindTheTriggers(dbFile: string, tables: string[], sql: string, ...params: unknown[]): void {
  const db = new Database(dbFile);
  const expected = expectedTriggerSql();
  try {
    for (const t of tables) {
      db.exec(`DROP TRIGGER ${t}_no_update; DROP TRIGGER ${t}_no_delete;`);
    }
    db.prepare(sql).run(...params);
    for (const t of tables) {
      db.exec(`${expected.get(`${t}_no_update`)!}; ${expected.get(`${t}_no_delete`)!};`);
    }
  } finally {
    db.close();
  }
}

async function verifyAgain(store: CaseStore) {
  return verifyCase({ store, actor: 'custodian', workers: 1 });
}

describe('rows edited behind the triggers', () => {
  it.each([
    ['kind', `kind = 'other'`, 'kind is "other", the custody event recorded "weights"'],
    [
      'manifest_status',
      `manifest_status = 'matched'`,
      'manifest_status is "matched", the custody event recorded "mismatched"',
    ],
    ['custodian', `custodian = 'mallory'`, 'custodian is "mallory", the custody event recorded "custodian"'],
    ['host', `host = 'elsewhere'`, 'host is "elsewhere", the custody event recorded "test-host"'],
    ['source_path', `source_path = '/tmp/x'`, 'source_path is "/tmp/x", the custody event recorded'],
    [
      'mtime',
      `mtime = '2001-01-01T00:00:00.000Z'`,
      'mtime is "2001-01-01T00:00:00.000Z", the custody event recorded',
    ],
    ['size', 'size = 999', 'size is 999, the custody event recorded 19'],
  ])('names an evidence row whose %s was edited', async (_col, set, reason) => {
    const { store, dbFile } = await preservedCase();
    behindTheTriggers(dbFile, ['evidence'], `UPDATE evidence SET ${set} WHERE path = 'model/w.safetensors'`);
    const r = await verifyAgain(store);
    expect(r.ok).toBe(false);
    expect(r.messages.join('\n')).toContain(`model/w.safetensors: evidence row edited: ${reason}`);
  });

  it('names an evidence row deleted, and one added without a custody event', async () => {
    const { store, dbFile } = await preservedCase();
    behindTheTriggers(dbFile, ['evidence'], `DELETE FROM evidence WHERE path = 'model/config.json'`);
    behindTheTriggers(
      dbFile,
      ['evidence'],
      `INSERT INTO evidence (ingest_id, path, occurrence, kind, size, sha256, mtime, source_path, custodian, host, stored_at)
       SELECT ingest_id, 'planted.bin', 1, kind, size, sha256, mtime, source_path, custodian, host, stored_at FROM evidence LIMIT 1`,
    );
    const r = await verifyAgain(store);
    expect(r.ok).toBe(false);
    const text = r.messages.join('\n');
    expect(text).toContain('model/config.json: evidence row deleted: the custody event recorded it');
    expect(text).toContain('planted.bin: evidence row added: no custody event recorded it');
  });

  it('names checksum-check rows edited, deleted and added', async () => {
    for (const sql of [
      `UPDATE manifest_checks SET status = 'matched', actual = expected WHERE status = 'mismatched'`,
      `DELETE FROM manifest_checks WHERE status = 'mismatched'`,
      `INSERT INTO manifest_checks (ingest_id, manifest_path, listed_path, expected, actual, status) VALUES (1, 'x', 'y', 'z', 'z', 'matched')`,
    ]) {
      const { store, dbFile } = await preservedCase();
      behindTheTriggers(dbFile, ['manifest_checks'], sql);
      const r = await verifyAgain(store);
      expect(r.ok, sql).toBe(false);
      expect(r.messages.join('\n')).toMatch(
        /manifest_checks: ingest 1 \(.*\): checksum-check rows edited, added or deleted/,
      );
    }
  });

  it('names verification rows edited, deleted and added', async () => {
    const cases: [string, RegExp][] = [
      [
        `UPDATE verifications SET ok = 0`,
        /verification row edited: ok is false, the custody event recorded true/,
      ],
      [`DELETE FROM verifications`, /verification row deleted: the custody event recorded it/],
      [
        `INSERT INTO verifications (at, ok, through_seq, report) VALUES ('2030-01-01T00:00:00.000Z', 1, 99, '{}')`,
        /verification of 2030-01-01T00:00:00.000Z: verification row added: no custody event recorded it/,
      ],
      [`UPDATE verifications SET report = replace(report, '"ok":true', '"ok":true ')`, /its report differs/],
    ];
    for (const [sql, message] of cases) {
      const { store, dbFile } = await preservedCase();
      behindTheTriggers(dbFile, ['verifications'], sql);
      const r = await verifyAgain(store);
      expect(r.ok, sql).toBe(false);
      expect(r.messages.join('\n')).toMatch(message);
    }
  });

  it('names an object row edited or planted', async () => {
    const { store, dbFile } = await preservedCase();
    behindTheTriggers(dbFile, ['objects'], `UPDATE objects SET stored_at = '2001-01-01T00:00:00.000Z'`);
    behindTheTriggers(
      dbFile,
      ['objects'],
      `INSERT INTO objects (sha256, size, stored_at) VALUES ('${'a'.repeat(64)}', 1, '2001-01-01T00:00:00.000Z')`,
    );
    const r = await verifyAgain(store);
    const text = r.messages.join('\n');
    expect(text).toMatch(
      /objects: model\/w\.safetensors \(object [0-9a-f]{64}\): object row edited: stored_at/,
    );
    expect(text).toContain(`objects: object ${'a'.repeat(64)}: object row added: no evidence row names it`);
  });

  it('names a custody row edited behind its trigger', async () => {
    const { store, dbFile } = await preservedCase();
    const target = listEvents(store.db).find((e) => e.action === 'evidence.stored')!;
    behindTheTriggers(dbFile, ['custody'], `UPDATE custody SET actor = 'mallory' WHERE seq = ?`, target.seq);
    const r = await verifyAgain(store);
    expect(r.messages).toContain(
      `custody log: chain broken at seq ${target.seq}: event content does not match its hash: the row was edited`,
    );
  });
});

describe('triggers', () => {
  it('names a dropped trigger', async () => {
    const { store, dbFile } = await preservedCase();
    const db = new Database(dbFile);
    db.exec('DROP TRIGGER custody_no_delete');
    db.close();
    const r = await verifyAgain(store);
    expect(r.messages).toContain(
      'case.db: trigger missing: custody_no_delete (append-only protection removed)',
    );
  });

  it('names a trigger recreated under its name with a body that no longer refuses', async () => {
    const { store, dbFile } = await preservedCase();
    const db = new Database(dbFile);
    db.exec('DROP TRIGGER custody_no_update');
    db.exec('CREATE TRIGGER custody_no_update AFTER UPDATE ON custody BEGIN SELECT 1; END;');
    db.close();
    const r = await verifyAgain(store);
    expect(r.ok).toBe(false);
    expect(r.messages).toContain(
      "case.db: trigger altered: custody_no_update is not the schema's (now: CREATE TRIGGER custody_no_update AFTER UPDATE ON custody BEGIN SELECT 1; END)",
    );
  });

  it('accepts the schema text re-typed with other whitespace', async () => {
    const { store, dbFile } = await preservedCase();
    const db = new Database(dbFile);
    db.exec('DROP TRIGGER custody_no_update');
    db.exec(expectedTriggerSql().get('custody_no_update')!.replace(/\s+/g, '\n   '));
    db.close();
    expect((await verifyAgain(store)).ok).toBe(true);
  });

  it('names a trigger the schema never creates', async () => {
    const { store, dbFile } = await preservedCase();
    const db = new Database(dbFile);
    db.exec('CREATE TRIGGER wipe AFTER INSERT ON custody BEGIN SELECT 1; END;');
    db.close();
    const r = await verifyAgain(store);
    expect(r.messages).toContain(
      'case.db: unexpected trigger: wipe (CREATE TRIGGER wipe AFTER INSERT ON custody BEGIN SELECT 1; END)',
    );
  });
});

describe('objects', () => {
  it('names a planted valid object, a file with a bogus name and a file outside sha256/', async () => {
    const { store } = await preservedCase();
    const planted = 'planted by someone';
    const target = store.objectPath(sha256(planted));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, planted);
    fs.writeFileSync(path.join(path.dirname(target), 'not-a-digest'), 'x');
    fs.writeFileSync(path.join(store.dir, 'objects', 'extra.bin'), 'x');
    const r = await verifyAgain(store);
    expect(r.ok).toBe(false);
    const text = r.messages.join('\n');
    const rel = `objects/sha256/${sha256(planted).slice(0, 2)}`;
    expect(text).toContain(`${rel}/${sha256(planted).slice(2)}: stray object: no evidence row names it`);
    expect(text).toContain(`${rel}/not-a-digest: not a valid digest path (expected sha256/<2 hex>/<62 hex>)`);
    expect(text).toContain('objects/extra.bin: not part of the object store');
  });

  const objectFile = (store: CaseStore, content: string) => store.objectPath(sha256(content));

  it('names an object with a byte flipped', async () => {
    const { store } = await preservedCase();
    const f = objectFile(store, WEIGHTS);
    fs.chmodSync(f, 0o644);
    const b = fs.readFileSync(f);
    b[0] = b[0]! ^ 1;
    fs.writeFileSync(f, b);
    const r = await verifyAgain(store);
    expect(r.messages.join('\n')).toMatch(
      /^model\/w\.safetensors: object modified: sha256 is now [0-9a-f]{64}, recorded/m,
    );
  });

  it('names an object deleted', async () => {
    const { store } = await preservedCase();
    fs.rmSync(objectFile(store, CONFIG));
    const r = await verifyAgain(store);
    expect(r.messages.join('\n')).toContain(
      `model/config.json: object missing from the store (sha256 ${sha256(CONFIG)})`,
    );
  });

  it('names an object replaced by another file', async () => {
    const { store } = await preservedCase();
    const f = objectFile(store, WEIGHTS);
    fs.rmSync(f);
    fs.writeFileSync(f, 'weights-as-shipped');
    const r = await verifyAgain(store);
    expect(r.messages.join('\n')).toContain(
      `model/w.safetensors: object modified: sha256 is now ${sha256('weights-as-shipped')}`,
    );
  });
});

/**
 * Cut the custody log after seq `keep` the way an adversary would: drop the delete triggers, delete
 * the tail events and every row they recorded, recreate the triggers exactly as they were.
 */
function cutTail(dbFile: string, keep: number): void {
  const db = new Database(dbFile);
  const expected = expectedTriggerSql();
  const tables = ['custody', 'evidence', 'objects', 'manifest_checks', 'verifications'];
  try {
    for (const t of tables) db.exec(`DROP TRIGGER ${t}_no_delete;`);
    const tail = db.prepare('SELECT action, details FROM custody WHERE seq > ?').all(keep) as {
      action: string;
      details: string;
    }[];
    for (const e of tail) {
      const d = JSON.parse(e.details) as { evidenceId?: number; ingestId?: number; verificationId?: number };
      if (e.action === 'evidence.stored') db.prepare('DELETE FROM evidence WHERE id = ?').run(d.evidenceId);
      if (e.action === 'ingest.finished')
        db.prepare('DELETE FROM manifest_checks WHERE ingest_id = ?').run(d.ingestId);
      if (e.action === 'verify.run')
        db.prepare('DELETE FROM verifications WHERE id = ?').run(d.verificationId);
    }
    db.prepare(
      'DELETE FROM objects WHERE sha256 NOT IN (SELECT sha256 FROM evidence WHERE sha256 IS NOT NULL)',
    ).run();
    db.prepare('DELETE FROM custody WHERE seq > ?').run(keep);
    for (const t of tables) db.exec(`${expected.get(`${t}_no_delete`)!};`);
  } finally {
    db.close();
  }
}

/** The seq of the ingest.started event: cutting before it removes a whole ingest. */
function seqOf(store: CaseStore, action: string): number {
  return listEvents(store.db).find((e) => e.action === action)!.seq;
}

describe('the tail of the custody log', () => {
  it('names a tail cut (rows, objects rows and verification removed, triggers recreated) against the witness log', async () => {
    const { ws, store, dbFile } = await preservedCase();
    const head = listEvents(store.db).at(-1)!;
    const keep = seqOf(store, 'ingest.started') - 1;
    store.close();
    cutTail(dbFile, keep);
    const r = await withStore(ws, store.id, (s) => verifyAgain(s));
    expect(r.ok).toBe(false);
    expect(r.messages.join('\n')).toMatch(
      new RegExp(
        `custody log: truncated or rolled back: seq ${head.seq} \\(hash ${head.hash.slice(0, 16)}…\\) was witnessed at \\S+ by the workstation witness log \\(entry \\d+, probity\\); the case ends at seq ${keep}`,
      ),
    );
    // The objects the cut rows named are still in the store: strays now.
    expect(r.messages.join('\n')).toMatch(
      /objects\/sha256\/[0-9a-f]{2}\/[0-9a-f]{62}: stray object: no evidence row names it/,
    );
  });

  it('without a witness, says exactly how far back it can vouch', async () => {
    const { ws, home, store, dbFile } = await preservedCase();
    const keep = seqOf(store, 'ingest.started') - 1;
    store.close();
    fs.rmSync(path.join(home, 'witness'), { recursive: true });
    cutTail(dbFile, keep);
    // The stray objects aside (a separate finding), the chain alone cannot show the cut.
    for (const f of fs.readdirSync(path.join(store.dir, 'objects', 'sha256'), { recursive: true }))
      if (String(f).length > 3)
        fs.rmSync(path.join(store.dir, 'objects', 'sha256', String(f)), { force: true });
    const r = await withStore(ws, store.id, (s) => verifyAgain(s));
    expect(r.messages).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.notes).toContain(`no witness beyond seq 0: a cut after seq 0 could not be seen`);
  });

  it('names a rollback: an older case.db copied back over the current one', async () => {
    const { ws, store, dbFile } = await preservedCase();
    const old = `${dbFile}.copy`;
    store.close();
    fs.copyFileSync(dbFile, old);
    const later = tempDir('probity-adversary-later-');
    cleanups.push(() => rmrf(later));
    writeTree(later, { 'late.bin': 'added later' });
    await withStore(ws, store.id, (s) =>
      ingestBundle({ store: s, bundle: later, actor: 'custodian', host: 'test-host', workers: 1 }),
    );
    const head = await withStore(ws, store.id, (s) => listEvents(s.db).at(-1)!);
    fs.copyFileSync(old, dbFile);
    const r = await withStore(ws, store.id, (s) => verifyAgain(s));
    expect(r.ok).toBe(false);
    const text = r.messages.join('\n');
    expect(text).toContain(
      `custody log: truncated or rolled back: seq ${head.seq} (hash ${head.hash.slice(0, 16)}…) was witnessed at`,
    );
    expect(text).toContain(
      `objects/sha256/${sha256('added later').slice(0, 2)}/${sha256('added later').slice(2)}: stray object`,
    );
  });

  it('names a rollback that then grew a different tail', async () => {
    const { ws, store, dbFile } = await preservedCase();
    const old = `${dbFile}.copy`;
    store.close();
    fs.copyFileSync(dbFile, old);
    await withStore(ws, store.id, (s) => verifyAgain(s));
    const witnessed = await withStore(ws, store.id, (s) => listEvents(s.db).at(-1)!);
    fs.copyFileSync(old, dbFile);
    // The same number of events again, so the case is not shorter than the witness.
    await withStore(ws, store.id, (s) => verifyAgain(s));
    const r = await withStore(ws, store.id, (s) => verifyAgain(s));
    expect(r.messages.join('\n')).toContain(
      `custody log: rewritten or rolled back: seq ${witnessed.seq} has hash`,
    );
  });
});

describe('signed checkpoints', () => {
  it("checkpoint --check fails when the checkpoint's own event was cut from the log", async () => {
    const { ws, home, store, dbFile } = await preservedCase();
    addCustodian(home, { name: 'alice', role: 'custodian', passphrase: 'pw', actor: 'ops' });
    const alice = unlockCustodian(home, 'alice', 'pw');
    const { signed, event } = signCheckpoint(store, home, alice, 'alice');
    store.close();
    // Cut the checkpoint event itself: the pinned head (the seq before it) still matches.
    cutTail(dbFile, event.seq - 1);
    const problems = await withStore(ws, store.id, (s) =>
      checkCheckpointAgainstCase(s, signed, loadKeyring(home).keyring),
    );
    expect(problems).toEqual([
      `custody log: the checkpoint's own event (checkpoint.signed after seq ${signed.checkpoint.lastSeq}, signed by alice) is gone: the log was cut or rolled back after the checkpoint was signed`,
    ]);
    // Verify with the pinned checkpoint names it too, and the witness log (which holds the
    // checkpoint's head) names the cut.
    const file = path.join(home, 'pinned.json');
    fs.writeFileSync(file, JSON.stringify(signed));
    const r = await withStore(ws, store.id, (s) =>
      verifyCase({ store: s, actor: 'custodian', workers: 1, checkpoints: [{ file, signed }] }),
    );
    expect(r.ok).toBe(false);
    expect(r.messages.join('\n')).toContain(`${file}: custody log: the checkpoint's own event`);
    expect(r.messages.join('\n')).toContain(`custody log: truncated or rolled back: seq ${event.seq}`);
  });

  it('verify --checkpoint names a case cut before the pinned head, even with no witness log', async () => {
    const { ws, home, store, dbFile } = await preservedCase();
    addCustodian(home, { name: 'alice', role: 'custodian', passphrase: 'pw', actor: 'ops' });
    const { signed } = signCheckpoint(store, home, unlockCustodian(home, 'alice', 'pw'), 'alice');
    store.close();
    fs.rmSync(path.join(home, 'witness'), { recursive: true });
    cutTail(dbFile, signed.checkpoint.lastSeq - 2);
    const r = await withStore(ws, store.id, (s) =>
      verifyCase({
        store: s,
        actor: 'custodian',
        workers: 1,
        checkpoints: [{ file: 'pinned.json', signed }],
      }),
    );
    expect(r.messages.join('\n')).toContain(
      `custody log: truncated or rolled back: seq ${signed.checkpoint.lastSeq} (hash ${signed.checkpoint.lastHash.slice(0, 16)}…) was witnessed at ${signed.checkpoint.at} by the checkpoint pinned.json signed by alice; the case ends at seq ${signed.checkpoint.lastSeq - 2}`,
    );
  });
});

describe('case transfer', () => {
  async function exported(opts: { cut?: boolean; dropWitness?: boolean; signAs?: 'mallory' } = {}) {
    const a = await preservedCase();
    const keep = seqOf(a.store, 'ingest.started') - 1;
    a.store.close();
    if (opts.cut) cutTail(a.dbFile, keep);
    if (opts.dropWitness) fs.rmSync(path.join(a.home, 'witness'), { recursive: true });
    // Remove the stray objects the cut left, as a careful adversary would.
    const out = path.join(tempDir('probity-adversary-tar-'), 'case.tar');
    cleanups.push(() => rmrf(path.dirname(out)));
    let custodian = null;
    if (opts.signAs) {
      addCustodian(a.home, { name: 'mallory', role: 'custodian', passphrase: 'pw', actor: 'mallory' });
      custodian = unlockCustodian(a.home, 'mallory', 'pw');
    }
    await withStore(a.ws, a.store.id, (s) =>
      exportCase({ store: s, home: a.home, out, actor: 'mallory', custodian }),
    );
    return { ...a, out, keep };
  }

  function receiver() {
    const w = newWorkstation();
    cleanups.push(w.cleanup);
    return w;
  }

  it('refuses a tail-truncated case, re-signed by another custodian, behind the witness entries it carries', async () => {
    // keep + 1: the export introduced mallory's key (custodian.key) after the cut.
    const { out, keep } = await exported({ cut: true, signAs: 'mallory' });
    const b = receiver();
    await expect(importCase({ workstation: b.ws, file: out, actor: 'bob', workers: 1 })).rejects.toThrow(
      new RegExp(
        `refused: the case does not verify .*custody log: truncated or rolled back: seq \\d+ \\(hash [0-9a-f]{16}…\\) was witnessed at \\S+ by the exporting workstation's witness log \\(entry \\d+, probity, carried in WITNESS\\.jsonl\\); the case ends at seq ${keep + 1}`,
      ),
    );
    expect(fs.existsSync(b.ws.casesDir) ? fs.readdirSync(b.ws.casesDir) : []).toEqual([]);
  });

  it('refuses a case behind what the importing workstation witnessed, even when the archive carries no witness', async () => {
    const good = await exported();
    const b = receiver();
    const first = await importCase({ workstation: b.ws, file: good.out, actor: 'bob', workers: 1 });
    expect(first.verification.ok).toBe(true);
    expect(first.verification.notes).toEqual([]);
    rmrf(path.join(b.ws.casesDir, first.caseId));

    // The same case, cut on its home workstation whose witness log was removed as well.
    cutTail(good.dbFile, good.keep);
    fs.rmSync(path.join(good.home, 'witness'), { recursive: true });
    const out2 = path.join(path.dirname(good.out), 'cut.tar');
    await withStore(good.ws, first.caseId, (s) =>
      exportCase({ store: s, home: good.home, out: out2, actor: 'mallory' }),
    );
    await expect(importCase({ workstation: b.ws, file: out2, actor: 'bob', workers: 1 })).rejects.toThrow(
      /refused: the case does not verify .*custody log: truncated or rolled back: seq \d+ .* by this workstation's witness log/,
    );

    // A workstation that never saw the case accepts it, saying how far it can vouch.
    const c = receiver();
    const r = await importCase({ workstation: c.ws, file: out2, actor: 'carol', workers: 1 });
    expect(r.verification.notes).toContain(`no witness beyond seq 0: a cut after seq 0 could not be seen`);
  });
});

describe('report bundles', () => {
  async function signedBundle() {
    const a = await preservedCase();
    addCustodian(a.home, { name: 'alice', role: 'custodian', passphrase: 'pw', actor: 'ops' });
    addCustodian(a.home, { name: 'mallory', role: 'custodian', passphrase: 'pw', actor: 'ops' });
    const alice = unlockCustodian(a.home, 'alice', 'pw');
    const mallory = unlockCustodian(a.home, 'mallory', 'pw');
    const out = path.join(tempDir('probity-adversary-report-'), 'bundle');
    cleanups.push(() => rmrf(path.dirname(out)));
    await exportReport({
      store: a.store,
      home: a.home,
      out,
      formats: ['html', 'json'],
      actor: 'alice',
      generator: 'probity test',
      custodian: alice,
    });
    expect((await verifyReportBundle(out)).problems).toEqual([]);
    return { ...a, out, alice, mallory };
  }

  /** Redo MANIFEST.sha256 over the folder's files, as `sha256sum` would. */
  function redoManifest(dir: string): Buffer {
    const names = fs
      .readdirSync(dir)
      .filter((n) => n !== 'MANIFEST.sha256' && n !== 'MANIFEST.sha256.sig')
      .sort();
    const text = names.map((n) => `${sha256(fs.readFileSync(path.join(dir, n)))}  ${n}\n`).join('');
    fs.writeFileSync(path.join(dir, 'MANIFEST.sha256'), text);
    return Buffer.from(text);
  }

  it('names a bundle re-signed with another key, without --pin', async () => {
    const { out, alice, mallory } = await signedBundle();
    fs.writeFileSync(path.join(out, 'signer.pub.pem'), mallory.publicKeyPem);
    fs.writeFileSync(path.join(out, 'MANIFEST.sha256.sig'), signBytes(mallory.privateKey, redoManifest(out)));
    const r = await verifyReportBundle(out);
    expect(r.ok).toBe(false);
    expect(r.problems).toContain(
      `signer.pub.pem: holds key ${mallory.fingerprint}, but report.json names alice (${alice.fingerprint}): the bundle was re-signed with another key`,
    );
  });

  it('names a bundle whose signature and public key were deleted', async () => {
    const { out, alice } = await signedBundle();
    fs.rmSync(path.join(out, 'signer.pub.pem'));
    fs.rmSync(path.join(out, 'MANIFEST.sha256.sig'));
    redoManifest(out);
    const r = await verifyReportBundle(out);
    expect(r.ok).toBe(false);
    expect(r.problems).toContain(
      `report.json: says the bundle is signed by alice (${alice.fingerprint}), but MANIFEST.sha256.sig and signer.pub.pem are missing: the signature was removed`,
    );
  });

  it('names a report file edited, and a manifest edited', async () => {
    const { out } = await signedBundle();
    const html = path.join(out, 'report.html');
    fs.writeFileSync(html, fs.readFileSync(html, 'utf8').replace('Adversary', 'Nothing happened'));
    const r = await verifyReportBundle(out);
    expect(r.problems.join('\n')).toMatch(
      /^report\.html: altered: sha256 is [0-9a-f]{64}, MANIFEST\.sha256 lists/m,
    );
    redoManifest(out);
    const r2 = await verifyReportBundle(out);
    expect(r2.problems.join('\n')).toMatch(/MANIFEST\.sha256\.sig: bad signature/);
  });

  it('verify --report names a case cut behind the head the report printed', async () => {
    const { ws, home, store, dbFile, out } = await signedBundle();
    const printed = (
      JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as { chainHead: { lastSeq: number } }
    ).chainHead;
    store.close();
    fs.rmSync(path.join(home, 'witness'), { recursive: true });
    cutTail(dbFile, printed.lastSeq - 3);
    const r = await withStore(ws, store.id, (s) =>
      verifyCase({ store: s, actor: 'custodian', workers: 1, reports: [out] }),
    );
    expect(r.messages.join('\n')).toContain(
      `custody log: truncated or rolled back: seq ${printed.lastSeq} (hash`,
    );
    expect(r.messages.join('\n')).toContain(
      `by the report bundle ${out}; the case ends at seq ${printed.lastSeq - 3}`,
    );
  });
});

describe('signatures and archives', () => {
  it('names a report bundle signature made by another key than signer.pub.pem holds', async () => {
    const a = await preservedCase();
    addCustodian(a.home, { name: 'alice', role: 'custodian', passphrase: 'pw', actor: 'ops' });
    addCustodian(a.home, { name: 'mallory', role: 'custodian', passphrase: 'pw', actor: 'ops' });
    const out = path.join(tempDir('probity-adversary-report-'), 'bundle');
    cleanups.push(() => rmrf(path.dirname(out)));
    const alice = unlockCustodian(a.home, 'alice', 'pw');
    await exportReport({
      store: a.store,
      home: a.home,
      out,
      formats: ['json'],
      actor: 'alice',
      generator: 'g',
      custodian: alice,
    });
    const manifest = fs.readFileSync(path.join(out, 'MANIFEST.sha256'));
    fs.writeFileSync(
      path.join(out, 'MANIFEST.sha256.sig'),
      signBytes(unlockCustodian(a.home, 'mallory', 'pw').privateKey, manifest),
    );
    expect((await verifyReportBundle(out)).problems).toContain(
      `MANIFEST.sha256.sig: bad signature: it does not verify MANIFEST.sha256 with signer.pub.pem (${alice.fingerprint})`,
    );
  });

  it('names a custody event re-signed by a foreign key', async () => {
    const { ws, home, store, dbFile } = await preservedCase();
    addCustodian(home, { name: 'alice', role: 'custodian', passphrase: 'pw', actor: 'ops' });
    const { event } = signCheckpoint(store, home, unlockCustodian(home, 'alice', 'pw'), 'alice');
    store.close();
    const foreign = tempDir('probity-adversary-foreign-');
    cleanups.push(() => rmrf(foreign));
    addCustodian(foreign, { name: 'alice', role: 'custodian', passphrase: 'pw', actor: 'mallory' });
    const fake = unlockCustodian(foreign, 'alice', 'pw');
    behindTheTriggers(
      dbFile,
      ['custody'],
      'UPDATE custody SET signature = ?, signer = ? WHERE seq = ?',
      fake.signer.sign(event.hash),
      fake.fingerprint,
      event.seq,
    );
    const r = await withStore(ws, store.id, (s) => verifyAgain(s));
    expect(r.ok).toBe(false);
    expect(r.messages.join('\n')).toMatch(new RegExp(`custody log: seq ${event.seq}: `));
  });

  it('refuses a case archive with a byte flipped in an object', async () => {
    const a = await preservedCase();
    a.store.close();
    const out = path.join(tempDir('probity-adversary-tar-'), 'case.tar');
    cleanups.push(() => rmrf(path.dirname(out)));
    await withStore(a.ws, a.store.id, (s) => exportCase({ store: s, home: a.home, out, actor: 'ops' }));
    const bytes = fs.readFileSync(out);
    const at = bytes.indexOf(Buffer.from(WEIGHTS));
    bytes[at] = bytes[at]! ^ 1;
    fs.writeFileSync(out, bytes);
    const b = newWorkstation();
    cleanups.push(b.cleanup);
    await expect(importCase({ workstation: b.ws, file: out, actor: 'bob', workers: 1 })).rejects.toThrow(
      /refused: objects\/sha256\/[0-9a-f]{2}\/[0-9a-f]{62}: sha256 is [0-9a-f]{64}, MANIFEST\.sha256 lists/,
    );
  });
});
