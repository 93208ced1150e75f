/**
 * Bounded reading of small text artifacts (JSON configs, Jinja chat templates, LFS pointers).
 */
import { withFileSource, malformed, fmt } from './reader.ts';

export interface TextFile {
  text: string;
  size: number;
  /** True when the file began with a UTF-8 byte-order mark (stripped from `text`). */
  bom: boolean;
}

/** Decode bytes as strict UTF-8; invalid sequences are a `malformed` error naming the offset. */
export function decodeUtf8Strict(file: string, bytes: Uint8Array, what = 'text'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return failUtf8(file, bytes, what);
  }
}

function failUtf8(file: string, bytes: Uint8Array, what: string): never {
  throw malformed(file, `${what} is not valid UTF-8 (bad byte at offset ${fmt(firstInvalidUtf8(bytes))})`);
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, surrogates or > U+10FFFF), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i] ?? 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Read a whole file of at most `maxBytes` as strict UTF-8. */
export async function readFileBounded(file: string, maxBytes: number): Promise<TextFile> {
  return withFileSource(file, async (src) => {
    if (src.size > maxBytes) {
      throw malformed(
        file,
        `${fmt(src.size)} bytes exceeds the ${fmt(maxBytes)}-byte limit for this kind of file`,
      );
    }
    const bytes = await src.read(0, src.size);
    let text = decodeUtf8Strict(file, bytes);
    const bom = text.charCodeAt(0) === 0xfeff;
    if (bom) text = text.slice(1);
    return { text, size: src.size, bom };
  });
}
