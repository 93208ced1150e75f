import { afterEach, describe, expect, it } from 'vitest';
import { newWorkstation } from '../../../test/helpers';
import { appendEvent, listEvents } from '../store/custody';
import { verifyCase } from '../verify/verify';
import { prepareCaseSigner } from './case-signer';
import { checkCheckpointAgainstCase, signCheckpoint } from './checkpoint';
import { addCustodian, loadKeyring, revokeCustodian, rotateCustodian, unlockCustodian } from './custodians';
import { verifyText } from './ed25519';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup() {
  const { ws, home, cleanup } = newWorkstation();
  cleanups.push(cleanup);
  const store = ws.createCase({ title: 'signed', actor: 'ops' });
  cleanups.unshift(() => store.close());
  addCustodian(home, { name: 'alice', role: 'evidence custodian', passphrase: 'pw-a', actor: 'ops' });
  addCustodian(home, { name: 'bob', passphrase: 'pw-b', actor: 'ops' });
  return { ws, home, store };
}

/** Alice, unlocked, appends one timeline event to the case signed with her key. */
function aliceSigns(
  home: string,
  store: ReturnType<typeof setup>['store'],
  details: Record<string, unknown> = {},
) {
  const alice = unlockCustodian(home, 'alice', 'pw-a');
  const signer = prepareCaseSigner(store.db, home, alice, 'alice');
  const e = appendEvent(
    store.db,
    { actor: 'alice', action: 'incident.timeline.added', subject: store.id, details },
    signer,
  );
  return { alice, signer, e };
}

/** Drop the append-only trigger, as a tamperer with write access to case.db would. */
function tamper(store: ReturnType<typeof setup>['store'], sql: string, ...params: unknown[]) {
  store.db.exec('DROP TRIGGER custody_no_update');
  store.db.prepare(sql).run(...params);
}

describe('signed custody events', () => {
  it('signs each event hash with the acting custodian and verify checks every signature', async () => {
    const { home, store } = setup();
    const { alice, e } = aliceSigns(home, store);
    expect(e.signer).toBe(alice.fingerprint);
    expect(verifyText(alice.publicKey, e.hash, e.signature!)).toBe(true);
    // The key is introduced into the case once, signed, with its public key.
    const actions = listEvents(store.db).map((x) => [x.action, x.signer !== null]);
    expect(actions).toEqual([
      ['case.created', false],
      ['custodian.key', true],
      ['incident.timeline.added', true],
    ]);
    const intro = listEvents(store.db)[1]!;
    expect(intro.details).toMatchObject({ name: 'alice', fingerprint: alice.fingerprint });
    expect(String(intro.details.publicKeyPem)).toMatch(/BEGIN PUBLIC KEY/);
    prepareCaseSigner(store.db, home, alice, 'alice');
    expect(listEvents(store.db)).toHaveLength(3);

    const ok = await verifyCase({ store, actor: 'ops', workers: 1 });
    expect(ok.messages).toEqual([]);
  });

  it('names a forged signature, an unknown signer and a swapped signer', async () => {
    const { ws, home, store } = setup();
    const alice = unlockCustodian(home, 'alice', 'pw-a');
    const bob = unlockCustodian(home, 'bob', 'pw-b');
    const signer = prepareCaseSigner(store.db, home, alice, 'alice');
    appendEvent(
      store.db,
      { actor: 'alice', action: 'incident.timeline.added', subject: store.id, details: { n: 1 } },
      signer,
    );
    appendEvent(
      store.db,
      { actor: 'alice', action: 'incident.timeline.added', subject: store.id, details: { n: 2 } },
      signer,
    );
    appendEvent(
      store.db,
      { actor: 'alice', action: 'incident.timeline.added', subject: store.id, details: { n: 3 } },
      signer,
    );
    // seq 3: a signature made by bob's key but attributed to alice.
    tamper(
      store,
      'UPDATE custody SET signature = ? WHERE seq = 3',
      bob.signer.sign(listEvents(store.db)[2]!.hash),
    );
    // seq 4: a signer nobody knows.
    store.db.prepare('UPDATE custody SET signer = ? WHERE seq = 4').run('f'.repeat(64));
    // seq 5: a signature of a different hash.
    store.db.prepare('UPDATE custody SET signature = ? WHERE seq = 5').run(alice.signer.sign('0'.repeat(64)));
    store.db.exec(
      "CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody BEGIN SELECT RAISE(ABORT, 'custody is append-only: rows cannot be changed'); END;",
    );

    const r = await verifyCase({ store, actor: 'ops', workers: 1 });
    expect(r.ok).toBe(false);
    expect(r.messages).toEqual([
      `custody log: seq 3: signature does not verify for custodian alice (${alice.fingerprint})`,
      `custody log: seq 4: signed by an unknown custodian (${'f'.repeat(64)}): no such public key on this workstation`,
      `custody log: seq 5: signature does not verify for custodian alice (${alice.fingerprint})`,
    ]);
    expect(ws.home).toBe(home);
  });

  it('keeps signatures made before a rotation or revocation valid, names later ones, and tells the case', async () => {
    const { home, store } = setup();
    const bob = unlockCustodian(home, 'bob', 'pw-b');
    const signer = prepareCaseSigner(store.db, home, bob, 'bob');
    appendEvent(
      store.db,
      { actor: 'bob', action: 'incident.timeline.added', subject: store.id, details: {} },
      signer,
    );
    const old = unlockCustodian(home, 'alice', 'pw-a');
    const aliceSigner = prepareCaseSigner(store.db, home, old, 'alice');
    appendEvent(
      store.db,
      { actor: 'alice', action: 'incident.timeline.added', subject: store.id, details: {} },
      aliceSigner,
    );
    rotateCustodian(home, { name: 'alice', passphrase: 'pw-a', newPassphrase: 'pw-a2', actor: 'ops' });
    revokeCustodian(home, { name: 'bob', reason: 'key disclosed', actor: 'ops' });
    expect((await verifyCase({ store, actor: 'ops', workers: 1 })).messages).toEqual([]);

    // The new alice key acts: the case learns of the rotation and the revocation first.
    const alice2 = unlockCustodian(home, 'alice', 'pw-a2');
    prepareCaseSigner(store.db, home, alice2, 'alice');
    const tail = listEvents(store.db).slice(-3);
    expect(tail.map((e) => [e.action, e.details.status ?? e.details.name])).toEqual([
      ['custodian.status', 'retired'],
      ['custodian.status', 'revoked'],
      ['custodian.key', 'alice'],
    ]);

    // The retired key signing now is named.
    appendEvent(
      store.db,
      { actor: 'alice', action: 'incident.timeline.added', subject: store.id, details: {} },
      old.signer,
    );
    const r = await verifyCase({ store, actor: 'ops', workers: 1 });
    const seq = listEvents(store.db).length - 1;
    expect(r.messages).toEqual([
      expect.stringMatching(
        new RegExp(
          `^custody log: seq ${seq}: signed by custodian alice \\(${old.fingerprint}\\) after the key was retired by rotation at `,
        ),
      ),
    ]);
  });
});

