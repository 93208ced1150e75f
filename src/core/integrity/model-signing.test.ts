import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PREDICATE_V01,
  PREDICATE_V1,
  dssePae,
  keyHintOf,
  loadPublicKey,
  parseModelSignature,
  signatureOutcome,
  subjectDigestMatches,
} from './model-signing.ts';
import { emptyModelStatement, fixture, IN_TOTO_PAYLOAD_TYPE } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const read = (rel: string): string => fs.readFileSync(fixture(`manifests/model_signing/${rel}`), 'utf8');
const pubKey = (): ReturnType<typeof loadPublicKey> => loadPublicKey(read('keys/signing-key-pub.pem'));

describe.skipIf(withoutShared())('model_signing bundles (real sigstore/model-transparency fixtures)', () => {
  it('v1.1.0-elliptic-key: v1.0 predicate, per-file sha256 resources, consistent subject digest', () => {
    const sig = parseModelSignature(read('v1.1.0-elliptic-key/model.sig'), 'model.sig');
    expect(sig.predicateType).toBe(PREDICATE_V1);
    expect(sig.method).toBe('files');
    expect(sig.resources.map((r) => [r.path, r.digest])).toEqual([
      ['signme-1', 'bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc'],
      ['signme-2', '32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028'],
    ]);
    expect(sig.ignorePaths).toContain('ignore-me');
    expect(subjectDigestMatches(sig)).toBe(true);
    // SOURCES.md: the signed files' sha256 are those digests.
    expect(
      createHash('sha256')
        .update(fs.readFileSync(fixture('manifests/model_signing/v1.1.0-elliptic-key/signme-1')))
        .digest('hex'),
    ).toBe(sig.resources[0]?.digest);
  });

  it('verifies the elliptic-key signature with keys/signing-key-pub.pem (P-384, SHA-384) and names the key hint', () => {
    const sig = parseModelSignature(read('v1.1.0-elliptic-key/model.sig'), 'model.sig');
    const key = pubKey();
    expect(signatureOutcome(sig, key)).toEqual({
      status: 'verified',
      reason: 'DSSE signature verifies with the given --signing-key (ec secp384r1)',
    });
    expect(keyHintOf(key)).toBe(sig.keyHint);
    expect(signatureOutcome(sig, null)).toMatchObject({
      status: 'not-checked',
      reason: expect.stringContaining(sig.keyHint ?? '?'),
    });
  });

  it('a payload altered after signing fails verification and its subject digest check', () => {
    const bundle = JSON.parse(read('v1.1.0-elliptic-key/model.sig')) as { dsseEnvelope: { payload: string } };
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
    bundle.dsseEnvelope.payload = Buffer.from(payload.replace('bc9a717d', 'bc9a717e')).toString('base64');
    const sig = parseModelSignature(JSON.stringify(bundle), 'model.sig');
    expect(signatureOutcome(sig, pubKey()).status).toBe('failed');
    expect(subjectDigestMatches(sig)).toBe(false);
  });

  it('v1.1.0-sigstore (keyless): certificate described, signature consistent with it, chain not verified offline', () => {
    const sig = parseModelSignature(read('v1.1.0-sigstore/model.sig'), 'model.sig');
    expect(sig.tlogEntries).toBe(1);
    expect(sig.certificate?.subjectAltName).toContain('stefanb@us.ibm.com');
    const o = signatureOutcome(sig, null);
    expect(o.status).toBe('not-checked');
    expect(o.reason).toMatch(/DSSE signature verifies with the certificate in the bundle/);
    expect(o.reason).toMatch(/not verified offline/);
    expect(subjectDigestMatches(sig)).toBe(true);
  });

  it('v0.2.0-certificate: old Digests/v0.1 payload, one subject per file, signature does not verify', () => {
    const sig = parseModelSignature(read('v0.2.0-certificate/model.sig'), 'model.sig');
    expect(sig.predicateType).toBe(PREDICATE_V01);
    expect(sig.resources.map((r) => [r.path, r.digest.slice(0, 8)])).toEqual([
      ['signme-1', 'f6310066'],
      ['signme-2', '32dcb1f8'],
    ]);
    expect(subjectDigestMatches(sig)).toBeNull();
    // The bundle's leaf certificate carries the same P-384 key as keys/signing-key-pub.pem, yet the
    // signature verifies under neither (checked independently with SHA-256/384/512 over the PAE and
    // the raw payload): a genuine failure, reported as one rather than glossed over.
    expect(sig.certificate?.subject).toBe('CN=intermediate-ca');
    expect(signatureOutcome(sig, pubKey()).status).toBe('failed');
    expect(signatureOutcome(sig, null).reason).toMatch(/does NOT verify with the certificate in the bundle/);
  });

  it('the golden TestPayload subject is the digest of its resource digests in name order', () => {
    const statement = read('TestPayload-sample_model_folder.golden.json');
    const envelope = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      dsseEnvelope: {
        payload: Buffer.from(statement).toString('base64'),
        payloadType: 'application/vnd.in-toto+json',
        signatures: [],
      },
    };
    const sig = parseModelSignature(JSON.stringify(envelope), 'golden');
    expect(sig.resources).toHaveLength(10);
    expect(subjectDigestMatches(sig)).toBe(true);
    expect(signatureOutcome(sig, pubKey())).toMatchObject({
      status: 'failed',
      reason: 'the envelope carries no signature',
    });
  });

  it('refuses what is not a model_signing bundle, by name', () => {
    expect(() => parseModelSignature('{"mediaType":"x"}', 'weird.sig')).toThrow(
      /weird\.sig: no dsseEnvelope/,
    );
    expect(() => parseModelSignature('-----BEGIN PGP SIGNATURE-----', 'gpg.sig')).toThrow(
      /gpg\.sig: invalid signature bundle/,
    );
  });
});

describe('DSSE signatures with generated keys', () => {
  const payloadType = IN_TOTO_PAYLOAD_TYPE;
  const statement = emptyModelStatement();
  const bundleWith = (sig: Buffer): string =>
    JSON.stringify({
      dsseEnvelope: {
        payload: statement.toString('base64'),
        payloadType,
        signatures: [{ sig: sig.toString('base64') }],
      },
    });

  it.each([
    ['ed25519', () => generateKeyPairSync('ed25519'), null, 'ed25519'],
    ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), 'sha256', 'ec prime256v1'],
  ] as const)('%s: verified with the right key, failed with another', (_n, gen, hash, label) => {
    const { privateKey, publicKey } = gen();
    const sig = parseModelSignature(
      bundleWith(sign(hash, dssePae(payloadType, statement), privateKey)),
      'model.sig',
    );
    expect(signatureOutcome(sig, publicKey)).toMatchObject({
      status: 'verified',
      reason: expect.stringContaining(label),
    });
    expect(signatureOutcome(sig, gen().publicKey).status).toBe('failed');
  });

  it('PAE is the DSSE pre-authentication encoding', () => {
    expect(dssePae('t', Buffer.from('ab')).toString()).toBe('DSSEv1 1 t 2 ab');
  });
});
