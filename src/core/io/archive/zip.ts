// The one zip reader, for hostile input. Section numbers refer to PKWARE's APPNOTE.TXT (version
// 6.3.10). The central directory is the authority on what the archive holds (4.3.6); local headers
// are read only to find where each member's data really starts, because their name and extra field
// lengths may differ from the central copies (4.3.7, 4.3.12).
//
// One implementation of the end records, the central headers, names, ZIP64 fields and local headers,
// with two entry points:
// - indexZip, for evidence bundles: every member typed and given a safe path, anything doubtful
//   refused, member bodies left for the hashing workers to stream (EntrySource);
// - readZipDirectory / entryDataOffset / inflateEntry, for the format parsers looking inside one
//   artifact (a PyTorch checkpoint, a .keras or .npz file): a bounded directory, the tricks that show
//   a scanner one member and a loader another reported as problems, small members inflated in memory.

import zlib from 'node:zlib';
import { fileError, ProbityError } from '../../util/errors';
import { fmt } from '../../util/format';
import type { ByteSource } from '../bytes';
import { decodeName, denotesArchiveRoot, entryError, isValidUtf8, quoteName, safeEntryPath } from './names';
import { ArchiveFile, crc32 } from './source';
import type { ArchiveEntry, EntrySource, EntryType } from './types';

const SIG_LOCAL = 0x04034b50; // 4.3.7
const SIG_CENTRAL = 0x02014b50; // 4.3.12
const SIG_EOCD = 0x06054b50; // 4.3.16
const SIG_ZIP64_EOCD = 0x06064b50; // 4.3.14
const SIG_ZIP64_LOCATOR = 0x07064b50; // 4.3.15

const LOCAL_FIXED = 30;
const CENTRAL_FIXED = 46;
const EOCD_FIXED = 22;
const ZIP64_EOCD_FIXED = 56;
const ZIP64_LOCATOR_SIZE = 20;
/** The EOCD is 22 bytes plus a comment of at most 65,535 bytes, so it starts in the last 65,557. */
const EOCD_SEARCH = EOCD_FIXED + 0xffff;

const EXTRA_ZIP64 = 0x0001; // 4.5.3
const EXTRA_NTFS = 0x000a; // 4.5.5
const EXTRA_UNIX_TIME = 0x5455; // Info-ZIP "extended timestamp" (4.6.1; Info-ZIP extrafld.txt)
const EXTRA_UNICODE_PATH = 0x7075; // Info-ZIP Unicode Path (4.6.9)

const FLAG_ENCRYPTED = 1 << 0; // 4.4.4 bit 0
const FLAG_UTF8 = 1 << 11; // 4.4.4 bit 11, "Language encoding flag (EFS)"

const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

/** "version made by" upper byte (4.4.2.2): hosts whose external attributes carry a Unix st_mode. */
const HOST_UNIX = 3;
const HOST_OSX = 19;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** Symlink targets are read from the member body; a longer one is not a real link target. */
const MAX_LINK_TARGET = 4096;

// IBM code page 437, bytes 0x80-0xFF (bytes 0x00-0x7F are ASCII). APPNOTE Appendix D: a name
// without general-purpose bit 11 is in CP437.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅ' +
  'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ' +
  'áíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧' +
  '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩' +
  '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Decode CP437 bytes; the mapping is one-to-one, so the bytes can be recovered from the text. */
export function decodeCp437(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : (CP437_HIGH[b - 0x80] ?? '');
  return out;
}

/** Unsigned 64-bit little-endian field as a number, or null beyond 2^53 (no such real file or offset). */
function u64(buf: Buffer, at: number): number | null {
  const v = buf.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(v);
}

/** Extra field blocks (4.5.1): header id, data size, data. The first block of each id wins. */
function parseExtras(extra: Buffer): Map<number, Buffer> {
  const blocks = new Map<number, Buffer>();
  let pos = 0;
  while (pos + 4 <= extra.length) {
    const id = extra.readUInt16LE(pos);
    const size = extra.readUInt16LE(pos + 2);
    // A block running past the field is damage or padding (some writers pad with zeros): stop.
    if (pos + 4 + size > extra.length) break;
    if (!blocks.has(id)) blocks.set(id, extra.subarray(pos + 4, pos + 4 + size));
    pos += 4 + size;
  }
  return blocks;
}