describe('signed checkpoints', () => {
  it('signs the chain head, records it, and checks a pinned checkpoint against the case', () => {
    const { home, store } = setup();
    const alice = unlockCustodian(home, 'alice', 'pw-a');
    const { signed, event } = signCheckpoint(store, home, alice, 'alice');
    expect(signed.checkpoint).toMatchObject({ caseId: store.id, lastSeq: 2 });
    expect(event).toMatchObject({ action: 'checkpoint.signed', seq: 3, signer: alice.fingerprint });
    const { keyring } = loadKeyring(home);
    expect(checkCheckpointAgainstCase(store, signed, keyring)).toEqual([]);

    // Forged: the checkpoint's numbers changed after signing.
    const forged = { ...signed, checkpoint: { ...signed.checkpoint, lastSeq: 1 } };
    expect(checkCheckpointAgainstCase(store, forged, keyring)).toContain(
      `checkpoint signature does not verify for custodian alice (${alice.fingerprint})`,
    );
    // The log rewritten under the checkpoint.
    tamper(store, "UPDATE custody SET actor = 'mallory' WHERE seq = 2");
    expect(checkCheckpointAgainstCase(store, signed, keyring)).toEqual([
      'custody log: chain broken at seq 2: event content does not match its hash: the row was edited',
    ]);
  });
});

