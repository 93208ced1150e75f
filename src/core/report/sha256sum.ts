/**
 * The `sha256sum` checksum-file format (GNU coreutils, "md5sum invocation"): one line per file,
 * `<64 lower-case hex>  <name>` — two spaces, the second standing for text mode (`*` would mean
 * binary mode; the two are the same on POSIX systems). A name holding a backslash, a newline or a
 * carriage return is escaped (`\\`, `\n`, `\r`) and its line starts with a backslash, as
 * coreutils 9 writes and `sha256sum -c` reads it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';

export interface ChecksumLine {
  sha256: string;
  name: string;
}

function needsEscape(name: string): boolean {
  return /[\\\n\r]/.test(name);
}

function escapeName(name: string): string {
  return name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

export function formatChecksumLine(l: ChecksumLine): string {
  return needsEscape(l.name) ? `\\${l.sha256}  ${escapeName(l.name)}\n` : `${l.sha256}  ${l.name}\n`;
}

export function formatChecksums(lines: ChecksumLine[]): string {
  return lines.map(formatChecksumLine).join('');
}

const LINE = /^(\\?)([0-9a-fA-F]{64}) [ *](.+)$/;

/** Parse a checksum file; a line that is not one is reported by number. */
export function parseChecksums(text: string): { lines: ChecksumLine[]; bad: number[] } {
  const lines: ChecksumLine[] = [];
  const bad: number[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw === '' && i === text.split('\n').length - 1) return; // the final newline
    const m = LINE.exec(raw);
    if (!m) {
      bad.push(i + 1);
      return;
    }
    const name = m[1] ? unescapeName(m[3]!) : m[3]!;
    lines.push({ sha256: m[2]!.toLowerCase(), name });
  });
  return { lines, bad };
}

export function sha256Of(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of a file, streamed with 1 MiB reads. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), hash);
  return hash.digest('hex');
}
