// Entry names from hostile archives. A name in a tar header or a zip directory is attacker-chosen
// bytes: it may be absolute, climb out with "..", carry a NUL, or not be text at all. Every reader
// in this folder turns a raw name into a safe relative POSIX path here, or refuses the archive.

import { fileError, type ErrorCode, type ProbityError } from '../../util/errors';

/** Longest name shown in an error line; PAX names may be up to 1 MiB and an error is one line. */
const MAX_SHOWN_NAME = 200;

/** An entry name for an error line: quoted, control characters escaped, long names cut. */
export function quoteName(name: string): string {
  const shown = name.length > MAX_SHOWN_NAME ? `${name.slice(0, MAX_SHOWN_NAME)}…` : name;
  return JSON.stringify(shown);
}

/** `archive: entry "name": reason`, or `archive: reason` when no entry is known. */
export function entryError(
  code: ErrorCode,
  archive: string,
  name: string | null,
  reason: string,
): ProbityError {
  return fileError(code, archive, name === null ? reason : `entry ${quoteName(name)}: ${reason}`);
}

/**
 * Length of the well-formed UTF-8 sequence starting at `i`, or 0 if the byte there cannot start
 * one. Follows Unicode 15 Table 3-7 (Well-Formed UTF-8 Byte Sequences), which excludes overlong
 * forms, UTF-16 surrogates (ED A0..BF) and code points above U+10FFFF, exactly as RFC 3629 does.
 */
function utf8SequenceLength(buf: Uint8Array, i: number): number {
  const b0 = buf[i] ?? 0;
  const at = (k: number): number => buf[i + k] ?? -1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => at(k) >= lo && at(k) <= hi;
  if (b0 <= 0x7f) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** True when every byte of `buf` belongs to a well-formed UTF-8 sequence. */
export function isValidUtf8(buf: Uint8Array): boolean {
  for (let i = 0; i < buf.length;) {
    const n = utf8SequenceLength(buf, i);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/**
 * Decode name bytes as UTF-8 without losing information, and without two names ever sharing a
 * text. Each byte that is not part of a well-formed UTF-8 sequence becomes `%XX`. A literal `%`
 * becomes `%25` wherever it could be read as such an escape: always in a name that needed escaping,
 * and in a valid UTF-8 name when two hex digits follow it — so the literal name `caf%E9.bin` is
 * `caf%25E9.bin` and cannot collide with `caf<0xE9>.bin`, which is `caf%E9.bin`, while `100%.txt`
 * stays as it is. Reading every `%XX` back as byte XX gives the original bytes in both cases;
 * `rawNameHex` keeps them whenever the text differs from them.
 */
export function decodeName(raw: Buffer): { text: string; rawNameHex: string | null } {
  if (isValidUtf8(raw)) {
    const plain = raw.toString('utf8');
    const text = plain.replace(/%(?=[0-9A-Fa-f]{2})/g, '%25');
    return { text, rawNameHex: text === plain ? null : raw.toString('hex') };
  }
  let text = '';
  for (let i = 0; i < raw.length;) {
    const n = utf8SequenceLength(raw, i);
    if (n === 0) {
      text += `%${(raw[i] ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    } else {
      const piece = raw.toString('utf8', i, i + n);
      text += piece === '%' ? '%25' : piece;
      i += n;
    }
  }
  return { text, rawNameHex: raw.toString('hex') };
}

export interface NameOptions {
  /**
   * Whether `\` separates directories in this archive format. Zip writers on Windows sometimes
   * store `dir\file` despite APPNOTE 4.4.17.1 requiring `/`; in tar, `\` is an ordinary POSIX
   * filename byte. Either way `\` is treated as a separator when *checking* for absolute paths and
   * `..` segments, because the evidence may later be viewed or exported on Windows.
   */
  backslashIsSeparator: boolean;
}

/** Why a decoded name is absolute on POSIX or Windows, or null when it is relative. */
function absoluteReason(text: string): string | null {
  if (text.startsWith('/')) return 'path is absolute (leading "/")';
  if (text.startsWith('\\\\')) return 'path is absolute (UNC "\\\\server" prefix)';
  if (text.startsWith('\\')) return 'path is absolute (leading "\\")';
  // "C:\x" and "C:/x" are absolute on Windows; "C:x" is relative to drive C's current directory,
  // which escapes the bundle just the same.
  if (/^[A-Za-z]:/.test(text)) return `path is absolute (drive letter "${text.slice(0, 2)}")`;
  return null;
}

function decodeInput(rawName: Buffer | string): { text: string; rawNameHex: string | null } {
  return typeof rawName === 'string' ? { text: rawName, rawNameHex: null } : decodeName(rawName);
}

function segmentsOf(text: string, opts: NameOptions): string[] {
  return text.split(opts.backslashIsSeparator ? /[\\/]/ : '/').filter((s) => s !== '' && s !== '.');
}

/**
 * True for names such as `.`, `./` or `.//.` that denote the archive's own top directory (GNU tar
 * writes `./` first when run as `tar -C dir .`). Readers skip such a directory entry: it names no
 * file of the bundle, and an empty path would not be a valid entry path.
 */
export function denotesArchiveRoot(rawName: Buffer | string, opts: NameOptions): boolean {
  const { text } = decodeInput(rawName);
  if (text === '' || text.includes('\0') || absoluteReason(text) !== null) return false;
  return segmentsOf(text, opts).length === 0;
}

/**
 * Turn a raw entry name into a safe, normalized, relative POSIX path (no leading `./`, no trailing
 * `/`, no empty or `.` segments), or throw a ProbityError 'unsafe-path' naming the archive and the
 * entry. A string is taken as already-decoded text (e.g. a CP437 zip name); a Buffer is decoded as
 * UTF-8 with `decodeName`.
 */
export function safeEntryPath(
  archive: string,
  rawName: Buffer | string,
  opts: NameOptions,
): { path: string; rawNameHex: string | null } {
  const { text, rawNameHex } = decodeInput(rawName);
  const refuse = (reason: string): ProbityError => entryError('unsafe-path', archive, text, reason);
  if (text === '') throw refuse('empty name');
  if (text.includes('\0')) throw refuse('name contains a NUL byte');
  const absolute = absoluteReason(text);
  if (absolute !== null) throw refuse(absolute);
  if (text.split(/[\\/]/).includes('..')) throw refuse('path escapes the bundle (.. segment)');
  const segments = segmentsOf(text, opts);
  if (segments.length === 0) throw refuse('empty name (the name denotes the bundle root)');
  return { path: segments.join('/'), rawNameHex };
}
