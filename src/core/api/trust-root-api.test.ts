/**
 * A trust root for the model_signing certificate chain, given through the contract as the app
 * gives it: one of the case's own evidence files (listed by `integrity:trustRoots`) or a PEM file
 * on the workstation. The case holds the real private-CA bundle of sigstore/model-transparency
 * (v0.2.0-certificate: its chain verifies to keys/ca-cert.pem, its DSSE signature does not), so the
 * run must name both verdicts; without a trust root the chain is reported as not verified offline.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../test/helpers';
import type { Envelope } from '../../shared/contract';
import type { IntegrityRun, TrustRootCandidate } from '../../shared/integrity';
import { caseFromFolder, rmrf, tempDir, workstation } from '../integrity/testkit';
import { ProbityService } from './service';

const signing = path.join(fixturesDir, 'manifests/model_signing');
const haveReal = fs.existsSync(signing);
if (!haveReal)
  console.log(`trust-root-api.test: ${signing} is absent; the trust-root channel is not checked`);

function ok<T>(e: Envelope<unknown>): T {
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
  return e.result as T;
}

const sigItem = (run: IntegrityRun) =>
  run.checks.find((c) => c.check === 'file-integrity')!.items.find((i) => i.subject === 'model/model.sig');

describe.skipIf(!haveReal)('integrity:run with a trust root', () => {
  const { ws, cleanup } = workstation();
  const bundle = tempDir('probity-trust-bundle-');
  const service = new ProbityService({
    workstation: ws,
    actor: 'tester',
    host: 'h',
    mode: 'browser',
    version: 't',
  });
  let caseId = '';
  let candidates: TrustRootCandidate[] = [];

  beforeAll(async () => {
    fs.mkdirSync(path.join(bundle, 'model'), { recursive: true });
    for (const f of ['model.sig', 'signme-1', 'signme-2'])
      fs.copyFileSync(path.join(signing, 'v0.2.0-certificate', f), path.join(bundle, 'model', f));
    fs.mkdirSync(path.join(bundle, 'keys'));
    fs.copyFileSync(path.join(signing, 'keys/ca-cert.pem'), path.join(bundle, 'keys/ca-cert.pem'));
    // A certificate that is not a CA, and a PEM-looking file that does not parse.
    fs.writeFileSync(
      path.join(bundle, 'keys/broken.pem'),
      '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n',
    );
    const store = await caseFromFolder(ws, bundle, 'signed model');
    caseId = store.id;
    store.close();
    candidates = ok<TrustRootCandidate[]>(await service.handle('integrity:trustRoots', { caseId }));
  }, 60_000);
  afterAll(() => {
    cleanup();
    rmrf(bundle);
  });

  it('lists the PEM certificates of the evidence, and only them', () => {
    expect(candidates.map((c) => [c.path, c.certificates.map((x) => [x.subject, x.ca])])).toEqual([
      ['keys/ca-cert.pem', [['CN=root-ca', true]]],
    ]);
  });

  it('an evidence CA as trust root: the run names the chain verdict and the signature verdict', async () => {
    const run = ok<IntegrityRun>(
      await service.handle('integrity:run', { caseId, trustRoot: { evidenceId: candidates[0]!.evidenceId } }),
    );
    expect(sigItem(run)?.summary).toBe(
      'model/model.sig: certificate chain verifies to the given --trust-root: leaf CN=intermediate-ca → intermediate 1 CN=intermediate-ca → root CN=root-ca; DSSE signature does NOT verify with the leaf certificate CN=intermediate-ca (ec secp384r1)',
    );
    expect(sigItem(run)?.status).toBe('fail');
    expect(run.options?.trustRoot).toEqual({
      label: `evidence keys/ca-cert.pem (#${candidates[0]!.evidenceId}, case ${caseId})`,
      sha256: candidates[0]!.sha256,
      subjects: ['CN=root-ca'],
    });
    // The recorded run keeps which trust root it used.
    const latest = ok<IntegrityRun>(await service.handle('integrity:latest', { caseId }));
    expect(latest.options?.trustRoot).toEqual(run.options?.trustRoot);
  });

  it('the same CA as a file on the workstation gives the same verdict', async () => {
    const run = ok<IntegrityRun>(
      await service.handle('integrity:run', {
        caseId,
        trustRoot: { path: path.join(signing, 'keys/ca-cert.pem') },
      }),
    );
    expect(sigItem(run)?.summary).toMatch(
      /certificate chain verifies to the given --trust-root: leaf CN=intermediate-ca/,
    );
    expect(run.options?.trustRoot?.label).toBe(path.join(signing, 'keys/ca-cert.pem'));
  });

  it('without a trust root the chain is not verified, and the run says so', async () => {
    const run = ok<IntegrityRun>(await service.handle('integrity:run', { caseId, trustRoot: null }));
    expect(sigItem(run)?.summary ?? run.checks[0]!.reasons.join(' ')).not.toMatch(/chain verifies/);
    expect(JSON.stringify(run.checks[0])).toMatch(/were not verified offline/);
    expect(run.options?.trustRoot).toBeNull();
  });

  it('refuses, by name, what is not a trust root', async () => {
    const evidence = ok<{ id: number; path: string }[]>(await service.handle('evidence:list', { caseId }));
    const broken = evidence.find((e) => e.path === 'keys/broken.pem')!;
    const bad = await service.handle('integrity:run', { caseId, trustRoot: { evidenceId: broken.id } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.message).toMatch(
      /keys\/broken\.pem: evidence #\d+: not a PEM certificate or bundle/,
    );
    const missing = await service.handle('integrity:run', { caseId, trustRoot: { evidenceId: 999_999 } });
    expect(!missing.ok && missing.error.code).toBe('not-found');
    // A public key is not a certificate.
    const notCert = await service.handle('integrity:run', {
      caseId,
      trustRoot: { path: path.join(signing, 'keys/signing-key-pub.pem') },
    });
    expect(!notCert.ok && notCert.error.message).toMatch(/--trust-root: not a PEM certificate or bundle/);
    const badArgs = await service.handle('integrity:run', { caseId, trustRoot: { evidenceId: 'x' } });
    expect(!badArgs.ok && badArgs.error.code).toBe('usage');
  });
});
