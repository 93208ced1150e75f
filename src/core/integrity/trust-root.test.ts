/**
 * model_signing certificate bundles verified through their chain to a CA the examiner gives
 * (`--trust-root`): a private CA made here with the openssl command (root → intermediate → leaf),
 * each broken link named; and the real private-CA bundle of sigstore/model-transparency where
 * shared/fixtures/real is present.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, sign } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturesDir, rmrf, tempDir } from '../../../test/helpers';
import {
  dssePae,
  loadCertificates,
  parseModelSignature,
  signatureOutcome,
  verifyCertificateChain,
  type SignatureTrust,
} from './model-signing.ts';
import { emptyModelStatement, IN_TOTO_PAYLOAD_TYPE } from './testkit.ts';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!haveOpenssl)
  console.log('trust-root.test: the openssl command is absent; the private-CA chain is not built');

const dir = tempDir('probity-ca-');
afterAll(() => rmrf(dir));
const at = (name: string) => path.join(dir, name);
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A key and a certificate: self-signed when no issuer is given, else signed by it. */
function cert(name: string, opts: { ca: boolean; issuer?: string; days?: number }): X509Certificate {
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  const ext = opts.ca
    ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
    : 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n';
  fs.writeFileSync(at(`${name}.ext`), `${ext}subjectKeyIdentifier=hash\n`);
  const days = String(opts.days ?? 30);
  if (!opts.issuer) {
    ssl(
      'req',
      '-new',
      '-x509',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=${name}`,
      '-days',
      days,
      '-out',
      `${name}.pem`,
      '-extensions',
      'v3',
      '-config',
      writeConfig(name, ext),
    );
  } else {
    ssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${opts.issuer}.pem`,
      '-CAkey',
      `${opts.issuer}.key`,
      '-CAcreateserial',
      '-days',
      days,
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
  return new X509Certificate(fs.readFileSync(at(`${name}.pem`)));
}

function writeConfig(name: string, ext: string): string {
  const file = `${name}.cnf`;
  fs.writeFileSync(at(file), `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${ext}subjectKeyIdentifier=hash\n`);
  return file;
}

const payloadType = IN_TOTO_PAYLOAD_TYPE;
const statement = emptyModelStatement();

/** A bundle signed with `signer`'s key, carrying `chain` (leaf first). */
function bundle(signer: string, chain: X509Certificate[]): string {
  const key = createPrivateKey(fs.readFileSync(at(`${signer}.key`)));
  const sig = sign('sha256', dssePae(payloadType, statement), key);
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      x509CertificateChain: { certificates: chain.map((c) => ({ rawBytes: c.raw.toString('base64') })) },
    },
    dsseEnvelope: {
      payload: statement.toString('base64'),
      payloadType,
      signatures: [{ sig: sig.toString('base64') }],
    },
  });
}

const roots = (...c: X509Certificate[]): SignatureTrust => ({ key: null, keyCertificate: null, roots: c });

