/**
 * sigstore model_signing signature files (`model.sig`), read and checked offline.
 *
 * A `model.sig` is a Sigstore bundle (application/vnd.dev.sigstore.bundle.v0.3+json) whose
 * `dsseEnvelope` carries an in-toto Statement v1 (payloadType application/vnd.in-toto+json):
 * - v1.0 (predicateType https://model_signing/signature/v1.0): `predicate.resources[]` with
 *   `{name, algorithm, digest}` per file, or per shard when `predicate.serialization.method` is
 *   "shards" (name `path:start:end`); `predicate.serialization.ignore_paths`; one subject whose
 *   sha256 is the digest of the concatenated resource digests in name order.
 * - v0.1 (predicateType https://model_signing/Digests/v0.1): one subject per file with
 *   `digest.sha256` (annotation actual_hash_algorithm file-sha256 or shard-sha256).
 *
 * The digests are checked against the evidence without any network. The signature is a DSSE
 * signature (secure-systems-lab/dsse, protocol.md) over
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body; it is verified only
 * against a public key the examiner supplies (`--signing-key`): ECDSA P-256/P-384/P-521 with
 * SHA-256/384/512 (model_signing's choice per curve), Ed25519, or RSA PKCS#1 v1.5 SHA-256. A
 * bundle signed with a certificate (model_signing's `certificate` method, a private CA) is verified
 * through its chain — leaf → intermediates → a CA the examiner gives with `--trust-root` — with
 * node:crypto X509Certificate (checkIssued, verify with the issuer's key, CA basic constraints,
 * validity dates), naming the link that breaks. A keyless (Fulcio) bundle's transparency-log entry
 * needs the Sigstore trust root and is not verified offline.
 */
