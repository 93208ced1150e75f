// Tar readers for hostile evidence bundles: a push parser for any byte stream (used for .tar.gz),
// an indexer that reads only the headers of an uncompressed .tar, and the .tar.gz streamer.
//
// Formats, all read by one header decoder:
// - POSIX ustar and pax: IEEE Std 1003.1-2017, XCU pax, "ustar Interchange Format" and "pax
//   Interchange Format" (extended headers 'x' and 'g').
// - GNU tar: "ustar  \0" magic, 'L'/'K' long name/link headers, base-256 numeric fields, old-style
//   sparse members ('S'), as documented in the GNU tar manual, "Basic Tar Format".
// - Version 7 tar: no magic, no prefix field; a regular-file entry whose name ends in "/" is a
//   directory.

import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describeFsError, fileError, ProbityError } from '../../util/errors';
import { decodeName, denotesArchiveRoot, entryError, quoteName, safeEntryPath } from './names';
import { ArchiveFile } from './source';
import type { ArchiveEntry, EntrySource, EntryType } from './types';

/** Tar works in 512-byte logical records (POSIX: "Each logical record is 512 octets"). */
const BLOCK = 512;
/** Largest long-name ('L'/'K') or pax ('x'/'g') header body we accept, so a header cannot make us allocate gigabytes. */
export const MAX_EXTENDED_HEADER = 1024 * 1024;
/** gzip input read size for streamTarGz. */
const GZ_READ_SIZE = 4 * 1024 * 1024;

/** Bytes of padding that follow `length` bytes of data up to the next 512-byte record. */
const paddingAfter = (length: number): number => (BLOCK - (length % BLOCK)) % BLOCK;

// ---------------------------------------------------------------------------------------------
// Header fields

/** A NUL-terminated header field: the bytes before the first NUL, or the whole field if it has none. */
function cString(block: Buffer, start: number, length: number): Buffer {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return nul === -1 ? field : field.subarray(0, nul);
}

/**
 * A numeric header field. POSIX ustar stores "leading zero-filled octal numbers using digits which
 * are terminated by one or more <space> or NUL characters"; GNU tar and star store numbers too
 * large for the field (a size of 8 GiB or more, a negative mtime) in base-256: the first byte has
 * its high bit set, bit 6 is the sign, and the remaining bits are a big-endian two's complement
 * number. Returns null for a field that is neither (including an all-blank field).
 */
function parseNumber(field: Buffer): bigint | null {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    let value = BigInt(first & 0x3f);
    for (let i = 1; i < field.length; i++) value = (value << 8n) | BigInt(field[i] ?? 0);
    if (first & 0x40) value -= 1n << BigInt(6 + 8 * (field.length - 1));
    return value;
  }
  let i = 0;
  while (i < field.length && field[i] === 0x20) i++; // some writers right-align with leading spaces
  const start = i;
  while (i < field.length && (field[i] ?? 0) >= 0x30 && (field[i] ?? 0) <= 0x37) i++;
  if (i === start) return null;
  if (i < field.length && field[i] !== 0x20 && field[i] !== 0) return null;
  return BigInt(`0o${field.toString('latin1', start, i)}`);
}

