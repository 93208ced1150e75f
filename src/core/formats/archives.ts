/**
 * Archives other than zip: what they are by magic bytes, and what can be read of them.
 *
 * - tar (POSIX ustar / GNU, magic "ustar" at 257): members are walked header by header (512-byte
 *   blocks, octal sizes) and every member whose content starts like a pickle is scanned. This is
 *   also the pre-0.4 `torch.save` format (members `sys_info`, `pickle`, `storages`, `tensors`).
 * - 7z (`7z\xBC\xAF\x27\x1C`, 7zFormat.txt): the signature header points at the "next header"
 *   after the packed streams. Probity has no LZMA decoder, so a compressed header is not read and
 *   the archive is never `safe`; the packed-stream region is still searched for data stored
 *   uncompressed — raw (the Copy coder) or in LZMA2 *uncompressed* chunks (control byte 1 or 2,
 *   16-bit big-endian size − 1) — and any pickle there is scanned.
 * - gzip (RFC 1952) and zlib (RFC 1950; joblib's `compress=` default, also behind joblib < 0.10's
 *   "ZF" + hex-length prefix): decompressed with node:zlib (bounded); content that is a pickle is
 *   scanned as one — joblib inline arrays included — and a tar (.tar.gz) is walked as above.
 * - bzip2, xz, lzma ("alone" header 0x5D 0x00 0x00), lz4 frames, zstd, rar: recognised and named,
 *   not opened (`not-analysed`).
 */
import { gunzipSync, inflateSync, constants as zlibConstants } from 'node:zlib';
import { fmt, q, type ByteSource, bufferSource } from './reader.ts';
import { looksLikePickle, scanPickleRange, type PickleScanReport } from './pickle.ts';
import { looksZlib, startsLikePickle } from './embedded.ts';
import { FindingList, type ScanFinding } from './verdict.ts';
import { ProbityError } from '../util/errors.ts';

export interface ArchiveResult {
  format: 'tar' | '7z' | 'gzip' | 'zlib' | 'bzip2' | 'xz' | 'lzma' | 'lz4' | 'zstd' | 'rar';
  /** Bytes after decompression (gzip, zlib), or null where nothing was decompressed. */
  decompressedSize?: number | null;
  /** Members listed (tar), first 1,000. */
  members: string[];
  pickles: { member: string; report: PickleScanReport }[];
  findings: ScanFinding[];
  problems: string[];
}

const SEVEN_Z = Buffer.from('377abcaf271c', 'hex');

/** Which archive format `head` starts with, if any (zip is handled by src/core/io/archive/zip.ts). */
export function archiveMagic(head: Buffer): ArchiveResult['format'] | null {
  if (head.length >= 6 && head.subarray(0, 6).equals(SEVEN_Z)) return '7z';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8) return 'gzip';
  if (
    head.length >= 4 &&
    head.subarray(0, 3).toString('latin1') === 'BZh' &&
    (head[3] ?? 0) >= 0x31 &&
    (head[3] ?? 0) <= 0x39
  )
    return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from('fd377a585a00', 'hex'))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 6 && head.subarray(0, 6).toString('latin1') === 'Rar!\x1a\x07') return 'rar';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x184d2204) return 'lz4';
  if (head.length >= 13 && head[0] === 0x5d && head[1] === 0 && head[2] === 0) return 'lzma';
  if (zlibStart(head) >= 0) return 'zlib';
  return null;
}

/** joblib < 0.10 wrote "ZF", the data length in hex padded with spaces, then a zlib stream. */
const ZFILE = /^ZF(0x)?[0-9a-fA-F]{1,18}L? *$/;

/**
 * Where a zlib stream starts: 0 for a bare one whose first bytes inflate, after the "ZF" prefix
 * for old joblib; -1 when the bytes are not zlib.
 */
function zlibStart(head: Buffer): number {
  const ok = (at: number): boolean => {
    if (!looksZlib(head.subarray(at, at + 2)) || head.length <= at + 2) return false;
    // Text can start "x^" too: the first bytes must really inflate to something.
    try {
      const out = inflateSync(head.subarray(at, at + 4096), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: 1 << 20,
      });
      return out.length > 0;
    } catch (err) {
      return /maxOutputLength|buffer/i.test((err as Error).message);
    }
  };
  if (ok(0)) return 0;
  if (head.length >= 23 && ZFILE.test(head.subarray(0, 21).toString('latin1')) && ok(21)) return 21;
  return -1;
}

/** Decompressed content kept in memory for scanning at most. */
const MAX_DECOMPRESSED = 256 * 1024 * 1024;

