/**
 * Ed25519 signatures as RFC 8032 §5.1 defines them (PureEdDSA: the message itself is signed, no
 * pre-hash), through node:crypto, which is why the digest argument is null. A signature is 64
 * bytes; `openssl pkeyutl -sign/-verify -rawin` makes and checks the same bytes.
 */
import { sign, verify, type KeyObject } from 'node:crypto';

export const SIGNATURE_BYTES = 64;

export function signBytes(privateKey: KeyObject, message: Buffer): Buffer {
  return sign(null, message, privateKey);
}

/** False for a wrong signature, a signature of the wrong length, or a key of the wrong type. */
export function verifyBytes(publicKey: KeyObject, message: Buffer, signature: Buffer): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

/** Sign UTF-8 text (an event hash in hex, a canonical JSON checkpoint); base64 signature. */
export function signText(privateKey: KeyObject, text: string): string {
  return signBytes(privateKey, Buffer.from(text, 'utf8')).toString('base64');
}

/** Check a base64 signature over UTF-8 text; false for anything malformed. */
export function verifyText(publicKey: KeyObject, text: string, signatureB64: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
  return verifyBytes(publicKey, Buffer.from(text, 'utf8'), Buffer.from(signatureB64, 'base64'));
}
