/**
 * Digest of a byte range of a file, streamed in bounded chunks: for model_signing shard digests
 * (`path:start:end`) and per-tensor digests (ollama's converter test maps), which cover part of a
 * file where the custody SHA-256 covers all of it.
 *
 * SHA-256 and BLAKE2b-512 come from node:crypto (OpenSSL); BLAKE3, which model_signing can also
 * use, from hash-wasm (DESIGN.md: "Use hash-wasm for what node:crypto lacks").
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createBLAKE3 } from 'hash-wasm';
import { describeFsError, fileError } from '../util/errors.ts';

export type RangeHashAlgorithm = 'sha256' | 'blake2b' | 'blake3';

const CHUNK = 8 * 1024 * 1024;

interface Hasher {
  update(data: Uint8Array): void;
  hex(): string;
}

async function hasher(algorithm: RangeHashAlgorithm): Promise<Hasher> {
  if (algorithm === 'blake3') {
    const h = await createBLAKE3();
    h.init();
    return { update: (d) => void h.update(d), hex: () => h.digest('hex') };
  }
  const h = createHash(algorithm === 'sha256' ? 'sha256' : 'blake2b512');
  return { update: (d) => void h.update(d), hex: () => h.digest('hex') };
}

/** Normalise a model_signing / manifest algorithm name, or null when it is not supported. */
export function rangeAlgorithm(name: string): RangeHashAlgorithm | null {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  if (n === 'sha256') return 'sha256';
  if (n === 'blake2' || n === 'blake2b' || n === 'blake2b512') return 'blake2b';
  if (n === 'blake3') return 'blake3';
  return null;
}

/** Hex digest of bytes [begin, end) of `file`; `label` names the file in errors. */
export async function hashRange(
  file: string,
  begin: number,
  end: number,
  algorithm: RangeHashAlgorithm = 'sha256',
  label = file,
): Promise<string> {
  const h = await hasher(algorithm);
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw fileError('unreadable', label, describeFsError(err), err);
  }
  try {
    const size = (await handle.stat()).size;
    if (begin < 0 || end < begin || end > size)
      throw fileError('malformed', label, `byte range ${begin}..${end} is outside the ${size}-byte file`);
    const buf = Buffer.alloc(Math.min(CHUNK, Math.max(1, end - begin)));
    for (let at = begin; at < end;) {
      const want = Math.min(buf.length, end - at);
      const { bytesRead } = await handle.read(buf, 0, want, at);
      if (bytesRead === 0) throw fileError('changed-while-reading', label, `file ended at offset ${at}`);
      h.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    return h.hex();
  } finally {
    await handle.close().catch(() => undefined);
  }
}