function toDate(seconds: bigint | null): Date | null {
  if (seconds === null) return null;
  const ms = Number(seconds) * 1000;
  return Math.abs(ms) <= 8.64e15 ? new Date(ms) : null; // ECMAScript's Date range
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** What one 512-byte header block says, before extended headers are applied. */
interface HeaderFields {
  offset: number;
  name: Buffer;
  linkName: Buffer;
  typeflag: number;
  size: number;
  mtime: Date | null;
  gnu: boolean;
}

/** The character a typeflag byte stands for, for messages ("'0'", or "NUL"). */
const typeflagText = (typeflag: number): string =>
  typeflag === 0 ? 'NUL' : `'${String.fromCharCode(typeflag).replace(/[^\x21-\x7e]/, '?')}'`;

/**
 * Decode and check one non-zero header block. The checksum is verified first, so a block that is
 * not a header (a truncated or mis-aligned archive, random bytes) is refused before any field of
 * it is believed.
 */
function decodeHeaderBlock(archive: string, block: Buffer, offset: number): HeaderFields {
  const name = cString(block, 0, 100);
  const fail = (reason: string): ProbityError =>
    entryError(
      'malformed',
      archive,
      name.length > 0 ? decodeName(name).text : null,
      `${reason} (header at byte ${offset})`,
    );

  // POSIX: chksum is "the simple sum of all bytes in the header logical record" with the chksum
  // field itself taken as eight <space> characters. Some historic tars summed signed chars; GNU
  // tar accepts either sum, and so do we.
  const stored = parseNumber(block.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += b;
    signed += b >= 0x80 ? b - 0x100 : b;
  }
  if (stored === null) throw fail('not a tar header (the checksum field is not a number)');
  if (stored !== BigInt(unsigned) && stored !== BigInt(signed)) {
    throw fail(
      `header checksum mismatch (stored 0o${stored.toString(8)}, computed 0o${unsigned.toString(8)})`,
    );
  }

  // POSIX ustar: magic "ustar\0", version "00", and a 155-byte prefix joined to name with "/".
  // GNU tar's own format has magic "ustar " and version " \0" and uses the prefix bytes for other
  // things (atime, ctime, sparse map), so the prefix is read only for POSIX ustar. V7 has no magic.
  const magic = block.toString('latin1', 257, 263);
  const gnu = magic === 'ustar ';
  let fullName = name;
  if (magic === 'ustar\0') {
    const prefix = cString(block, 345, 155);
    if (prefix.length > 0) fullName = Buffer.concat([prefix, Buffer.from('/'), name]);
  }

  const size = parseNumber(block.subarray(124, 136));
  if (size === null) throw fail('size field is not a number');
  if (size < 0n) throw fail(`negative size ${size}`);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`size ${size} is beyond any real file`);

  return {
    offset,
    name: fullName,
    linkName: cString(block, 157, 100),
    typeflag: block[156] ?? 0,
    size: Number(size),
    mtime: toDate(parseNumber(block.subarray(136, 148))),
    gnu,
  };
}

// ---------------------------------------------------------------------------------------------
// Extended headers

/** The pax keywords Probity uses ("pax Extended Header" keywords path, linkpath, size, mtime). */
interface PaxOverrides {
  path?: Buffer;
  linkpath?: Buffer;
  size?: number;
  mtime?: Date | null;
  /** GNU tar's pax sparse members (GNU.sparse.*): the body is a sparse map plus data, not the file. */
  sparse?: boolean;
}