/**
 * The entry's modification time. Preference: Info-ZIP extended timestamp (UTC seconds), NTFS
 * FILETIME (UTC), then the MS-DOS date and time (4.4.6), which have no time zone: they are the
 * writer's wall clock, reported here as if it were UTC.
 */
function entryTime(extras: Map<number, Buffer>, dosTime: number, dosDate: number): Date | null {
  const ut = extras.get(EXTRA_UNIX_TIME);
  if (ut !== undefined && ut.length >= 5 && ((ut[0] ?? 0) & 1) === 1)
    return new Date(ut.readInt32LE(1) * 1000);
  const ntfs = extras.get(EXTRA_NTFS);
  if (ntfs !== undefined) {
    let pos = 4; // reserved
    while (pos + 4 <= ntfs.length) {
      const tag = ntfs.readUInt16LE(pos);
      const size = ntfs.readUInt16LE(pos + 2);
      if (pos + 4 + size > ntfs.length) break;
      if (tag === 1 && size >= 8) {
        // 100 ns ticks since 1601-01-01 UTC.
        const ms = Number((ntfs.readBigUInt64LE(pos + 4) - 116444736000000000n) / 10000n);
        if (Math.abs(ms) <= 8.64e15) return new Date(ms);
        break;
      }
      pos += 4 + size;
    }
  }
  const day = dosDate & 0x1f;
  const month = (dosDate >> 5) & 0x0f;
  const year = 1980 + (dosDate >> 9);
  const seconds = (dosTime & 0x1f) * 2;
  const minutes = (dosTime >> 5) & 0x3f;
  const hours = dosTime >> 11;
  if (day === 0 || month === 0 || month > 12 || hours > 23 || minutes > 59 || seconds > 59) return null;
  return new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
}

/** What the reader needs of an archive: a byte source (../bytes.ts) it does not have to close. */
export type ZipBytes = Omit<ByteSource, 'close'>;

interface EndOfCentralDirectory {
  /** Where the end records start: the central directory must end at or before this byte. */
  limit: number;
  count: number;
  cdSize: number;
  cdOffset: number;
  zip64: boolean;
  /** Bytes after the EOCD's comment (0 unless `allowTrailing`). */
  trailing: number;
}

