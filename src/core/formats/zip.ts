/**
 * A minimal, bounded ZIP central-directory reader (PKWARE APPNOTE.TXT 6.3.x, sections 4.3.7
 * local file header, 4.3.12 central directory header, 4.3.14–4.3.16 ZIP64 end records, 4.5.3
 * ZIP64 extra field). Enough to find and extract the pickles inside a PyTorch checkpoint, which
 * torch.save writes as an uncompressed (stored) zip, ZIP64 when large.
 *
 * Private to the format parsers: it reads the end-of-central-directory record from the last
 * 65,557 bytes, bounds the central directory by the file and by {@link ZIP_MAX_DIRECTORY}, and
 * never trusts a size field without checking it against the file. Entries whose local header
 * disagrees with the central directory, duplicate names, and encrypted entries are reported:
 * both are known tricks for showing a scanner one member and the loader another.
 */
import { inflateRawSync } from 'node:zlib';
import { malformed, fmt, type ByteSource } from './reader.ts';

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
/** A central directory larger than this is refused (a million entries of ~200 bytes). */
export const ZIP_MAX_DIRECTORY = 256 * 1024 * 1024;
/** More entries than this are refused (a checkpoint has one member per storage). */
export const ZIP_MAX_ENTRIES = 1_000_000;

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** True when ZIP64 end records were used. */
  zip64: boolean;
  problems: string[];
}

/** Quick check: does the source start with a local file header ("PK\3\4") or an empty-archive EOCD? */
export function looksLikeZip(head: Buffer): boolean {
  return head.length >= 4 && (head.readUInt32LE(0) === SIG_LOCAL || head.readUInt32LE(0) === SIG_EOCD);
}

function safeNumber(file: string, v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(file, `zip ${what} ${v} is beyond 2^53`);
  return Number(v);
}

/** Read and bound the central directory. */
export async function readZipDirectory(src: ByteSource): Promise<ZipDirectory> {
  const file = src.name;
  const size = src.size;
  if (size < 22) throw malformed(file, `${fmt(size)} bytes is too short for a zip archive`);
  const tailLen = Math.min(size, 22 + 65535 + 20);
  const tailStart = size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw malformed(file, 'no zip end-of-central-directory record (not a zip archive, or truncated)');
  const problems: string[] = [];
  const commentEnd = eocd + 22 + tail.readUInt16LE(eocd + 20);
  if (commentEnd < tail.length)
    problems.push(`${fmt(tail.length - commentEnd)} bytes follow the end-of-central-directory record`);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  let zip64 = false;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== SIG_ZIP64_LOCATOR)
      throw malformed(file, 'zip needs ZIP64 records but the ZIP64 locator is missing');
    const recOffset = safeNumber(file, tail.readBigUInt64LE(loc + 8), 'ZIP64 record offset');
    if (recOffset + 56 > size)
      throw malformed(file, `ZIP64 end record offset ${fmt(recOffset)} is outside the file`);
    const rec = await src.read(recOffset, 56);
    if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD)
      throw malformed(file, `no ZIP64 end record at offset ${fmt(recOffset)}`);
    count = safeNumber(file, rec.readBigUInt64LE(32), 'entry count');
    cdSize = safeNumber(file, rec.readBigUInt64LE(40), 'central directory size');
    cdOffset = safeNumber(file, rec.readBigUInt64LE(48), 'central directory offset');
    zip64 = true;
  }
  if (cdSize > ZIP_MAX_DIRECTORY)
    throw malformed(
      file,
      `zip central directory of ${fmt(cdSize)} bytes exceeds the ${fmt(ZIP_MAX_DIRECTORY)}-byte limit`,
    );
  if (cdOffset + cdSize > size)
    throw malformed(
      file,
      `zip central directory [${fmt(cdOffset)}, ${fmt(cdOffset + cdSize)}) passes the end of the ${fmt(size)}-byte file`,
    );
  if (count > ZIP_MAX_ENTRIES)
    throw malformed(file, `zip claims ${fmt(count)} entries (limit ${fmt(ZIP_MAX_ENTRIES)})`);
  if (count > cdSize / 46)
    throw malformed(
      file,
      `zip claims ${fmt(count)} entries but its ${fmt(cdSize)}-byte central directory holds at most ${fmt(Math.floor(cdSize / 46))}`,
    );
  const cd = await src.read(cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL)
      throw malformed(file, `zip central directory entry ${i} at offset ${fmt(cdOffset + p)} is damaged`);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc32 = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressed = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let lho = cd.readUInt32LE(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cd.length) throw malformed(file, `zip central directory entry ${i} runs past the directory`);
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    const name = flags & 0x800 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
    // ZIP64 extended information extra field: only the fields whose header value is all ones.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (e + 4 + len > extraEnd) break;
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): bigint | null => {
          if (q + 8 > e + 4 + len) return null;
          const v = cd.readBigUInt64LE(q);
          q += 8;
          return v;
        };
        if (uncompressed === 0xffffffff) uncompressed = safeNumber(file, take() ?? 0n, 'entry size');
        if (compressedSize === 0xffffffff) compressedSize = safeNumber(file, take() ?? 0n, 'entry size');
        if (lho === 0xffffffff) lho = safeNumber(file, take() ?? 0n, 'entry offset');
      }
      e += 4 + len;
    }
    if (names.has(name))
      problems.push(
        `zip has two entries named ${JSON.stringify(name)}: tools disagree on which one they read`,
      );
    names.add(name);
    if (flags & 0x1) problems.push(`zip entry ${JSON.stringify(name)} is encrypted`);
    if (lho + 30 > cdOffset)
      problems.push(
        `zip entry ${JSON.stringify(name)} local header offset ${fmt(lho)} is not before the central directory`,
      );
    entries.push({ name, method, flags, compressedSize, size: uncompressed, crc32, localHeaderOffset: lho });
    p = next;
  }
  return { entries, zip64, problems };
}

