/**
 * Key management over the shared service: a custodian made, listed with its fingerprint, signing a
 * checkpoint of a case (which verify then checks), refused with a wrong passphrase by name, its key
 * rotated and then revoked — after which it can no longer sign.
 */
import { describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../shared/domain';
import type { CustodianList, CustodianView, SignedCheckpointView } from '../../shared/custodians';
import { verifyCase } from '../verify/verify';
import { fails, ok, testService } from './testkit';

describe('custodian channels', () => {
  const { service, ws } = testService('op');

  it('adds, lists, signs a checkpoint, rotates and revokes', async () => {
    const alice = ok<CustodianView>(
      await service.handle('custodians:add', {
        name: 'alice',
        role: 'evidence custodian',
        passphrase: 'correct horse',
      }),
    );
    expect(alice.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(alice.role).toBe('evidence custodian');
    expect(fails(await service.handle('custodians:add', { name: 'alice', passphrase: 'x' })).message).toMatch(
      /custodian alice: already exists/,
    );
    const list = ok<CustodianList>(await service.handle('custodians:list', {}));
    expect(list.custodians.map((c) => [c.name, c.fingerprint])).toEqual([['alice', alice.fingerprint]]);
    expect(list.problems).toEqual([]);

    const c = ok<CaseSummary>(await service.handle('cases:create', { title: 'checkpoint' }));
    expect(
      fails(
        await service.handle('checkpoint:sign', { caseId: c.id, custodian: 'alice', passphrase: 'wrong' }),
      ).message,
    ).toMatch(/custodian alice: .*passphrase/);
    const cp = ok<SignedCheckpointView>(
      await service.handle('checkpoint:sign', {
        caseId: c.id,
        custodian: 'alice',
        passphrase: 'correct horse',
      }),
    );
    expect(cp.signer.fingerprint).toBe(alice.fingerprint);
    expect(cp.checkpoint.caseId).toBe(c.id);
    const store = ws.openCase(c.id);
    try {
      const report = await verifyCase({ store, actor: 'op' });
      expect(report.ok).toBe(true);
    } finally {
      store.close();
    }

    const rotated = ok<{ custodian: CustodianView; previousFingerprint: string }>(
      await service.handle('custodians:rotate', {
        name: 'alice',
        passphrase: 'correct horse',
        newPassphrase: 'battery staple',
      }),
    );
    expect(rotated.previousFingerprint).toBe(alice.fingerprint);
    expect(rotated.custodian.fingerprint).not.toBe(alice.fingerprint);
    expect(rotated.custodian.keys.map((k) => k.status)).toEqual(['retired', 'active']);

    const revoked = ok<CustodianView>(
      await service.handle('custodians:revoke', { name: 'alice', reason: 'laptop lost' }),
    );
    expect(revoked.status).toBe('revoked');
    expect(
      fails(
        await service.handle('checkpoint:sign', {
          caseId: c.id,
          custodian: 'alice',
          passphrase: 'battery staple',
        }),
      ).message,
    ).toMatch(/custodian alice .*revoked.*laptop lost/);
    expect(fails(await service.handle('custodians:revoke', { name: 'alice', reason: '' })).message).toMatch(
      /needs a reason/,
    );
  }, 60_000);
});