async function readEndOfCentralDirectory(
  f: ZipBytes,
  opts: { allowTrailing: boolean },
): Promise<EndOfCentralDirectory> {
  const file = f.name;
  const malformed = (reason: string): ProbityError => entryError('malformed', file, null, reason);
  if (f.size < EOCD_FIXED)
    throw malformed(`${f.size} bytes is too short for a zip archive (no End Of Central Directory record)`);

  // 4.3.16: the EOCD ends the file, followed only by its comment. Searching backwards, the record
  // whose comment length reaches exactly to the end of the file is taken; a signature whose
  // comment length does not fit is a coincidence in the data or the comment. Where trailing bytes
  // are allowed (they are reported), the last record whose comment fits is taken instead.
  const tailLength = Math.min(f.size, EOCD_SEARCH);
  const tail = await f.read(f.size - tailLength, tailLength);
  let at = -1;
  for (let i = tailLength - EOCD_FIXED; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + EOCD_FIXED + tail.readUInt16LE(i + 20) === tailLength) {
      at = i;
      break;
    }
  }
  if (at === -1 && opts.allowTrailing) {
    for (let i = tailLength - EOCD_FIXED; i >= 0; i--) {
      if (tail.readUInt32LE(i) === SIG_EOCD && i + EOCD_FIXED + tail.readUInt16LE(i + 20) <= tailLength) {
        at = i;
        break;
      }
    }
  }
  if (at === -1) {
    throw malformed(
      'no End Of Central Directory record at the end of the file (not a zip archive, or truncated)',
    );
  }
  const trailing = tailLength - (at + EOCD_FIXED + tail.readUInt16LE(at + 20));
  const eocdOffset = f.size - tailLength + at;
  let disk = tail.readUInt16LE(at + 4);
  let cdDisk = tail.readUInt16LE(at + 6);
  let onDisk = tail.readUInt16LE(at + 8);
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  let limit = eocdOffset;
  let zip64 = false;

  // 4.3.15: a ZIP64 end of central directory locator, if present, sits right before the EOCD and
  // points at the ZIP64 EOCD record (4.3.14), whose 64-bit fields replace the EOCD's.
  if (eocdOffset >= ZIP64_LOCATOR_SIZE) {
    const loc = await f.read(eocdOffset - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
    if (loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
      const recordAt = u64(loc, 8);
      const totalDisks = loc.readUInt32LE(16);
      if (loc.readUInt32LE(4) !== 0 || totalDisks > 1) {
        throw malformed('multi-disk (split or spanned) zip archives are not supported');
      }
      const locatorAt = eocdOffset - ZIP64_LOCATOR_SIZE;
      if (recordAt === null || recordAt + ZIP64_EOCD_FIXED > locatorAt) {
        throw malformed(
          `ZIP64 end of central directory record (at byte ${recordAt ?? 'beyond 2^53'}) lies outside the archive`,
        );
      }
      const rec = await f.read(recordAt, ZIP64_EOCD_FIXED);
      if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
        throw malformed(
          `no ZIP64 end of central directory record at byte ${recordAt}, where the locator points`,
        );
      }
      disk = rec.readUInt32LE(16);
      cdDisk = rec.readUInt32LE(20);
      const on = u64(rec, 24);
      const total = u64(rec, 32);
      const size = u64(rec, 40);
      const offset = u64(rec, 48);
      if (on === null || total === null || size === null || offset === null) {
        throw malformed('ZIP64 end of central directory record holds counts or offsets beyond any real file');
      }
      onDisk = on;
      count = total;
      cdSize = size;
      cdOffset = offset;
      limit = recordAt;
      zip64 = true;
    }
  }
  if (!zip64 && (cdSize === 0xffffffff || cdOffset === 0xffffffff))
    throw malformed(
      'the end record needs ZIP64 records (its fields are all ones) but the ZIP64 locator is missing',
    );
  if (disk !== 0 || cdDisk !== 0)
    throw malformed('multi-disk (split or spanned) zip archives are not supported');
  if (onDisk !== count) {
    throw malformed(
      `end of central directory counts ${onDisk} entries on this disk but ${count} in all (corrupt archive)`,
    );
  }
  if (cdOffset + cdSize > limit) {
    throw malformed(
      `central directory (${cdSize} bytes at byte ${cdOffset}) lies outside the archive, which ends its entries at byte ${limit} (truncated or corrupt)`,
    );
  }
  // Each central header is at least 46 bytes: a count the directory cannot hold is refused before
  // anything is allocated for it.
  if (count * CENTRAL_FIXED > cdSize) {
    throw malformed(
      `end of central directory claims ${count} entries, more than a ${cdSize}-byte central directory can hold`,
    );
  }
  return { limit, count, cdSize, cdOffset, zip64, trailing };
}

/** The fields of one central directory header (4.3.12), names decoded and ZIP64 sizes applied. */
interface CentralFields {
  /** The decoded name for messages; `decoded` is what path checks see (bytes when UTF-8-flagged). */
  display: string;
  decoded: Buffer | string;
  rawNameHex: string | null;
  versionMadeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  externalAttributes: number;
  dosTime: number;
  dosDate: number;
  extras: Map<number, Buffer>;
  /** Where the header starts, for messages. */
  at: number;
}

/**
 * A member's name: UTF-8 when bit 11 is set (Appendix D.2); otherwise CP437 (D.1), unless an Info-ZIP
 * Unicode Path field (4.6.9) carries a UTF-8 name together with the CRC-32 of the very name bytes it
 * replaces; a CRC mismatch means another tool renamed the entry since, so the field is stale.
 */
function decodeEntryName(flags: number, name: Buffer, extras: Map<number, Buffer>): Buffer | string {
  const unicode = extras.get(EXTRA_UNICODE_PATH);
  if ((flags & FLAG_UTF8) !== 0) return name;
  if (
    unicode !== undefined &&
    unicode.length >= 5 &&
    unicode[0] === 1 &&
    unicode.readUInt32LE(1) === crc32(name)
  )
    return Buffer.from(unicode.subarray(5));
  return decodeCp437(name);
}

