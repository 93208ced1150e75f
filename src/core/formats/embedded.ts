/**
 * Payloads hidden inside literals: a pickle carried as a bytes or text argument, as is or
 * base64-, hex- or zlib/gzip-encoded, and decoded at load time by a `pickle.loads`,
 * `base64.b64decode`, `codecs.decode(…, 'hex')` or `zlib.decompress` the outer pickle calls.
 * Whatever the outer pickle does with it, a literal that decodes to a pickle is scanned as one,
 * and the decoding steps are reported as the nesting path.
 */
import { inflateSync, gunzipSync } from 'node:zlib';

/** Decoded output is capped: a zip bomb in a literal stays bounded. */
export const EMBEDDED_MAX_BYTES = 64 * 1024 * 1024;
const MAX_DECODE_DEPTH = 4;

/** Does `b` start the way a pickle does: PROTO 2–5 followed by an opcode, or a protocol-0 GLOBAL/INST? */
export function startsLikePickle(b: Uint8Array): boolean {
  if (b.length >= 3 && b[0] === 0x80 && (b[1] ?? 9) >= 1 && (b[1] ?? 9) <= 5) {
    // PROTO n, then the usual first opcodes of the Pickler (FRAME, a container, a string, GLOBAL…).
    const third = b[2] ?? 0;
    return [
      0x95, 0x7d, 0x5d, 0x29, 0x28, 0x63, 0x8c, 0x58, 0x4e, 0x4b, 0x4a, 0x88, 0x89, 0x8a, 0x43, 0x42, 0x47,
      0x55, 0x71, 0x94, 0x93,
    ].includes(third);
  }
  // Protocol 0/1: GLOBAL 'c' or INST '(i' with a module line and a name line.
  const head = Buffer.from(b.subarray(0, 256)).toString('latin1');
  return /^(c|\(i|\(c)[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(head);
}

export function looksZlib(b: Uint8Array): boolean {
  // RFC 1950: CMF 0x78 (deflate, 32K window) and (CMF*256 + FLG) % 31 === 0.
  return b.length >= 2 && b[0] === 0x78 && ((0x78 << 8) | (b[1] ?? 0)) % 31 === 0;
}

export function looksGzip(b: Uint8Array): boolean {
  return b.length >= 10 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface Embedded {
  data: Buffer;
  /** Decoding steps from the literal to the pickle, e.g. ["base64", "zlib"]. */
  path: string[];
}

export interface EmbeddedFailure {
  /** Decoding steps that were recognised before decoding failed. */
  path: string[];
  reason: string;
}

/**
 * Look for a pickle in a literal's bytes (`text` also tries the string as hex and base64).
 * Returns the pickle, a failure (something that looked encoded and compressed would not decode),
 * or null when the literal is ordinary data.
 */
export function findEmbedded(
  value: Buffer,
  isText: boolean,
  path: string[] = [],
  depth = 0,
): Embedded | EmbeddedFailure | null {
  if (value.length < 4 || depth > MAX_DECODE_DEPTH) return null;
  if (startsLikePickle(value)) return { data: value, path };
  if (looksZlib(value) || looksGzip(value)) {
    const how = looksGzip(value) ? 'gzip' : 'zlib';
    let out: Buffer;
    try {
      out =
        how === 'gzip'
          ? gunzipSync(value, { maxOutputLength: EMBEDDED_MAX_BYTES })
          : inflateSync(value, { maxOutputLength: EMBEDDED_MAX_BYTES });
    } catch (err) {
      // Random binary data starts with 0x78 and a valid check byte once in ~8,000 literals: only a
      // literal whose stream is at least well-formed enough to start inflating is worth a finding.
      const msg = (err as Error).message;
      if (/buffer|maxOutputLength|Cannot create a Buffer/i.test(msg))
        return { path: [...path, how], reason: `${how} output exceeds ${EMBEDDED_MAX_BYTES} bytes` };
      return null;
    }
    return findEmbedded(out, false, [...path, how], depth + 1);
  }
  if (!isText || value.length < 16) return null;
  const s = value.toString('latin1').replace(/\s+/g, '');
  if (s.length >= 16 && HEX.test(s)) {
    const r = findEmbedded(Buffer.from(s, 'hex'), false, [...path, 'hex'], depth + 1);
    if (r) return r;
  }
  if (s.length >= 16 && B64.test(s)) {
    const url = /[-_]/.test(s);
    const r = findEmbedded(
      Buffer.from(s, url ? 'base64url' : 'base64'),
      true,
      [...path, url ? 'base64url' : 'base64'],
      depth + 1,
    );
    if (r) return r;
  }
  return null;
}

export function isFailure(e: Embedded | EmbeddedFailure): e is EmbeddedFailure {
  return 'reason' in e;
}