async function scanCompressed(src: ByteSource, format: 'gzip' | 'zlib'): Promise<ArchiveResult> {
  const findings = new FindingList();
  const problems: string[] = [];
  const pickles: ArchiveResult['pickles'] = [];
  const base = { format, members: [], pickles, problems };
  const raw = await src.read(0, src.size);
  const start = format === 'zlib' ? Math.max(0, zlibStart(raw)) : 0;
  if (start > 0) problems.push('joblib < 0.10 "ZF" header before the zlib stream');
  let data: Buffer;
  try {
    data =
      format === 'gzip'
        ? gunzipSync(raw, { maxOutputLength: MAX_DECOMPRESSED })
        : inflateSync(raw.subarray(start), { maxOutputLength: MAX_DECOMPRESSED });
  } catch (err) {
    const msg = (err as Error).message;
    const why = /maxOutputLength|buffer/i.test(msg)
      ? `decompresses to more than ${fmt(MAX_DECOMPRESSED)} bytes, the most Probity inflates to scan`
      : `does not decompress (${msg})`;
    findings.add('not-analysed', `${format} stream ${why}: its content was not read`, null);
    return { ...base, decompressedSize: null, findings: findings.toArray() };
  }
  if (data.length >= 262 && data.subarray(257, 262).toString('latin1') === 'ustar') {
    // A compressed tar (.tar.gz, a SageMaker model.tar.gz): its members are walked as a tar's.
    const tar = await scanTar(bufferSource(src.name, data));
    for (const f of tar.findings)
      findings.add(f.level, f.what, [`${format} content`, f.where].filter(Boolean).join(', '), f.capability);
    return {
      ...base,
      members: tar.members,
      pickles: tar.pickles,
      decompressedSize: data.length,
      findings: findings.toArray(),
    };
  }
  if (!startsLikePickle(data) && !looksLikePickle(data[0], data[1])) {
    findings.add(
      'not-analysed',
      `${format} stream of ${fmt(data.length)} bytes whose content is neither a pickle nor a tar: Probity scans only those inside ${format}`,
      null,
    );
    return { ...base, decompressedSize: data.length, findings: findings.toArray() };
  }
  try {
    const report = await scanPickleRange(bufferSource(src.name, data), 0, data.length, null);
    pickles.push({ member: `${format} content`, report });
    for (const f of report.findings)
      findings.add(f.level, f.what, [`${format} content`, f.where].filter(Boolean).join(', '), f.capability);
  } catch (err) {
    if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
    findings.add('not-analysed', `${format} content: ${err.message}`, null);
  }
  return { ...base, decompressedSize: data.length, findings: findings.toArray() };
}

const MAX_TAR_MEMBERS = 100_000;
const MAX_PICKLES = 64;

function octal(b: Buffer): number {
  const s = b.toString('latin1').replace(/\0.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) return -1;
  return parseInt(s, 8);
}

async function scanTar(src: ByteSource): Promise<ArchiveResult> {
  const findings = new FindingList();
  const members: string[] = [];
  const pickles: ArchiveResult['pickles'] = [];
  let pos = 0;
  let count = 0;
  let longName: string | null = null;
  for (;;) {
    if (pos + 512 > src.size) {
      findings.add('not-analysed', `tar ends inside a header at offset ${fmt(pos)} (truncated)`, null);
      break;
    }
    const h = await src.read(pos, 512);
    if (h.every((b) => b === 0)) break;
    if (++count > MAX_TAR_MEMBERS) {
      findings.add(
        'not-analysed',
        `more than ${fmt(MAX_TAR_MEMBERS)} tar members; the rest were not read`,
        null,
      );
      break;
    }
    const size = octal(h.subarray(124, 136));
    if (size < 0) {
      findings.add('not-analysed', `tar header at offset ${fmt(pos)} has a non-octal size`, null);
      break;
    }
    const type = String.fromCharCode(h[156] ?? 0);
    const prefix = h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    let name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (prefix) name = `${prefix}/${name}`;
    if (longName !== null) {
      name = longName;
      longName = null;
    }
    const dataStart = pos + 512;
    if (dataStart + size > src.size) {
      findings.add('not-analysed', `tar member ${q(name)} passes the end of the file (truncated)`, null);
      break;
    }
    if (type === 'L')
      longName = (await src.read(dataStart, Math.min(size, 4096))).toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '\0' || type === '7') {
      if (members.length < 1000) members.push(name);
      if (name.startsWith('/') || name.split('/').includes('..'))
        findings.add('suspicious', `tar member name ${q(name)} escapes the archive directory`, null);
      if (size > 0) {
        const head = await src.read(dataStart, Math.min(size, 256));
        const proto = head[0] === 0x80 && (head[1] ?? 9) <= 5;
        if (startsLikePickle(head) || proto) {
          if (pickles.length >= MAX_PICKLES)
            findings.add(
              'not-analysed',
              `more than ${MAX_PICKLES} pickle members; the rest were not scanned`,
              null,
            );
          else {
            try {
              const report = await scanPickleRange(src, dataStart, dataStart + size, name);
              pickles.push({ member: name, report });
              for (const f of report.findings)
                findings.add(
                  f.level,
                  f.what,
                  [`member ${q(name)}`, f.where].filter(Boolean).join(', '),
                  f.capability,
                );
            } catch (err) {
              if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
              findings.add('not-analysed', err.message, `member ${q(name)}`);
            }
          }
        }
      }
    } else if (type === '1' || type === '2')
      findings.add('suspicious', `tar member ${q(name)} is a link`, null);
    pos = dataStart + Math.ceil(size / 512) * 512;
  }
  if (members.length > 0 && pickles.length === 0)
    findings.add(
      'not-analysed',
      `tar archive of ${fmt(members.length)} members, none of them a pickle: contents not analysed`,
      null,
    );
  return { format: 'tar', members, pickles, findings: findings.toArray(), problems: [] };
}