function displayName(decoded: Buffer | string): string {
  return typeof decoded === 'string' ? decoded : decodeName(decoded).text;
}

function centralFields(file: string, header: Buffer, name: Buffer, extra: Buffer, at: number): CentralFields {
  const flags = header.readUInt16LE(8);
  const extras = parseExtras(extra);
  const decoded = decodeEntryName(flags, name, extras);
  const display = displayName(decoded);
  const fail = (reason: string): ProbityError =>
    entryError('malformed', file, display, `${reason} (central directory header at byte ${at})`);

  // 4.5.3: the ZIP64 extended information field holds, in this order, only those of the original
  // size, compressed size, local header offset and disk number whose 32-/16-bit field is all ones.
  let size = header.readUInt32LE(24);
  let compressedSize = header.readUInt32LE(20);
  let localOffset = header.readUInt32LE(42);
  let diskStart = header.readUInt16LE(34);
  if (
    size === 0xffffffff ||
    compressedSize === 0xffffffff ||
    localOffset === 0xffffffff ||
    diskStart === 0xffff
  ) {
    const z = extras.get(EXTRA_ZIP64);
    let pos = 0;
    const next64 = (what: string): number => {
      if (z === undefined || pos + 8 > z.length)
        throw fail(`${what} needs a ZIP64 extra field, which is missing or short`);
      const v = u64(z, pos);
      pos += 8;
      if (v === null) throw fail(`ZIP64 ${what} is beyond any real file`);
      return v;
    };
    if (size === 0xffffffff) size = next64('uncompressed size');
    if (compressedSize === 0xffffffff) compressedSize = next64('compressed size');
    if (localOffset === 0xffffffff) localOffset = next64('local header offset');
    if (diskStart === 0xffff) {
      if (z === undefined || pos + 4 > z.length)
        throw fail('disk number needs a ZIP64 extra field, which is missing or short');
      diskStart = z.readUInt32LE(pos);
    }
  }
  if (diskStart !== 0) throw fail('member lives on another disk (multi-disk zip archives are not supported)');
  return {
    display,
    decoded,
    rawNameHex: isValidUtf8(name) ? null : name.toString('hex'),
    versionMadeBy: header.readUInt16LE(4),
    flags,
    method: header.readUInt16LE(10),
    crc32: header.readUInt32LE(16),
    compressedSize,
    size,
    localOffset,
    externalAttributes: header.readUInt32LE(38),
    dosTime: header.readUInt16LE(12),
    dosDate: header.readUInt16LE(14),
    extras,
    at,
  };
}

/**
 * The central directory headers in order, read sequentially through the read-ahead window. More
 * headers than the end record counts would be entries that some tools list and others do not:
 * refused rather than silently left out. (Other trailing bytes, such as a digital signature record,
 * 4.3.13, are allowed.)
 */
async function readCentralDirectory(f: ZipBytes, end: EndOfCentralDirectory): Promise<CentralFields[]> {
  const file = f.name;
  const out: CentralFields[] = [];
  const cdEnd = end.cdOffset + end.cdSize;
  let pos = end.cdOffset;
  for (let i = 0; i < end.count; i++) {
    const short = (): ProbityError =>
      entryError(
        'malformed',
        file,
        null,
        `central directory ends inside entry ${i + 1} of ${end.count} (at byte ${pos}; truncated or corrupt)`,
      );
    if (pos + CENTRAL_FIXED > cdEnd) throw short();
    const header = Buffer.from(await f.read(pos, CENTRAL_FIXED, 256 * 1024));
    if (header.readUInt32LE(0) !== SIG_CENTRAL) {
      throw entryError(
        'malformed',
        file,
        null,
        `no central directory header at byte ${pos} (entry ${i + 1} of ${end.count}; corrupt archive)`,
      );
    }
    const nameLength = header.readUInt16LE(28);
    const extraLength = header.readUInt16LE(30);
    const commentLength = header.readUInt16LE(32);
    const total = CENTRAL_FIXED + nameLength + extraLength + commentLength;
    if (pos + total > cdEnd) throw short();
    const name = Buffer.from(await f.read(pos + CENTRAL_FIXED, nameLength, 256 * 1024));
    const extra = Buffer.from(await f.read(pos + CENTRAL_FIXED + nameLength, extraLength, 256 * 1024));
    out.push(centralFields(file, header, name, extra, pos));
    pos += total;
  }
  if (pos + 4 <= cdEnd && (await f.read(pos, 4)).readUInt32LE(0) === SIG_CENTRAL) {
    throw entryError(
      'malformed',
      file,
      null,
      `central directory holds more than the ${end.count} entries its end record counts (another header at byte ${pos})`,
    );
  }
  return out;
}

