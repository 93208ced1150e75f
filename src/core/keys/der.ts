/**
 * The few DER (ITU-T X.690) encodings needed to write a PKCS#8 EncryptedPrivateKeyInfo
 * (RFC 5958 §3) protected with PBES2 (RFC 8018 §6.2, A.4) and scrypt (RFC 7914 §7). Only what
 * key-file.ts writes is here: definite lengths, SEQUENCE, OBJECT IDENTIFIER, OCTET STRING and
 * non-negative INTEGER. Reading is left to OpenSSL through node:crypto.
 */

const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;
const TAG_OID = 0x06;
const TAG_SEQUENCE = 0x30;

/** X.690 §8.1.3: short form below 128, else 0x80|n followed by n big-endian length bytes. */
function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function derSequence(...items: Buffer[]): Buffer {
  return tlv(TAG_SEQUENCE, Buffer.concat(items));
}

export function derOctetString(bytes: Buffer): Buffer {
  return tlv(TAG_OCTET_STRING, bytes);
}

/** X.690 §8.3: two's complement, minimal; a leading 0x00 keeps a set high bit from meaning "negative". */
export function derInteger(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`derInteger: ${value} is not supported`);
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  if (bytes.length === 0 || (bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(TAG_INTEGER, Buffer.from(bytes));
}

/** X.690 §8.19: the first two arcs packed as 40·a + b, every arc in base 128 with continuation bits. */
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [a, b, ...rest] = arcs;
  if (a === undefined || b === undefined || arcs.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new RangeError(`derOid: ${dotted} is not an object identifier`);
  }
  const out: number[] = [];
  for (const arc of [40 * a + b, ...rest]) {
    const groups: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n % 128) | 0x80);
    out.push(...groups);
  }
  return tlv(TAG_OID, Buffer.from(out));
}

/** RFC 7468 textual encoding: base64 in 64-character lines between BEGIN/END labels. */
export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