/** Where an entry's data starts, after checking its local header against the central directory. */
export async function entryDataOffset(src: ByteSource, entry: ZipEntry, problems: string[]): Promise<number> {
  const file = src.name;
  if (entry.localHeaderOffset + 30 > src.size)
    throw malformed(file, `zip entry ${JSON.stringify(entry.name)} local header is outside the file`);
  const h = await src.read(entry.localHeaderOffset, 30);
  if (h.readUInt32LE(0) !== SIG_LOCAL)
    throw malformed(
      file,
      `zip entry ${JSON.stringify(entry.name)} has no local header at offset ${fmt(entry.localHeaderOffset)}`,
    );
  const nameLen = h.readUInt16LE(26);
  const extraLen = h.readUInt16LE(28);
  const start = entry.localHeaderOffset + 30 + nameLen + extraLen;
  if (start > src.size)
    throw malformed(file, `zip entry ${JSON.stringify(entry.name)} data starts past the end of the file`);
  const localName = await src.read(entry.localHeaderOffset + 30, nameLen);
  const ln = entry.flags & 0x800 ? localName.toString('utf8') : localName.toString('latin1');
  if (ln !== entry.name)
    problems.push(
      `zip entry ${JSON.stringify(entry.name)} is named ${JSON.stringify(ln)} in its local header`,
    );
  if (h.readUInt16LE(8) !== entry.method)
    problems.push(
      `zip entry ${JSON.stringify(entry.name)}: local header compression method differs from the central directory`,
    );
  if (start + entry.compressedSize > src.size)
    throw malformed(
      file,
      `zip entry ${JSON.stringify(entry.name)} data (${fmt(entry.compressedSize)} bytes at ${fmt(start)}) passes the end of the file`,
    );
  return start;
}

/** Inflate a deflated member into memory, refusing more than `maxBytes` of output. */
export async function inflateEntry(
  src: ByteSource,
  entry: ZipEntry,
  start: number,
  maxBytes: number,
): Promise<Buffer> {
  const file = src.name;
  if (entry.compressedSize > maxBytes)
    throw malformed(
      file,
      `zip entry ${JSON.stringify(entry.name)} is ${fmt(entry.compressedSize)} compressed bytes (limit ${fmt(maxBytes)})`,
    );
  const raw = await src.read(start, entry.compressedSize);
  try {
    return inflateRawSync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    throw malformed(
      file,
      `zip entry ${JSON.stringify(entry.name)} does not inflate: ${(err as Error).message}`,
    );
  }
}