/** LZMA2 chunks in `buf`: the bytes of the uncompressed ones, or null when `buf` is not an LZMA2 stream. */
function lzma2Uncompressed(buf: Buffer): { data: Buffer; compressedChunks: number } | null {
  const out: Buffer[] = [];
  let p = 0;
  let compressedChunks = 0;
  while (p < buf.length) {
    const c = buf[p] ?? 0;
    if (c === 0) return { data: Buffer.concat(out), compressedChunks };
    if (c === 1 || c === 2) {
      if (p + 3 > buf.length) return null;
      const n = buf.readUInt16BE(p + 1) + 1;
      if (p + 3 + n > buf.length) return null;
      out.push(buf.subarray(p + 3, p + 3 + n));
      p += 3 + n;
    } else if (c >= 0x80) {
      if (p + 5 > buf.length) return null;
      const packed = buf.readUInt16BE(p + 3) + 1;
      const props = c >= 0xc0 ? 1 : 0;
      p += 5 + props + packed;
      compressedChunks++;
    } else return null;
  }
  return { data: Buffer.concat(out), compressedChunks };
}

const MAX_7Z_REGION = 256 * 1024 * 1024;

async function scan7z(src: ByteSource): Promise<ArchiveResult> {
  const findings = new FindingList();
  const pickles: ArchiveResult['pickles'] = [];
  const problems: string[] = [];
  if (src.size < 32) {
    findings.add('not-analysed', '7z archive shorter than its 32-byte signature header', null);
    return { format: '7z', members: [], pickles, findings: findings.toArray(), problems };
  }
  const sig = await src.read(0, 32);
  const nextOff = sig.readBigUInt64LE(12);
  const nextSize = sig.readBigUInt64LE(20);
  if (nextOff + nextSize + 32n > BigInt(src.size)) {
    findings.add(
      'not-analysed',
      `7z next header (${nextOff} + ${nextSize}) passes the end of the file`,
      null,
    );
    return { format: '7z', members: [], pickles, findings: findings.toArray(), problems };
  }
  const hdrType = nextSize > 0n ? (await src.read(32 + Number(nextOff), 1))[0] : undefined;
  findings.add(
    'not-analysed',
    hdrType === 0x17
      ? '7z archive with an LZMA-compressed header: Probity does not decompress 7z, so its file list was not read'
      : '7z archive: Probity does not decompress 7z coders, so its members were not read',
    null,
  );
  // Search the packed streams for content stored without compression.
  const regionLen = Number(nextOff);
  if (regionLen > 0 && regionLen <= MAX_7Z_REGION) {
    const region = await src.read(32, regionLen);
    const candidates: { data: Buffer; how: string }[] = [];
    if (startsLikePickle(region)) candidates.push({ data: region, how: 'stored (Copy coder)' });
    const l2 = lzma2Uncompressed(region);
    if (l2 && l2.data.length > 0 && startsLikePickle(l2.data))
      candidates.push({ data: l2.data, how: 'LZMA2 uncompressed chunks' });
    for (const c of candidates) {
      try {
        const report = await scanPickleRange(bufferSource(src.name, c.data), 0, c.data.length, null);
        pickles.push({ member: `packed stream (${c.how})`, report });
        for (const f of report.findings)
          findings.add(
            f.level,
            f.what,
            [`7z packed stream, ${c.how}`, f.where].filter(Boolean).join(', '),
            f.capability,
          );
      } catch (err) {
        if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
        problems.push(`packed stream (${c.how}): ${err.message}`);
      }
    }
  }
  return { format: '7z', members: [], pickles, findings: findings.toArray(), problems };
}

/** Read what can be read of a non-zip archive. */
export async function scanArchive(src: ByteSource, format: ArchiveResult['format']): Promise<ArchiveResult> {
  if (format === 'tar') return scanTar(src);
  if (format === '7z') return scan7z(src);
  if (format === 'gzip' || format === 'zlib') return scanCompressed(src, format);
  return {
    format,
    members: [],
    pickles: [],
    findings: [
      {
        level: 'not-analysed',
        what: `${format} stream: Probity does not decompress ${format}, its content was not read`,
        where: null,
      },
    ],
    problems: [],
  };
}