/** What a central directory header says about one member of an evidence bundle. */
interface CentralRecord {
  display: string;
  path: string | null; // null: the archive's root directory, skipped
  rawNameHex: string | null;
  type: EntryType;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  mtime: Date | null;
}

/** An evidence bundle's member, typed and given a safe path; anything doubtful is refused. */
function bundleRecord(file: string, c: CentralFields): CentralRecord {
  const { display, decoded, flags, method, size, compressedSize } = c;
  const fail = (reason: string): ProbityError =>
    entryError('malformed', file, display, `${reason} (central directory header at byte ${c.at})`);

  // Type: a name ending in "/" is a directory (4.3.8 note: directories have no data); on Unix
  // hosts the upper 16 bits of the external attributes are st_mode (4.4.15 with 4.4.2.2).
  const host = c.versionMadeBy >> 8;
  const mode = host === HOST_UNIX || host === HOST_OSX ? c.externalAttributes >>> 16 : 0;
  const format = mode & S_IFMT;
  let type: EntryType;
  if (display.endsWith('/') || display.endsWith('\\')) {
    // (An empty deflate stream is 2 bytes, which some writers store for directories.)
    if (size !== 0 || compressedSize > 2) {
      throw fail(`directory entry carries data (${compressedSize} bytes stored, ${size} uncompressed)`);
    }
    type = 'directory';
  } else if (format === S_IFLNK) type = 'symlink';
  else if (format === S_IFDIR && size === 0) type = 'directory';
  else if (format === 0 || format === S_IFREG || format === S_IFDIR) type = 'file';
  else type = 'other'; // device, fifo or socket mode

  let path: string | null = null;
  if (!(type === 'directory' && denotesArchiveRoot(decoded, { backslashIsSeparator: true }))) {
    // APPNOTE 4.4.17.1 requires "/" but Windows tools have written "\"; both separate here.
    const safe = safeEntryPath(file, decoded, { backslashIsSeparator: true });
    path = safe.path;
  }

  if (type === 'file' || type === 'symlink') {
    // 4.4.4 bit 0: encrypted. Probity neither holds passwords nor stores ciphertext as evidence
    // content silently; the custodian must decrypt the bundle first.
    if ((flags & FLAG_ENCRYPTED) !== 0) {
      throw entryError(
        'unreadable',
        file,
        display,
        'member is encrypted (general purpose flag bit 0); decrypt the bundle first',
      );
    }
    if (method !== METHOD_STORED && method !== METHOD_DEFLATE) {
      throw fail(`compression method ${method} is not supported (only 0 stored and 8 deflate)`);
    }
    if (method === METHOD_STORED && compressedSize !== size) {
      throw fail(`stored member's compressed size ${compressedSize} differs from its size ${size}`);
    }
  }

  return {
    display,
    path,
    rawNameHex: c.rawNameHex,
    type,
    flags,
    method,
    crc32: c.crc32,
    compressedSize,
    size,
    localOffset: c.localOffset,
    mtime: entryTime(c.extras, c.dosTime, c.dosDate),
  };
}

