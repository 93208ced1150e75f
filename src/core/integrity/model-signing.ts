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
 * keyless bundle's certificate is described and the signature checked against its key, but the
 * certificate chain and transparency-log entry need the Sigstore trust root and are not verified.
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

/** The signature verdict: with the examiner's key when given, else "not checked" and why. */
export function signatureOutcome(sig: ModelSignature, key: KeyObject | null): SignatureOutcome {
  if (key) return verifyWithKey(sig, key, 'the given --signing-key');
  if (sig.certificate) {
    const c = sig.certificate;
    const embedded = verifyWithKey(sig, c.key, 'the certificate in the bundle');
    return {
      status: 'not-checked',
      reason:
        `signed with a certificate for ${c.subjectAltName ?? c.subject} issued by ${c.issuer.replace(/\n/g, ', ')}; ` +
        `${embedded.reason}; the certificate chain${sig.tlogEntries ? ' and transparency-log entry' : ''} need the Sigstore trust root and were not verified offline (give --signing-key PEM to verify with a known key)`,
    };
  }
  return {
    status: 'not-checked',
    reason: `signature not checked: no public key given (--signing-key PEM)${sig.keyHint ? `; the bundle names key hint ${sig.keyHint}` : ''}`,
  };
}