import { X509Certificate, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from '../formats/json.ts';
import { malformed } from '../formats/reader.ts';

export const SIGSTORE_BUNDLE_PREFIX = 'application/vnd.dev.sigstore.bundle';
export const PREDICATE_V1 = 'https://model_signing/signature/v1.0';
export const PREDICATE_V01 = 'https://model_signing/Digests/v0.1';

export interface SignedResource {
  /** The name as signed (a path relative to the model folder, maybe with `:start:end`). */
  name: string;
  path: string;
  range: { start: number; end: number } | null;
  algorithm: string;
  digest: string;
}

export interface SigningCertificate {
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  validFrom: string;
  validTo: string;
  key: KeyObject;
}

export interface ModelSignature {
  mediaType: string | null;
  payloadType: string;
  predicateType: string;
  subjects: { name: string; sha256: string | null }[];
  resources: SignedResource[];
  method: string | null;
  ignorePaths: string[];
  signatures: { sig: Buffer; keyid: string | null }[];
  keyHint: string | null;
  certificate: SigningCertificate | null;
  /** The certificates the bundle carries, DER, leaf first (x509CertificateChain, or the one certificate). */
  chain: Buffer[];
  tlogEntries: number;
  /** The bytes the signature covers. */
  pae: Buffer;
  problems: string[];
}

/** DSSE pre-authentication encoding (dsse protocol.md). */
export function dssePae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

function str(v: JsonValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function obj(v: JsonValue | undefined): JsonObject | null {
  return v !== undefined && isJsonObject(v) ? v : null;
}

function list(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

const RANGE_RE = /^(.*):(\d+):(\d+)$/;

function resource(name: string, algorithm: string, digest: string, sharded: boolean): SignedResource {
  const m = sharded ? RANGE_RE.exec(name) : null;
  if (m && m[1] !== undefined && m[2] !== undefined && m[3] !== undefined)
    return {
      name,
      path: m[1],
      range: { start: Number(m[2]), end: Number(m[3]) },
      algorithm,
      digest: digest.toLowerCase(),
    };
  return { name, path: name, range: null, algorithm, digest: digest.toLowerCase() };
}

function v1Resources(predicate: JsonObject, problems: string[]): SignedResource[] {
  const method = str(obj(predicate.serialization)?.method);
  const out: SignedResource[] = [];
  for (const [i, r] of list(predicate.resources).entries()) {
    const o = obj(r);
    const name = str(o?.name);
    const digest = str(o?.digest);
    if (!o || name === null || digest === null) {
      problems.push(`predicate.resources[${i}] has no name and digest`);
      continue;
    }
    out.push(resource(name, str(o.algorithm) ?? 'sha256', digest, method === 'shards'));
  }
  return out;
}

function v01Resources(statement: JsonObject, problems: string[]): SignedResource[] {
  const out: SignedResource[] = [];
  for (const [i, s] of list(statement.subject).entries()) {
    const o = obj(s);
    const name = str(o?.name);
    const digest = str(obj(o?.digest)?.sha256);
    if (name === null || digest === null) {
      problems.push(`subject[${i}] has no name and sha256 digest`);
      continue;
    }
    const hashAlg = str(obj(o?.annotations)?.actual_hash_algorithm) ?? 'file-sha256';
    out.push(resource(name, 'sha256', digest, hashAlg.includes('shard')));
  }
  return out;
}

function certificateOf(material: JsonObject | null, problems: string[]): SigningCertificate | null {
  const raw =
    str(obj(material?.certificate)?.rawBytes) ??
    str(obj(list(obj(material?.x509CertificateChain)?.certificates)[0])?.rawBytes);
  if (raw === null) return null;
  try {
    const c = new X509Certificate(Buffer.from(raw, 'base64'));
    return {
      subject: c.subject,
      issuer: c.issuer,
      subjectAltName: c.subjectAltName ?? null,
      validFrom: c.validFrom,
      validTo: c.validTo,
      key: c.publicKey,
    };
  } catch (err) {
    problems.push(`the bundle's certificate does not parse: ${(err as Error).message}`);
    return null;
  }
}

function chainOf(material: JsonObject | null): Buffer[] {
  const one = str(obj(material?.certificate)?.rawBytes);
  if (one !== null) return [Buffer.from(one, 'base64')];
  return list(obj(material?.x509CertificateChain)?.certificates)
    .map((c) => str(obj(c)?.rawBytes))
    .filter((r): r is string => r !== null)
    .map((r) => Buffer.from(r, 'base64'));
}

/** Parse a model_signing `model.sig` (throws `malformed` naming `label` when it is not one). */
export function parseModelSignature(text: string, label: string): ModelSignature {
  const bundle = parseJson(text.replace(/^\ufeff/, ''), label, 'signature bundle').value;
  if (!isJsonObject(bundle)) throw malformed(label, 'signature bundle is not a JSON object');
  const envelope = obj(bundle.dsseEnvelope);
  const payloadB64 = str(envelope?.payload);
  const payloadType = str(envelope?.payloadType);
  if (!envelope || payloadB64 === null || payloadType === null)
    throw malformed(
      label,
      'no dsseEnvelope with payload and payloadType: not a model_signing signature bundle',
    );
  const payload = Buffer.from(payloadB64, 'base64');
  const statement = parseJson(payload.toString('utf8'), label, 'DSSE payload').value;
  if (!isJsonObject(statement)) throw malformed(label, 'the DSSE payload is not an in-toto statement object');
  const problems: string[] = [];
  const predicateType = str(statement.predicateType) ?? '';
  const predicate = obj(statement.predicate) ?? {};
  const serialization = obj(predicate.serialization);
  const resources =
    predicateType === PREDICATE_V1 ? v1Resources(predicate, problems) : v01Resources(statement, problems);
  if (predicateType !== PREDICATE_V1 && predicateType !== PREDICATE_V01)
    problems.push(
      `unknown predicateType ${JSON.stringify(predicateType)}: subjects read as per-file digests`,
    );
  const material = obj(bundle.verificationMaterial);
  return {
    mediaType: str(bundle.mediaType),
    payloadType,
    predicateType,
    subjects: list(statement.subject).map((s) => ({
      name: str(obj(s)?.name) ?? '',
      sha256: str(obj(obj(s)?.digest)?.sha256),
    })),
    resources,
    method: str(serialization?.method),
    ignorePaths: list(serialization?.ignore_paths).filter((p): p is string => typeof p === 'string'),
    signatures: list(envelope.signatures).map((s) => ({
      sig: Buffer.from(str(obj(s)?.sig) ?? '', 'base64'),
      keyid: str(obj(s)?.keyid),
    })),
    keyHint: str(obj(material?.publicKey)?.hint),
    certificate: certificateOf(material, problems),
    chain: chainOf(material),
    tlogEntries: list(material?.tlogEntries).length,
    pae: dssePae(payloadType, payload),
    problems,
  };
}

/**
 * For v1.0: the subject digest must be SHA-256 over the resources' raw digests in name order
 * (model_signing computes the manifest digest that way). null when it does not apply.
 */
export function subjectDigestMatches(sig: ModelSignature): boolean | null {
  if (sig.predicateType !== PREDICATE_V1) return null;
  const expected = sig.subjects[0]?.sha256;
  if (!expected) return null;
  const h = createHash('sha256');
  for (const r of [...sig.resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    h.update(Buffer.from(r.digest, 'hex'));
  return h.digest('hex') === expected.toLowerCase();
}

export type SignatureOutcome =
  | { status: 'verified'; reason: string }
  | { status: 'failed'; reason: string }
  | { status: 'not-checked'; reason: string };

function hashFor(key: KeyObject): string | null | undefined {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519' || type === 'ed448') return null;
  if (type === 'rsa') return 'sha256';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'sha256';
    if (curve === 'secp384r1') return 'sha384';
    if (curve === 'secp521r1') return 'sha512';
  }
  return undefined;
}

function keyName(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve ? `${key.asymmetricKeyType} ${curve}` : (key.asymmetricKeyType ?? 'unknown');
}

/** Verify the DSSE signature(s) with one public key; any one valid signature suffices. */
export function verifyWithKey(sig: ModelSignature, key: KeyObject, what: string): SignatureOutcome {
  const hash = hashFor(key);
  if (hash === undefined)
    return { status: 'not-checked', reason: `${what}: unsupported key type ${keyName(key)}` };
  if (sig.signatures.length === 0) return { status: 'failed', reason: 'the envelope carries no signature' };
  for (const s of sig.signatures) {
    let ok = false;
    try {
      ok = verify(hash, sig.pae, key, s.sig);
    } catch {
      ok = false;
    }
    if (ok) return { status: 'verified', reason: `DSSE signature verifies with ${what} (${keyName(key)})` };
  }
  return { status: 'failed', reason: `DSSE signature does NOT verify with ${what} (${keyName(key)})` };
}

function cn(c: X509Certificate): string {
  return c.subject.replace(/\n/g, ', ');
}

function validityProblem(c: X509Certificate, role: string, at: Date): string | null {
  const from = new Date(c.validFrom);
  const to = new Date(c.validTo);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
    return `${role} ${cn(c)}: validity dates unreadable`;
  if (at < from)
    return `${role} ${cn(c)} is not valid before ${c.validFrom} (checked at ${at.toISOString()})`;
  if (at > to) return `${role} ${cn(c)} expired ${c.validTo} (checked at ${at.toISOString()})`;
  return null;
}

/**
 * Did `issuer` issue `c`? In order: the issuer name, CA basic constraints, OpenSSL's issuance check
 * (checkIssued: names, key identifiers, key usage keyCertSign), the signature with its key.
 * Returns null when it did, else why not.
 */
function notIssuedBy(c: X509Certificate, issuer: X509Certificate): string | null {
  if (c.issuer !== issuer.subject)
    return `${cn(c)} names issuer ${c.issuer.replace(/\n/g, ', ')}, not ${cn(issuer)}`;
  if (!issuer.ca) return `${cn(issuer)} is not a CA certificate (basic constraints)`;
  if (!c.checkIssued(issuer))
    return `${cn(issuer)} may not have issued ${cn(c)} (key identifiers or key usage keyCertSign)`;
  let ok = false;
  try {
    ok = c.verify(issuer.publicKey);
  } catch {
    ok = false;
  }
  return ok ? null : `the signature on ${cn(c)} does not verify with ${cn(issuer)}'s key`;
}

export type ChainOutcome =
  { ok: true; path: string[]; leaf: X509Certificate } | { ok: false; reason: string; path: string[] };

/**
 * Walk a bundle's certificate chain from the leaf through the intermediates it carries to one of
 * the trusted roots: each link must name its issuer (checkIssued), carry a signature that verifies
 * with the issuer's key, the issuer must be a CA (basic constraints), and every certificate must be
 * valid at `at`. The first broken link is named.
 */
export function verifyCertificateChain(
  chainDer: readonly Buffer[],
  roots: readonly X509Certificate[],
  at: Date = new Date(),
): ChainOutcome {
  const path: string[] = [];
  let certs: X509Certificate[];
  try {
    certs = chainDer.map((d) => new X509Certificate(d));
  } catch (err) {
    return {
      ok: false,
      reason: `a certificate in the bundle does not parse: ${(err as Error).message}`,
      path,
    };
  }
  const leaf = certs[0];
  if (!leaf) return { ok: false, reason: 'the bundle carries no certificate', path };
  if (roots.length === 0) return { ok: false, reason: 'no trust root given', path };
  const isRoot = (c: X509Certificate) => roots.some((r) => r.fingerprint256 === c.fingerprint256);
  let cur = leaf;
  path.push(`leaf ${cn(leaf)}`);
  const leafProblem = validityProblem(leaf, 'leaf', at);
  if (leafProblem) return { ok: false, reason: leafProblem, path };
  if (isRoot(leaf)) return { ok: true, path: [...path, '(the leaf is itself a trust root)'], leaf };
  for (let i = 1; i < certs.length; i++) {
    const next = certs[i] as X509Certificate;
    const role = isRoot(next) ? 'root' : `intermediate ${i}`;
    const link = `${cn(cur)} → ${role} ${cn(next)}`;
    const broken = notIssuedBy(cur, next);
    if (broken) return { ok: false, reason: `link ${link}: ${broken}`, path };
    const problem = validityProblem(next, role, at);
    if (problem) return { ok: false, reason: `link ${link}: ${problem}`, path };
    path.push(`${role} ${cn(next)}`);
    cur = next;
    if (isRoot(next)) return { ok: true, path, leaf };
  }
  // The last certificate of the bundle must be issued by a trusted root.
  const named = roots.filter((r) => r.subject === cur.issuer);
  const root = named.find((r) => notIssuedBy(cur, r) === null);
  if (!root) {
    const first = named[0];
    return {
      ok: false,
      reason: first
        ? `link ${cn(cur)} → root ${cn(first)}: ${notIssuedBy(cur, first)}`
        : `link ${cn(cur)} → root: issued by ${cur.issuer.replace(/\n/g, ', ')}, which is none of the trust roots (${roots.map(cn).join('; ')})`,
      path,
    };
  }
  const rootProblem = validityProblem(root, 'root', at);
  if (rootProblem) return { ok: false, reason: rootProblem, path };
  path.push(`root ${cn(root)}`);
  return { ok: true, path, leaf };
}

/** Every certificate in a PEM file or bundle (throws when there is none or one does not parse). */
export function loadCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate (-----BEGIN CERTIFICATE-----) in it');
  return blocks.map((b) => new X509Certificate(b));
}

/** Load a PEM public key (or certificate) given by the examiner. */
export function loadPublicKey(pem: string): KeyObject {
  if (pem.includes('BEGIN CERTIFICATE')) return new X509Certificate(pem).publicKey;
  return createPublicKey(pem);
}

/** model_signing's key hint: SHA-256 of the public key's PEM text. */
export function keyHintOf(key: KeyObject): string {
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  return createHash('sha256').update(pem).digest('hex');
}

/** What the examiner gave to check signatures with. */
export interface SignatureTrust {
  /** `--signing-key`: the signer's public key (or the key of the certificate given). */
  key: KeyObject | null;
  /** `--signing-key` when it was a certificate. */
  keyCertificate: X509Certificate | null;
  /** `--trust-root`: CA certificates a bundle's chain must lead to. */
  roots: X509Certificate[];
}

/** The DSSE signature checked with the leaf of a chain verified to a trust root. */
function chainOutcome(
  sig: ModelSignature,
  roots: readonly X509Certificate[],
  what: string,
): SignatureOutcome {
  const chain = verifyCertificateChain(sig.chain, roots);
  if (!chain.ok)
    return {
      status: 'failed',
      reason: `certificate chain does NOT verify to ${what}: ${chain.reason}${chain.path.length ? ` (verified so far: ${chain.path.join(' → ')})` : ''}`,
    };
  const dsse = verifyWithKey(sig, chain.leaf.publicKey, `the leaf certificate ${cn(chain.leaf)}`);
  return {
    status: dsse.status,
    reason: `certificate chain verifies to ${what}: ${chain.path.join(' → ')}; ${dsse.reason}`,
  };
}

/** The signature verdict: with the examiner's trust roots or key when given, else "not checked" and why. */
export function signatureOutcome(
  sig: ModelSignature,
  trust: SignatureTrust | KeyObject | null,
): SignatureOutcome {
  const t: SignatureTrust =
    trust === null
      ? { key: null, keyCertificate: null, roots: [] }
      : 'roots' in trust
        ? trust
        : { key: trust, keyCertificate: null, roots: [] };
  if (t.roots.length > 0 && sig.chain.length > 0) return chainOutcome(sig, t.roots, 'the given --trust-root');
  const key = t.key;
  if (key) {
    const direct = verifyWithKey(sig, key, 'the given --signing-key');
    // A CA certificate given as the signing key signs certificates, not models: when the bundle
    // carries a chain, the CA is taken as its trust root instead.
    if (direct.status !== 'verified' && t.keyCertificate?.ca === true && sig.chain.length > 0) {
      const viaChain = chainOutcome(sig, [t.keyCertificate], 'the CA certificate given as --signing-key');
      return {
        status: viaChain.status,
        reason: `--signing-key is a CA certificate (${cn(t.keyCertificate)}), not the signer's key, and was used as the trust root: ${viaChain.reason}`,
      };
    }
    if (t.roots.length > 0 && sig.chain.length === 0)
      return {
        ...direct,
        reason: `${direct.reason}; the bundle carries no certificate chain for --trust-root`,
      };
    return direct;
  }
  if (t.roots.length > 0)
    return {
      status: 'not-checked',
      reason: `the bundle carries no certificate chain to verify to --trust-root${sig.keyHint ? ` (it is signed with a key, hint ${sig.keyHint}: give --signing-key PEM)` : ''}`,
    };
  if (sig.certificate) {
    const c = sig.certificate;
    const embedded = verifyWithKey(sig, c.key, 'the certificate in the bundle');
    return {
      status: 'not-checked',
      reason:
        `signed with a certificate for ${c.subjectAltName ?? c.subject} issued by ${c.issuer.replace(/\n/g, ', ')}; ` +
        `${embedded.reason}; the certificate chain${sig.tlogEntries ? ' and transparency-log entry' : ''} need the Sigstore trust root and were not verified offline (give --trust-root CA.pem to verify the chain to a CA you trust, or --signing-key PEM to verify with a known key)`,
    };
  }
  return {
    status: 'not-checked',
    reason: `signature not checked: no public key given (--signing-key PEM)${sig.keyHint ? `; the bundle names key hint ${sig.keyHint}` : ''}`,
  };
}