/** A symlink's target is its member body (Info-ZIP's convention), read here bounded to 4 KiB. */
async function readLinkTarget(
  f: ArchiveFile,
  rec: CentralRecord,
  dataOffset: number,
  fail: (r: string) => ProbityError,
): Promise<string> {
  if (rec.size > MAX_LINK_TARGET || rec.compressedSize > 2 * MAX_LINK_TARGET) {
    throw fail(`symlink target is ${rec.size} bytes, more than the ${MAX_LINK_TARGET}-byte limit`);
  }
  const body = Buffer.from(await f.read(dataOffset, rec.compressedSize));
  let target: Buffer;
  if (rec.method === METHOD_DEFLATE) {
    try {
      target = zlib.inflateRawSync(body, { maxOutputLength: MAX_LINK_TARGET });
    } catch (err) {
      throw fail(
        `symlink target is corrupt deflate data (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  } else target = body;
  if (target.length !== rec.size)
    throw fail(`symlink target is ${target.length} bytes, not the recorded ${rec.size}`);
  if (crc32(target) !== rec.crc32) throw fail('symlink target fails its CRC-32 check');
  return decodeName(target).text;
}

/**
 * Index a .zip: entries in central directory order, and for each file entry the EntrySource a
 * worker reads it with ('range' for stored, 'deflate' for method 8). Member bodies are not read,
 * except symlink bodies (their targets, at most 4 KiB).
 */
export async function indexZip(
  file: string,
): Promise<{ entries: ArchiveEntry[]; sources: Map<number, EntrySource> }> {
  const f = await ArchiveFile.open(file);
  try {
    const end = await readEndOfCentralDirectory(f, { allowTrailing: false });
    // Pass 1: the central directory.
    const records = (await readCentralDirectory(f, end)).map((c) => bundleRecord(file, c));

    // Pass 2: each local header, for where the data really starts (4.3.7: its name and extra
    // lengths may differ from the central directory's), and that the data lies before the
    // central directory.
    const entries: ArchiveEntry[] = [];
    const sources = new Map<number, EntrySource>();
    for (const rec of records) {
      const fail = (reason: string): ProbityError => entryError('malformed', file, rec.display, reason);
      if (rec.localOffset + LOCAL_FIXED > end.cdOffset) {
        throw fail(
          `local header offset ${rec.localOffset} lies outside the archive's data (truncated or corrupt)`,
        );
      }
      const local = await f.read(rec.localOffset, LOCAL_FIXED);
      if (local.readUInt32LE(0) !== SIG_LOCAL) {
        throw fail(`no local file header at byte ${rec.localOffset} (wrong signature; corrupt archive)`);
      }
      const dataOffset = rec.localOffset + LOCAL_FIXED + local.readUInt16LE(26) + local.readUInt16LE(28);
      const hasData = rec.type === 'file' || rec.type === 'symlink';
      if (hasData && dataOffset + rec.compressedSize > end.cdOffset) {
        throw fail(
          `data (${rec.compressedSize} bytes at byte ${dataOffset}) runs past the start of the central directory at byte ${end.cdOffset} (truncated or corrupt)`,
        );
      }
      if (rec.path === null) continue;
      const index = entries.length;
      const linkTarget = rec.type === 'symlink' ? await readLinkTarget(f, rec, dataOffset, fail) : null;
      entries.push({
        path: rec.path,
        rawNameHex: rec.rawNameHex,
        type: rec.type,
        size: rec.type === 'file' ? rec.size : 0,
        mtime: rec.mtime,
        linkTarget,
        index,
      });
      if (rec.type === 'file') {
        sources.set(
          index,
          rec.method === METHOD_STORED
            ? { kind: 'range', file, offset: dataOffset, length: rec.size }
            : {
                kind: 'deflate',
                file,
                offset: dataOffset,
                compressedLength: rec.compressedSize,
                length: rec.size,
                crc32: rec.crc32,
              },
        );
      }
    }
    return { entries, sources };
  } finally {
    await f.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Inside one artifact: the format parsers' entry point. torch.save writes an uncompressed (stored)
// zip, ZIP64 when large; .keras and .npz files are zips too. Here the directory is read whole into
// memory (bounded), nothing is refused that a scan can report instead, and the tricks that show a
// scanner one member and a loader another (duplicate names, a local header that disagrees with the
// central directory, encryption) come back as problems.

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

/** Read and bound the central directory of a zip inside one artifact. */
export async function readZipDirectory(src: ZipBytes): Promise<ZipDirectory> {
  const file = src.name;
  const end = await readEndOfCentralDirectory(src, { allowTrailing: true });
  const problems: string[] = [];
  if (end.trailing > 0)
    problems.push(`${fmt(end.trailing)} bytes follow the end-of-central-directory record`);
  if (end.cdSize > ZIP_MAX_DIRECTORY)
    throw fileError(
      'malformed',
      file,
      `zip central directory of ${fmt(end.cdSize)} bytes exceeds the ${fmt(ZIP_MAX_DIRECTORY)}-byte limit`,
    );
  if (end.count > ZIP_MAX_ENTRIES)
    throw fileError(
      'malformed',
      file,
      `zip claims ${fmt(end.count)} entries (limit ${fmt(ZIP_MAX_ENTRIES)})`,
    );
  // The directory in one read; the headers are then parsed from memory.
  const cd = await src.read(end.cdOffset, end.cdSize);
  const inMemory: ZipBytes = {
    name: file,
    size: src.size,
    read: (offset, length) =>
      offset >= end.cdOffset && offset + length <= end.cdOffset + cd.length
        ? Promise.resolve(cd.subarray(offset - end.cdOffset, offset - end.cdOffset + length))
        : src.read(offset, length),
  };
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  for (const c of await readCentralDirectory(inMemory, end)) {
    const name = c.display;
    if (names.has(name))
      problems.push(`zip has two entries named ${quoteName(name)}: tools disagree on which one they read`);
    names.add(name);
    if (c.flags & FLAG_ENCRYPTED) problems.push(`zip entry ${quoteName(name)} is encrypted`);
    if (c.localOffset + LOCAL_FIXED > end.cdOffset)
      problems.push(
        `zip entry ${quoteName(name)} local header offset ${fmt(c.localOffset)} is not before the central directory`,
      );
    entries.push({
      name,
      method: c.method,
      flags: c.flags,
      compressedSize: c.compressedSize,
      size: c.size,
      crc32: c.crc32,
      localHeaderOffset: c.localOffset,
    });
  }
  return { entries, zip64: end.zip64, problems };
}

/** Where an entry's data starts, after checking its local header against the central directory. */
export async function entryDataOffset(src: ZipBytes, entry: ZipEntry, problems: string[]): Promise<number> {
  const file = src.name;
  const name = quoteName(entry.name);
  if (entry.localHeaderOffset + LOCAL_FIXED > src.size)
    throw fileError('malformed', file, `zip entry ${name} local header is outside the file`);
  const h = await src.read(entry.localHeaderOffset, LOCAL_FIXED);
  if (h.readUInt32LE(0) !== SIG_LOCAL)
    throw fileError(
      'malformed',
      file,
      `zip entry ${name} has no local header at offset ${fmt(entry.localHeaderOffset)}`,
    );
  const nameLen = h.readUInt16LE(26);
  const extraLen = h.readUInt16LE(28);
  const start = entry.localHeaderOffset + LOCAL_FIXED + nameLen + extraLen;
  if (start > src.size)
    throw fileError('malformed', file, `zip entry ${name} data starts past the end of the file`);
  const localName = await src.read(entry.localHeaderOffset + LOCAL_FIXED, nameLen);
  const localExtra = await src.read(entry.localHeaderOffset + LOCAL_FIXED + nameLen, extraLen);
  const ln = displayName(decodeEntryName(h.readUInt16LE(6), localName, parseExtras(localExtra)));
  if (ln !== entry.name) problems.push(`zip entry ${name} is named ${quoteName(ln)} in its local header`);
  if (h.readUInt16LE(8) !== entry.method)
    problems.push(`zip entry ${name}: local header compression method differs from the central directory`);
  if (start + entry.compressedSize > src.size)
    throw fileError(
      'malformed',
      file,
      `zip entry ${name} data (${fmt(entry.compressedSize)} bytes at ${fmt(start)}) passes the end of the file`,
    );
  return start;
}

/** Inflate a deflated member into memory, refusing more than `maxBytes` of output. */
export async function inflateEntry(
  src: ZipBytes,
  entry: ZipEntry,
  start: number,
  maxBytes: number,
): Promise<Buffer> {
  const file = src.name;
  if (entry.compressedSize > maxBytes)
    throw fileError(
      'malformed',
      file,
      `zip entry ${quoteName(entry.name)} is ${fmt(entry.compressedSize)} compressed bytes (limit ${fmt(maxBytes)})`,
    );
  const raw = await src.read(start, entry.compressedSize);
  try {
    return zlib.inflateRawSync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    throw fileError(
      'malformed',
      file,
      `zip entry ${quoteName(entry.name)} does not inflate: ${(err as Error).message}`,
    );
  }
}