describe.skipIf(!haveOpenssl)('a private CA chain, built here', () => {
  const root = haveOpenssl ? cert('root-ca', { ca: true }) : (null as unknown as X509Certificate);
  const inter = haveOpenssl ? cert('intermediate-ca', { ca: true, issuer: 'root-ca' }) : root;
  const leaf = haveOpenssl ? cert('signer', { ca: false, issuer: 'intermediate-ca', days: 2 }) : root;
  const other = haveOpenssl ? cert('other-root', { ca: true }) : root;
  const notCa = haveOpenssl ? cert('not-a-ca', { ca: false, issuer: 'root-ca' }) : root;
  const underNotCa = haveOpenssl ? cert('under-not-a-ca', { ca: false, issuer: 'not-a-ca' }) : root;

  it('verifies leaf → intermediate → root and the DSSE signature with the leaf key', () => {
    const sig = parseModelSignature(bundle('signer', [leaf, inter]), 'model.sig');
    const o = signatureOutcome(sig, roots(root));
    expect(o.status).toBe('verified');
    expect(o.reason).toBe(
      'certificate chain verifies to the given --trust-root: leaf CN=signer → intermediate 1 CN=intermediate-ca → root CN=root-ca; DSSE signature verifies with the leaf certificate CN=signer (ec prime256v1)',
    );
    // The chain may carry the root itself.
    expect(
      signatureOutcome(parseModelSignature(bundle('signer', [leaf, inter, root]), 'm'), roots(root)).status,
    ).toBe('verified');
  });

  it('names the link that fails: an unrelated root, a missing intermediate, an issuer that is not a CA', () => {
    const sig = parseModelSignature(bundle('signer', [leaf, inter]), 'model.sig');
    expect(signatureOutcome(sig, roots(other))).toEqual({
      status: 'failed',
      reason:
        'certificate chain does NOT verify to the given --trust-root: link CN=intermediate-ca → root: issued by CN=root-ca, which is none of the trust roots (CN=other-root) (verified so far: leaf CN=signer → intermediate 1 CN=intermediate-ca)',
    });
    const missing = parseModelSignature(bundle('signer', [leaf]), 'model.sig');
    expect(signatureOutcome(missing, roots(root)).reason).toMatch(
      /link CN=signer → root: issued by CN=intermediate-ca, which is none of the trust roots/,
    );
    const bad = parseModelSignature(bundle('under-not-a-ca', [underNotCa, notCa]), 'model.sig');
    expect(signatureOutcome(bad, roots(root)).reason).toMatch(
      /link CN=under-not-a-ca → intermediate 1 CN=not-a-ca: CN=not-a-ca is not a CA certificate \(basic constraints\) \(verified so far: leaf CN=under-not-a-ca\)$/,
    );
  });

  it('a chain that verifies does not vouch for a signature made with another key', () => {
    const forged = parseModelSignature(bundle('other-root', [leaf, inter]), 'model.sig');
    const o = signatureOutcome(forged, roots(root));
    expect(o.status).toBe('failed');
    expect(o.reason).toMatch(
      /chain verifies .*; DSSE signature does NOT verify with the leaf certificate CN=signer/,
    );
  });

  it('a certificate outside its validity dates breaks its link', () => {
    const later = new Date(Date.now() + 10 * 24 * 3600 * 1000);
    const r = verifyCertificateChain([leaf.raw, inter.raw], [root], later);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^leaf CN=signer expired /);
  });

  it("a root CA given as --signing-key is used as the trust root, not taken for the signer's key", () => {
    const sig = parseModelSignature(bundle('signer', [leaf, inter]), 'model.sig');
    const asKey: SignatureTrust = { key: root.publicKey, keyCertificate: root, roots: [] };
    const o = signatureOutcome(sig, asKey);
    expect(o.status).toBe('verified');
    expect(o.reason).toMatch(
      /^--signing-key is a CA certificate \(CN=root-ca\), not the signer's key, and was used as the trust root: certificate chain verifies/,
    );
    const wrong: SignatureTrust = { key: other.publicKey, keyCertificate: other, roots: [] };
    expect(signatureOutcome(sig, wrong).status).toBe('failed');
  });

  it('loads every certificate of a PEM bundle', () => {
    const pem = `${fs.readFileSync(at('root-ca.pem'), 'utf8')}\n${fs.readFileSync(at('other-root.pem'), 'utf8')}`;
    expect(loadCertificates(pem).map((c) => c.subject)).toEqual(['CN=root-ca', 'CN=other-root']);
    expect(() => loadCertificates('not pem')).toThrow(/no PEM certificate/);
  });
});

const signing = path.join(fixturesDir, 'manifests/model_signing');
const haveReal = fs.existsSync(signing);
if (!haveReal)
  console.log(`trust-root.test: ${signing} is absent; the real private-CA bundle is not checked`);

describe.skipIf(!haveReal)(
  'the real private-CA bundle (sigstore/model-transparency v0.2.0-certificate)',
  () => {
    const read = (rel: string) => fs.readFileSync(path.join(signing, rel), 'utf8');
    it('its chain verifies to keys/ca-cert.pem, as --trust-root or as --signing-key; its DSSE signature does not', () => {
      // model-signing.test.ts: this bundle's signature verifies under no key (checked with SHA-256/384/512
      // over the PAE and the raw payload). The chain is sound; the signature is reported as it is.
      const sig = parseModelSignature(read('v0.2.0-certificate/model.sig'), 'model.sig');
      const ca = loadCertificates(read('keys/ca-cert.pem'));
      const o = signatureOutcome(sig, roots(...ca));
      expect(o).toEqual({
        status: 'failed',
        reason:
          'certificate chain verifies to the given --trust-root: leaf CN=intermediate-ca → intermediate 1 CN=intermediate-ca → root CN=root-ca; DSSE signature does NOT verify with the leaf certificate CN=intermediate-ca (ec secp384r1)',
      });
      const asKey = signatureOutcome(sig, { key: ca[0]!.publicKey, keyCertificate: ca[0]!, roots: [] });
      expect(asKey.reason).toMatch(
        /^--signing-key is a CA certificate \(CN=root-ca\), not the signer's key, and was used as the trust root: certificate chain verifies/,
      );
    });
  },
);