/** pax mtime: "decimal seconds since the Epoch", optionally negative, optionally with a fraction. */
function parsePaxTime(text: string): Date | null {
  const m = /^(-?)(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (m === null) return null;
  const ms = Number(m[2]) * 1000 + Math.floor(Number(`0.${m[3] ?? '0'}`) * 1000);
  const signed = m[1] === '-' ? -ms : ms;
  return Math.abs(signed) <= 8.64e15 ? new Date(signed) : null;
}

/**
 * Parse a pax extended header body: records "%d %s=%s\n", where the decimal length counts the
 * whole record including itself and the newline (POSIX pax, "pax Extended Header"). Lengths are
 * checked against the body before any slicing, so an absurd length is an error, not an allocation.
 */
function parsePax(body: Buffer, fail: (reason: string) => ProbityError, into: PaxOverrides): void {
  let pos = 0;
  while (pos < body.length) {
    // A body padded with NULs (seen from some writers) ends at the first NUL between records.
    if (body[pos] === 0) break;
    let sp = pos;
    while (sp < body.length && sp - pos < 20 && (body[sp] ?? 0) >= 0x30 && (body[sp] ?? 0) <= 0x39) sp++;
    if (sp === pos || body[sp] !== 0x20)
      throw fail(`pax record at byte ${pos} of the extended header has no length`);
    const length = Number(body.toString('latin1', pos, sp));
    if (length < sp - pos + 3 || pos + length > body.length) {
      throw fail(
        `pax record at byte ${pos} of the extended header claims ${length} bytes, but the header holds ${body.length - pos}`,
      );
    }
    if (body[pos + length - 1] !== 0x0a)
      throw fail(`pax record at byte ${pos} of the extended header does not end in a newline`);
    const record = body.subarray(sp + 1, pos + length - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw fail(`pax record at byte ${pos} of the extended header has no keyword=value`);
    const key = record.toString('utf8', 0, eq);
    // Copy: the body may be a view into a read buffer that is reused.
    const value = Buffer.from(record.subarray(eq + 1));
    pos += length;

    // An empty value means "no override" for an 'x' header (POSIX: the keyword's effect is
    // removed), so the ustar field stands.
    if (value.length === 0) continue;
    switch (key) {
      case 'path':
        into.path = value;
        break;
      case 'linkpath':
        into.linkpath = value;
        break;
      case 'size': {
        const text = value.toString('latin1');
        if (!/^\d{1,16}$/.test(text) || Number(text) > Number.MAX_SAFE_INTEGER) {
          throw fail(`pax size ${JSON.stringify(text.slice(0, 40))} is not a usable byte count`);
        }
        into.size = Number(text);
        break;
      }
      case 'mtime':
        into.mtime = parsePaxTime(value.toString('latin1'));
        break;
      case 'GNU.sparse.name':
        into.sparse = true;
        into.path = value;
        break;
      default:
        if (key.startsWith('GNU.sparse.')) into.sparse = true;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The header decoder shared by the push parser and the indexer.

/** What the reader must do after a header block. */
type HeaderAction =
  /** The block is consumed and nothing follows it (a first zero block, a GNU sparse extension block). */
  | { kind: 'none' }
  /** Second consecutive zero block: the end of the archive. */
  | { kind: 'end' }
  /** An extended header: `bodyLength` bytes follow; hand them to `extendedBody` when `collect`. */
  | { kind: 'extended'; bodyLength: number; collect: boolean }
  /**
   * An entry (null: the archive's root directory, skipped). `bodyLength` bytes follow the header;
   * they are the entry's content when `content`, otherwise they are skipped.
   */
  | { kind: 'entry'; entry: ArchiveEntry | null; bodyLength: number; content: boolean }
  /** Bytes that belong to the previous entry but are not content (after GNU sparse extensions). */
  | { kind: 'skip'; bodyLength: number };

interface PendingExtended {
  offset: number;
  longName: Buffer | null;
  longLink: Buffer | null;
  pax: PaxOverrides;
}

const T_LONGNAME = 0x4c; // 'L'
const T_LONGLINK = 0x4b; // 'K'
const T_PAX = 0x78; // 'x'
const T_SOLARIS_PAX = 0x58; // 'X': Solaris tar's extended header, which pax's 'x' standardized
const T_PAX_GLOBAL = 0x67; // 'g'
const T_GNU_SPARSE = 0x53; // 'S'

class TarHeaderDecoder {
  private pending: PendingExtended | null = null;
  private awaitingBody: { typeflag: number; offset: number; name: Buffer } | null = null;
  private zeroBlocks = 0;
  /** Set while GNU old-style sparse extension blocks follow an 'S' header: the body size after them. */
  private sparseBody: number | null = null;
  private nextIndex = 0;

  constructor(private readonly archive: string) {}

  /** True when extended headers were read and the entry they describe has not come yet. */
  get awaitingEntry(): boolean {
    return this.pending !== null || this.sparseBody !== null;
  }

  header(block: Buffer, offset: number): HeaderAction {
    if (this.sparseBody !== null) {
      // GNU sparse extension block: 21 sparse map entries, then the "isextended" byte at 504.
      if (block[504] !== 0) return { kind: 'none' };
      const bodyLength = this.sparseBody;
      this.sparseBody = null;
      return { kind: 'skip', bodyLength };
    }
    if (isZeroBlock(block)) {
      if (this.pending !== null) {
        throw fileError(
          'malformed',
          this.archive,
          `extended header at byte ${this.pending.offset} is followed by a zero block, not by its entry`,
        );
      }
      // POSIX: "At the end of the archive file there shall be two 512-octet logical records filled
      // with binary zeros". A lone zero block followed by a header is read past (as GNU tar does,
      // with a warning) rather than taken as the end, so no entry after it goes unrecorded.
      this.zeroBlocks++;
      return this.zeroBlocks >= 2 ? { kind: 'end' } : { kind: 'none' };
    }
    this.zeroBlocks = 0;
    const h = decodeHeaderBlock(this.archive, block, offset);

    if (
      h.typeflag === T_LONGNAME ||
      h.typeflag === T_LONGLINK ||
      h.typeflag === T_PAX ||
      h.typeflag === T_SOLARIS_PAX ||
      h.typeflag === T_PAX_GLOBAL
    ) {
      if (h.size > MAX_EXTENDED_HEADER) {
        throw entryError(
          'malformed',
          this.archive,
          decodeName(h.name).text,
          `extended header (type ${typeflagText(h.typeflag)}) claims ${h.size} bytes, more than the ${MAX_EXTENDED_HEADER}-byte limit (header at byte ${offset})`,
        );
      }
      // A global header sets defaults for the rest of the archive; Probity records per-entry facts
      // only, so its body is skipped (but its length is still honoured to stay in step).
      if (h.typeflag === T_PAX_GLOBAL) return { kind: 'extended', bodyLength: h.size, collect: false };
      this.pending ??= { offset, longName: null, longLink: null, pax: {} };
      this.awaitingBody = { typeflag: h.typeflag, offset, name: Buffer.from(h.name) };
      return { kind: 'extended', bodyLength: h.size, collect: true };
    }
    return this.resolveEntry(h, block);
  }

  /** The body of the extended header announced by the last `header` call. */
  extendedBody(body: Buffer): void {
    const ext = this.awaitingBody;
    const pending = this.pending;
    this.awaitingBody = null;
    if (ext === null || pending === null) return;
    if (ext.typeflag === T_PAX || ext.typeflag === T_SOLARIS_PAX) {
      const fail = (reason: string): ProbityError =>
        entryError(
          'malformed',
          this.archive,
          decodeName(ext.name).text,
          `${reason} (pax header at byte ${ext.offset})`,
        );
      parsePax(body, fail, pending.pax);
      return;
    }
    // GNU 'L'/'K': the body is the name, NUL-terminated.
    const nul = body.indexOf(0);
    const value = Buffer.from(nul === -1 ? body : body.subarray(0, nul));
    if (ext.typeflag === T_LONGNAME) pending.longName = value;
    else pending.longLink = value;
  }

  private resolveEntry(h: HeaderFields, block: Buffer): HeaderAction {
    const pending = this.pending;
    this.pending = null;
    const pax = pending?.pax ?? {};
    const nameBytes = pax.path ?? pending?.longName ?? h.name;
    const linkBytes = pax.linkpath ?? pending?.longLink ?? h.linkName;
    const size = pax.size ?? h.size;
    const mtime = pax.mtime !== undefined ? pax.mtime : h.mtime;
    const fail = (reason: string): ProbityError =>
      entryError(
        'malformed',
        this.archive,
        decodeName(nameBytes).text,
        `${reason} (header at byte ${h.offset})`,
      );

    const tf = h.typeflag;
    let type: EntryType;
    let content = false;
    let bodyLength = size;
    if (pax.sparse === true || (tf === T_GNU_SPARSE && h.gnu)) {
      // A sparse member's body is a map plus the non-hole data, not the file's bytes: recorded as
      // 'other' rather than reported with content that is not the file's.
      type = 'other';
    } else if (tf === 0 || tf === 0x30 || tf === 0x37) {
      // '0' regular, NUL regular (pre-POSIX), '7' contiguous ("treated as regular" by POSIX readers).
      if (nameBytes[nameBytes.length - 1] === 0x2f) {
        // V7 tar had no directory typeflag: a directory was a regular entry whose name ends in "/".
        if (size > 0) throw fail(`regular-file entry whose name ends in "/" carries ${size} bytes of data`);
        type = 'directory';
      } else {
        type = 'file';
        content = true;
      }
    } else if (tf >= 0x31 && tf <= 0x36) {
      // POSIX: "No data logical records are stored for types 1, 2, or 5", nor for 3, 4 and 6. GNU
      // tar nevertheless skips `size` bytes after all but directories, so a non-zero size here
      // makes the rest of the archive mean different things to different readers: refused.
      if (size !== 0) {
        throw fail(
          `typeflag ${typeflagText(tf)} entry declares ${size} bytes of data, which tar readers disagree on (POSIX: none follow)`,
        );
      }
      type = tf === 0x31 ? 'hardlink' : tf === 0x32 ? 'symlink' : tf === 0x35 ? 'directory' : 'other';
    } else {
      // Any other typeflag ("reserved", vendor extensions 'A'-'Z'): POSIX says the size field
      // counts the data records that follow, so they are skipped.
      type = 'other';
    }

    if (tf === T_GNU_SPARSE && h.gnu && pax.sparse !== true) {
      // Old GNU sparse: "isextended" at byte 482 of the header says extension blocks follow it,
      // before the data. The data is skipped once they end (see `header`).
      if (block[482] !== 0) {
        this.sparseBody = size;
        bodyLength = 0;
      }
    }

    if (type === 'directory' && denotesArchiveRoot(nameBytes, { backslashIsSeparator: false })) {
      return { kind: 'entry', entry: null, bodyLength, content: false };
    }
    const { path, rawNameHex } = safeEntryPath(this.archive, nameBytes, { backslashIsSeparator: false });
    const entry: ArchiveEntry = {
      path,
      rawNameHex,
      type,
      size: type === 'file' ? size : 0,
      mtime,
      linkTarget: type === 'symlink' || type === 'hardlink' ? decodeName(linkBytes).text : null,
      index: this.nextIndex++,
    };
    return { kind: 'entry', entry, bodyLength, content };
  }
}

// ---------------------------------------------------------------------------------------------
// Push parser

export interface TarParserHandlers {
  /** A new entry. For a 'file', its body follows as onData calls; every entry ends with onEntryEnd. */
  onEntry(entry: ArchiveEntry): void;
  /** The next bytes of the current file entry's body, in order. The chunk may be a view into the buffer given to `write`. */
  onData(chunk: Buffer): void;
  onEntryEnd(): void;
}

type ParserMode = 'header' | 'content' | 'collect' | 'skip' | 'padding' | 'end' | 'failed';

/**
 * A tar parser fed by `write` with chunks of any size (a gunzip stream's output, say) and closed
 * with `end`. It holds at most one header and one extended-header body (≤ 1 MiB) in memory;
 * entry bodies pass straight through to `onData`. The first error (a ProbityError, or whatever a
 * handler threw) is thrown again by every later call.
 */
export class TarParser {
  private readonly decoder: TarHeaderDecoder;
  private mode: ParserMode = 'header';
  private readonly headerBuf = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Bytes left in the current body (content, collect, skip) or padding. */
  private remaining = 0;
  private bodyLength = 0;
  private paddingNext = 0;
  private collected: Buffer | null = null;
  /** Absolute offset of the next byte to arrive. */
  private position = 0;
  private lastEntry: string | null = null;
  /** Whether the bytes being skipped follow an entry or a pax global header (for messages). */
  private skippingGlobal = false;
  private failure: unknown = null;

  constructor(
    private readonly archive: string,
    private readonly handlers: TarParserHandlers,
  ) {
    this.decoder = new TarHeaderDecoder(archive);
  }

  /**
   * True once the end-of-archive marker (two zero blocks) has been read, after which further bytes
   * are ignored, or once `end` has accepted the input.
   */
  get ended(): boolean {
    return this.mode === 'end';
  }

  /** Bytes given to `write` so far (up to the end-of-archive marker). */
  get bytesConsumed(): number {
    return this.position;
  }

  write(chunk: Buffer): void {
    if (this.mode === 'failed') throw this.failure;
    try {
      this.consume(chunk);
    } catch (err) {
      this.mode = 'failed';
      this.failure = err;
      throw err;
    }
  }

  /**
   * No more input. Accepted at the end-of-archive marker, or on a header boundary without one
   * (some writers omit it); anywhere else the archive is truncated: 'malformed', naming the entry
   * and byte offset.
   */
  end(): void {
    if (this.mode === 'failed') throw this.failure;
    if (this.mode === 'end') return;
    const err = this.truncation();
    if (err === null) {
      this.mode = 'end';
      return;
    }
    this.mode = 'failed';
    this.failure = err;
    throw err;
  }

  private truncation(): ProbityError | null {
    const at = this.position;
    const last = this.lastEntry;
    const inLast = (reason: string): ProbityError =>
      entryError('malformed', this.archive, last, `${reason} (truncated archive)`);
    switch (this.mode) {
      case 'header':
        if (this.headerFill > 0) {
          return fileError(
            'malformed',
            this.archive,
            `archive ends inside the header at byte ${at - this.headerFill} (${this.headerFill} of ${BLOCK} bytes present; truncated archive)`,
          );
        }
        if (this.decoder.awaitingEntry) {
          return fileError(
            'malformed',
            this.archive,
            `archive ends at byte ${at}, after an extended header but before its entry (truncated archive)`,
          );
        }
        return null;
      case 'content':
        return inLast(
          `archive ends inside the entry's data at byte ${at} (${this.bodyLength - this.remaining} of ${this.bodyLength} bytes present)`,
        );
      case 'collect':
        return fileError(
          'malformed',
          this.archive,
          `archive ends inside an extended header's data at byte ${at} (truncated archive)`,
        );
      case 'skip':
        if (this.skippingGlobal) {
          return fileError(
            'malformed',
            this.archive,
            `archive ends inside a pax global header's data at byte ${at} (truncated archive)`,
          );
        }
        return inLast(
          `archive ends at byte ${at}, inside the ${this.bodyLength} bytes that follow the entry's header`,
        );
      case 'padding':
        return inLast(`archive ends inside the padding after the entry's data, at byte ${at}`);
      default:
        return null;
    }
  }

  private consume(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.mode === 'end') return; // bytes after the end marker: the rest of the last record
      const avail = chunk.length - pos;
      if (this.mode === 'header') {
        const n = Math.min(BLOCK - this.headerFill, avail);
        chunk.copy(this.headerBuf, this.headerFill, pos, pos + n);
        this.headerFill += n;
        pos += n;
        this.position += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onHeader(this.position - BLOCK);
        }
        continue;
      }
      const n = Math.min(this.remaining, avail);
      const slice = chunk.subarray(pos, pos + n);
      pos += n;
      this.position += n;
      this.remaining -= n;
      if (this.mode === 'content') this.handlers.onData(slice);
      else if (this.mode === 'collect' && this.collected !== null) {
        slice.copy(this.collected, this.bodyLength - this.remaining - n);
      }
      if (this.remaining === 0) this.finishBody();
    }
  }

  private onHeader(offset: number): void {
    const action = this.decoder.header(this.headerBuf, offset);
    switch (action.kind) {
      case 'none':
        return;
      case 'end':
        this.mode = 'end';
        return;
      case 'extended':
        // The length was bounded by the decoder (MAX_EXTENDED_HEADER) before this allocation.
        this.collected = action.collect ? Buffer.alloc(action.bodyLength) : null;
        this.skippingGlobal = !action.collect;
        this.startBody(action.collect ? 'collect' : 'skip', action.bodyLength);
        return;
      case 'skip':
        this.skippingGlobal = false;
        this.startBody('skip', action.bodyLength);
        return;
      case 'entry': {
        const { entry } = action;
        this.skippingGlobal = false;
        if (entry !== null) {
          this.lastEntry = entry.path;
          this.handlers.onEntry(entry);
        }
        if (action.content) {
          this.startBody('content', action.bodyLength);
        } else {
          if (entry !== null) this.handlers.onEntryEnd();
          this.startBody('skip', action.bodyLength);
        }
        return;
      }
    }
  }

  private startBody(mode: 'content' | 'collect' | 'skip', length: number): void {
    this.mode = mode;
    this.bodyLength = length;
    this.remaining = length;
    this.paddingNext = paddingAfter(length);
    if (length === 0) this.finishBody();
  }

  private finishBody(): void {
    if (this.mode === 'content') {
      this.handlers.onEntryEnd();
    } else if (this.mode === 'collect' && this.collected !== null) {
      const body = this.collected;
      this.collected = null;
      this.decoder.extendedBody(body);
    }
    if (this.mode !== 'padding' && this.paddingNext > 0) {
      this.mode = 'padding';
      this.remaining = this.paddingNext;
      this.paddingNext = 0;
    } else {
      this.mode = 'header';
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Indexing an uncompressed .tar

/** Read-ahead when headers are close together (small members): one read serves many headers. */
const INDEX_READ_AHEAD = 64 * 1024;

/**
 * Index an uncompressed .tar by reading its headers only: each member's body is skipped by
 * arithmetic, never read, so the cost is one small read per member whatever the members' sizes.
 * Every member's data must lie inside the file. A file member's source is a 'range'.
 */
export async function indexTar(
  file: string,
): Promise<{ entries: ArchiveEntry[]; sources: Map<number, EntrySource> }> {
  const f = await ArchiveFile.open(file);
  try {
    const decoder = new TarHeaderDecoder(file);
    const entries: ArchiveEntry[] = [];
    const sources = new Map<number, EntrySource>();
    let offset = 0;
    let readAhead = INDEX_READ_AHEAD;
    let last: string | null = null;
    const truncated = (reason: string): ProbityError =>
      entryError('malformed', file, last, `${reason} (truncated archive; the file is ${f.size} bytes)`);

    for (;;) {
      if (offset === f.size) {
        // No end-of-archive marker, but on a header boundary: accepted, as by the push parser.
        if (decoder.awaitingEntry)
          throw truncated(`archive ends at byte ${offset}, after an extended header but before its entry`);
        break;
      }
      if (offset > f.size)
        throw truncated(`archive ends inside the padding after the entry's data, at byte ${f.size}`);
      if (offset + BLOCK > f.size) {
        throw fileError(
          'malformed',
          file,
          `archive ends inside the header at byte ${offset} (${f.size - offset} of ${BLOCK} bytes present; truncated archive)`,
        );
      }
      const block = await f.read(offset, BLOCK, readAhead);
      const action = decoder.header(block, offset);
      const bodyStart = offset + BLOCK;
      let bodyLength = 0;
      if (action.kind === 'end') break;
      if (action.kind === 'extended') {
        bodyLength = action.bodyLength;
        if (bodyStart + bodyLength > f.size) {
          throw fileError(
            'malformed',
            file,
            `extended header at byte ${offset} runs past the end of the file (truncated archive)`,
          );
        }
        // Bounded by the decoder (MAX_EXTENDED_HEADER) before this read.
        if (action.collect) decoder.extendedBody(await f.read(bodyStart, bodyLength));
      } else if (action.kind === 'skip' || action.kind === 'entry') {
        bodyLength = action.bodyLength;
        if (action.kind === 'entry' && action.entry !== null) {
          last = action.entry.path;
          entries.push(action.entry);
        }
        if (bodyStart + bodyLength > f.size) {
          throw truncated(
            `the entry's ${bodyLength} bytes of data at byte ${bodyStart} run past the end of the file`,
          );
        }
        if (action.kind === 'entry' && action.content && action.entry !== null) {
          sources.set(action.entry.index, { kind: 'range', file, offset: bodyStart, length: bodyLength });
        }
      }
      const next = bodyStart + bodyLength + paddingAfter(bodyLength);
      // After a big member the next header is far away: read just it, not a window of body bytes.
      readAhead = next - offset <= INDEX_READ_AHEAD / 2 ? INDEX_READ_AHEAD : BLOCK;
      offset = next;
    }
    return { entries, sources };
  } finally {
    await f.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming a .tar.gz

export interface TarStreamHandlers {
  onEntry(entry: ArchiveEntry): void | Promise<void>;
  onData(chunk: Buffer): void | Promise<void>;
  onEntryEnd(): void | Promise<void>;
}

type TarEvent = { kind: 'entry'; entry: ArchiveEntry } | { kind: 'data'; chunk: Buffer } | { kind: 'end' };

/**
 * Stream a .tar.gz (or .tgz): 4 MiB reads, gunzip (RFC 1952; concatenated gzip members are read as
 * one stream, as gzip(1) does), the TarParser, and the handlers. Each handler's promise is awaited
 * before the next event and before more input is read, so a slow consumer (hashing, copying into
 * the store) holds the whole pipeline back instead of buffering the archive in memory.
 *
 * Errors: a corrupt or truncated gzip stream is 'malformed'; an I/O error is 'unreadable'; an
 * abort is 'cancelled'; a tar-level problem is the parser's ProbityError; whatever a handler throws
 * is rethrown as it is.
 */
export async function streamTarGz(
  file: string,
  handlers: TarStreamHandlers,
  signal?: AbortSignal,
): Promise<void> {
  const queue: TarEvent[] = [];
  // Where the parser stood when the gzip stream broke: inside an entry, or after one.
  let open: string | null = null;
  let lastEntry: string | null = null;
  const parser = new TarParser(file, {
    onEntry: (entry) => {
      open = entry.path;
      lastEntry = entry.path;
      queue.push({ kind: 'entry', entry });
    },
    onData: (chunk) => void queue.push({ kind: 'data', chunk }),
    onEntryEnd: () => {
      open = null;
      queue.push({ kind: 'end' });
    },
  });
  const drain = async (): Promise<void> => {
    // Events are taken one at a time so that a handler's throw leaves nothing half-dispatched.
    for (let ev = queue.shift(); ev !== undefined; ev = queue.shift()) {
      if (ev.kind === 'entry') await handlers.onEntry(ev.entry);
      else if (ev.kind === 'data') await handlers.onData(ev.chunk);
      else await handlers.onEntryEnd();
    }
  };

  let readError: unknown = null;
  let gunzipError: unknown = null;
  let consumerError: unknown = null;
  const input = fs.createReadStream(file, { highWaterMark: GZ_READ_SIZE });
  input.once('error', (err) => {
    readError ??= err;
  });
  const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
  gunzip.on('error', (err: NodeJS.ErrnoException) => {
    // zlib's own failure (Z_DATA_ERROR, Z_BUF_ERROR…) wins over the AbortError the pipeline may
    // destroy the stream with while tearing down.
    if (gunzipError === null || (typeof err.code === 'string' && err.code.startsWith('Z_')))
      gunzipError = err;
  });

  try {
    if (signal?.aborted) throw signal.reason;
    await pipeline(
      input,
      gunzip,
      async (source: AsyncIterable<Buffer>) => {
        // What the parser or a handler throws is kept: when it tears the pipeline down, the
        // pipeline may reject with the AbortError it destroyed the gunzip stream with instead.
        const step = async (chunk: Buffer | null) => {
          try {
            if (chunk === null) parser.end();
            else parser.write(chunk);
            await drain();
          } catch (err) {
            consumerError ??= err;
            throw err;
          }
        };
        for await (const chunk of source) {
          // Keep draining after the tar end marker: the gzip trailer's CRC-32 and length are only
          // checked when the stream is read to its end.
          await step(chunk);
        }
        await step(null);
      },
      signal === undefined ? {} : { signal },
    );
  } catch (err) {
    if (err instanceof ProbityError) throw err;
    if (consumerError !== null) throw consumerError;
    if (signal?.aborted) throw fileError('cancelled', file, 'reading the archive was cancelled', err);
    if (err === readError) throw fileError('unreadable', file, describeFsError(err), err);
    if (gunzipError !== null && (err === gunzipError || (err as Error)?.name === 'AbortError')) {
      const cause: unknown = gunzipError;
      const message = cause instanceof Error ? cause.message : String(cause);
      const where: string =
        open !== null
          ? `in the data of entry ${quoteName(open)}`
          : lastEntry !== null
            ? `after entry ${quoteName(lastEntry)}`
            : 'before any entry could be read';
      throw fileError('malformed', file, `gzip stream is corrupt or truncated ${where} (${message})`, cause);
    }
    throw err;
  }
}
