/**
 * Custodian key files.
 *
 * - The key pair is Ed25519 (RFC 8032), made by node:crypto (OpenSSL).
 * - pub.pem is the SubjectPublicKeyInfo of RFC 8410 §4 in PEM ("PUBLIC KEY"): what `openssl pkey
 *   -pubin`, `openssl pkeyutl -verify -pubin` and every X.509 tool read.
 * - key.pem is a PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3; "ENCRYPTED PRIVATE KEY", RFC 7468
 *   §11) around the RFC 8410 §7 OneAsymmetricKey, protected with PBES2 (RFC 8018 §6.2): the key
 *   is derived from the passphrase with scrypt (RFC 7914 §7; N = 2^14, r = 8, p = 1, a 16-byte
 *   random salt) and the key info encrypted with AES-256-CBC. These are the parameters `openssl
 *   pkcs8 -topk8 -scrypt` writes, chosen so that `openssl pkey -in key.pem` can open the file
 *   without Probity. scrypt is memory-hard (16 MiB per guess), which PBKDF2 — what node's own
 *   `export({cipher, passphrase})` uses — is not; 2^14 is the largest N OpenSSL 3 accepts under
 *   its default 32 MiB scrypt memory limit.
 * - The fingerprint is the SHA-256 of the SPKI DER, in lower-case hex: the same bytes whatever
 *   the PEM's line breaks, and what `openssl pkey -pubin -in pub.pem -outform DER | sha256sum` prints.
 */
import {
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  type KeyObject,
} from 'node:crypto';
import { ProbityError } from '../util/errors';
import { derInteger, derOctetString, derOid, derSequence, toPem } from './der';

const OID_PBES2 = '1.2.840.113549.1.5.13'; // RFC 8018 A.4
const OID_SCRYPT = '1.3.6.1.4.1.11591.4.11'; // RFC 7914 §7
const OID_AES256_CBC = '2.16.840.1.101.3.4.1.42'; // NIST CSOR, RFC 8018 B.2.5

/** scrypt cost: OpenSSL's own `pkcs8 -scrypt` default and the most OpenSSL 3 will decode. */
export const SCRYPT_PARAMS = { N: 1 << 14, r: 8, p: 1 } as const;

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateCustodianKeyPair(): KeyPair {
  return generateKeyPairSync('ed25519');
}

/** SHA-256 of the SubjectPublicKeyInfo DER (RFC 8410 §4), lower-case hex. */
export function fingerprintOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Read an SPKI PEM and insist it holds an Ed25519 key. */
export function readPublicKeyPem(pem: string | Buffer, file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new ProbityError('malformed', `${file}: not a PEM public key (${(err as Error).message})`, {
      file,
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ProbityError(
      'malformed',
      `${file}: not an Ed25519 key (${key.asymmetricKeyType ?? 'unknown'})`,
      {
        file,
      },
    );
  }
  return key;
}

/**
 * The private key as an encrypted PKCS#8 PEM (RFC 5958 EncryptedPrivateKeyInfo, PBES2 with scrypt
 * and AES-256-CBC). The passphrase is used as its UTF-8 bytes, as OpenSSL does.
 */
export function encryptPrivateKey(privateKey: KeyObject, passphrase: string): string {
  if (passphrase.length === 0) throw new ProbityError('usage', 'refusing an empty passphrase');
  const plain = privateKey.export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = scryptSync(Buffer.from(passphrase, 'utf8'), salt, 32, {
    ...SCRYPT_PARAMS,
    maxmem: 64 * 1024 * 1024,
  });
  const cipher = createCipheriv('aes-256-cbc', key, iv); // PKCS#7 padding, RFC 8018 B.2.5
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  key.fill(0);
  const info = derSequence(
    derSequence(
      derOid(OID_PBES2),
      derSequence(
        derSequence(
          derOid(OID_SCRYPT),
          derSequence(
            derOctetString(salt),
            derInteger(SCRYPT_PARAMS.N),
            derInteger(SCRYPT_PARAMS.r),
            derInteger(SCRYPT_PARAMS.p),
          ),
        ),
        derSequence(derOid(OID_AES256_CBC), derOctetString(iv)),
      ),
    ),
    derOctetString(encrypted),
  );
  return toPem('ENCRYPTED PRIVATE KEY', info);
}

/**
 * Open key.pem with the passphrase. OpenSSL does the decoding (so what Probity writes is what
 * OpenSSL reads). A wrong passphrase and a damaged file look the same to PBES2 — CBC padding
 * fails, or the decrypted bytes are not a key — so the message names both.
 */
export function decryptPrivateKey(pem: string | Buffer, passphrase: string, file: string): KeyObject {
  if (!/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem.toString())) {
    throw new ProbityError(
      'malformed',
      `${file}: not an encrypted PKCS#8 key (refusing a plaintext key file)`,
      {
        file,
      },
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem', passphrase: Buffer.from(passphrase, 'utf8') });
  } catch (err) {
    throw new ProbityError('verification-failed', `${file}: wrong passphrase, or the key file is damaged`, {
      file,
      cause: err,
      exitCode: 2,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ProbityError(
      'malformed',
      `${file}: not an Ed25519 key (${key.asymmetricKeyType ?? 'unknown'})`,
      {
        file,
      },
    );
  }
  return key;
}