describe('stripped signatures', () => {
  const RESTORE_TRIGGER =
    "CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody BEGIN SELECT RAISE(ABORT, 'custody is append-only: rows cannot be changed'); END;";

  it('records the signer inside the hashed details, and refuses a caller setting it', () => {
    const { home, store } = setup();
    const { alice, e } = aliceSigns(home, store);
    expect(e.details).toEqual({ signedBy: alice.fingerprint });
    const plain = appendEvent(store.db, {
      actor: 'ops',
      action: 'incident.timeline.added',
      subject: store.id,
      details: {},
    });
    expect(plain.details).toEqual({});
    expect(() =>
      appendEvent(store.db, {
        actor: 'ops',
        action: 'incident.timeline.added',
        subject: store.id,
        details: { signedBy: alice.fingerprint },
      }),
    ).toThrow(/details\.signedBy is set by appendEvent only/);
  });

  it('names the seq of an event whose signature and signer were set to NULL after dropping the trigger', async () => {
    const { home, store } = setup();
    const { alice, e } = aliceSigns(home, store, { n: 1 });
    // Unsigned events after a signed one are legitimate.
    appendEvent(store.db, {
      actor: 'ops',
      action: 'incident.timeline.added',
      subject: store.id,
      details: { n: 2 },
    });
    expect((await verifyCase({ store, actor: 'ops', workers: 1 })).messages).toEqual([]);

    tamper(store, 'UPDATE custody SET signature = NULL, signer = NULL WHERE seq = ?', e.seq);
    store.db.exec(RESTORE_TRIGGER);
    const r = await verifyCase({ store, actor: 'ops', workers: 1 });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      {
        kind: 'signature-removed',
        seq: e.seq,
        signer: alice.fingerprint,
        reason: `signature removed (signed by custodian alice (${alice.fingerprint}) when recorded)`,
      },
    ]);
    expect(r.messages).toEqual([
      `custody log: seq ${e.seq}: signature removed (signed by custodian alice (${alice.fingerprint}) when recorded)`,
    ]);
  });

  it('names a stripped key introduction, a signature a later checkpoint lists, and a re-signed event', async () => {
    const { home, store } = setup();
    const alice = unlockCustodian(home, 'alice', 'pw-a');
    const bob = unlockCustodian(home, 'bob', 'pw-b');
    // An older case: events signed without signedBy in their details.
    const signedLegacy = (
      action: 'custodian.key' | 'incident.timeline.added',
      details: Record<string, unknown>,
    ) => {
      const e = appendEvent(store.db, { actor: 'alice', action, subject: 'alice', details });
      store.db.exec('DROP TRIGGER custody_no_update');
      store.db
        .prepare('UPDATE custody SET signature = ?, signer = ? WHERE seq = ?')
        .run(alice.signer.sign(e.hash), alice.fingerprint, e.seq);
      store.db.exec(RESTORE_TRIGGER);
      return e;
    };
    const intro = signedLegacy('custodian.key', {
      name: 'alice',
      fingerprint: alice.fingerprint,
      publicKeyPem: alice.publicKeyPem,
    });
    const listed = signedLegacy('incident.timeline.added', { n: 1 });
    const { event: cp } = signCheckpoint(store, home, alice, 'alice');
    expect(cp.details.signedEvents).toEqual({
      throughSeq: listed.seq,
      ranges: { [alice.fingerprint]: [[intro.seq, listed.seq]] },
    });
    const unlisted = signedLegacy('incident.timeline.added', { n: 2 });
    const signer = prepareCaseSigner(store.db, home, bob, 'bob');
    const e = appendEvent(
      store.db,
      { actor: 'bob', action: 'incident.timeline.added', subject: store.id, details: {} },
      signer,
    );
    expect((await verifyCase({ store, actor: 'ops', workers: 1 })).messages).toEqual([]);

    tamper(store, 'UPDATE custody SET signature = NULL, signer = NULL WHERE seq = ?', intro.seq);
    const strip = store.db.prepare('UPDATE custody SET signature = NULL, signer = NULL WHERE seq = ?');
    strip.run(listed.seq);
    // Not detectable: nothing hashed says this older event was signed, and no checkpoint followed it.
    strip.run(unlisted.seq);
    // A valid signature, but by another custodian than the one the event records.
    store.db
      .prepare('UPDATE custody SET signature = ?, signer = ? WHERE seq = ?')
      .run(alice.signer.sign(e.hash), alice.fingerprint, e.seq);
    store.db.exec(RESTORE_TRIGGER);
    const r = await verifyCase({ store, actor: 'ops', workers: 1 });
    expect(r.messages).toEqual([
      `custody log: seq ${intro.seq}: signature removed (signed by custodian alice (${alice.fingerprint}) when recorded)`,
      `custody log: seq ${listed.seq}: signature removed (signed by custodian alice (${alice.fingerprint}) as the signed checkpoint at seq ${cp.seq} records)`,
      `custody log: seq ${e.seq}: re-signed: signed by custodian bob (${bob.fingerprint}) when recorded, now by custodian alice (${alice.fingerprint})`,
    ]);
  });

  it('verifies a case that was never signed as clean', async () => {
    const { store } = setup();
    for (let n = 1; n <= 3; n++)
      appendEvent(store.db, {
        actor: 'ops',
        action: 'incident.timeline.added',
        subject: store.id,
        details: { n },
      });
    const r = await verifyCase({ store, actor: 'ops', workers: 1 });
    expect(r.ok).toBe(true);
    expect(r.messages).toEqual([]);
  });
});
