import { describe, expect, it } from 'vitest';
import { ProbityError } from '../../util/errors';
import { decodeName, denotesArchiveRoot, isValidUtf8, quoteName, safeEntryPath } from './names';

const posix = { backslashIsSeparator: false };
const windowsToo = { backslashIsSeparator: true };

function refusal(fn: () => unknown): ProbityError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProbityError);
    return err as ProbityError;
  }
  throw new Error('expected a ProbityError');
}

describe('safeEntryPath', () => {
  it.each([
    ['a.txt', 'a.txt'],
    ['./a.txt', 'a.txt'],
    ['././dir//sub/./f', 'dir/sub/f'],
    ['dir/', 'dir'],
    ['.hidden/..dots/x..y', '.hidden/..dots/x..y'],
    ['a\\b.txt', 'a\\b.txt'],
  ])('normalizes %j to %j (posix)', (raw, expected) => {
    expect(safeEntryPath('b.tar', raw, posix)).toEqual({ path: expected, rawNameHex: null });
    expect(safeEntryPath('b.tar', Buffer.from(raw), posix)).toEqual({ path: expected, rawNameHex: null });
  });

  it('treats backslash as a separator when asked (zip)', () => {
    expect(safeEntryPath('b.zip', 'dir\\sub\\f.txt', windowsToo).path).toBe('dir/sub/f.txt');
    expect(safeEntryPath('b.zip', '.\\dir\\\\f', windowsToo).path).toBe('dir/f');
  });

  it('percent-escapes invalid UTF-8 and keeps the raw bytes', () => {
    const raw = Buffer.from([0x66, 0xff, 0x2e, 0x74, 0x78, 0x74]);
    expect(safeEntryPath('b.tar', raw, posix)).toEqual({ path: 'f%FF.txt', rawNameHex: '66ff2e747874' });
    // A literal % is escaped only when the name needed escaping at all.
    const withPercent = Buffer.concat([Buffer.from('100%/'), Buffer.from([0xe9])]);
    expect(safeEntryPath('b.tar', withPercent, posix)).toEqual({
      path: '100%25/%E9',
      rawNameHex: '313030252fe9',
    });
    // A literal "%XX" in a valid name is escaped too, so it cannot collide with an escaped byte.
    expect(safeEntryPath('b.tar', Buffer.from('caf%E9.bin'), posix)).toEqual({
      path: 'caf%25E9.bin',
      rawNameHex: Buffer.from('caf%E9.bin').toString('hex'),
    });
    expect(
      safeEntryPath('b.tar', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x62, 0x69, 0x6e]), posix).path,
    ).toBe('caf%E9.bin');
    expect(safeEntryPath('b.tar', Buffer.from('100%.txt'), posix)).toEqual({
      path: '100%.txt',
      rawNameHex: null,
    });
  });

  it('keeps valid multi-byte UTF-8 and escapes overlong, surrogate and truncated sequences', () => {
    expect(safeEntryPath('b.tar', Buffer.from('modèle/权重.bin 🙂'), posix).path).toBe('modèle/权重.bin 🙂');
    expect(decodeName(Buffer.from([0xc0, 0xaf])).text).toBe('%C0%AF'); // overlong "/"
    expect(decodeName(Buffer.from([0xed, 0xa0, 0x80])).text).toBe('%ED%A0%80'); // UTF-16 surrogate
    expect(decodeName(Buffer.from([0x61, 0xe2, 0x82])).text).toBe('a%E2%82'); // cut short
    expect(decodeName(Buffer.from([0xf4, 0x90, 0x80, 0x80])).text).toBe('%F4%90%80%80'); // > U+10FFFF
    expect(decodeName(Buffer.from([0xe9, 0xc3, 0xa9])).text).toBe('%E9é');
    expect(isValidUtf8(Buffer.from('ok é'))).toBe(true);
  });

  it.each([
    ['../../etc/passwd', 'path escapes the bundle (.. segment)'],
    ['a/../../b', 'path escapes the bundle (.. segment)'],
    ['a/..', 'path escapes the bundle (.. segment)'],
    ['a\\..\\b', 'path escapes the bundle (.. segment)'],
    ['/etc/passwd', 'path is absolute (leading "/")'],
    ['//server/share', 'path is absolute (leading "/")'],
    ['C:\\Windows\\x', 'path is absolute (drive letter "C:")'],
    ['c:/x', 'path is absolute (drive letter "c:")'],
    ['C:x', 'path is absolute (drive letter "C:")'],
    ['\\\\server\\share\\x', 'path is absolute (UNC "\\\\server" prefix)'],
    ['\\x', 'path is absolute (leading "\\")'],
    ['a\0b', 'name contains a NUL byte'],
    ['', 'empty name'],
    ['./', 'empty name (the name denotes the bundle root)'],
  ])('refuses %j', (raw, reason) => {
    for (const opts of [posix, windowsToo]) {
      const err = refusal(() => safeEntryPath('bundle.zip', raw, opts));
      expect(err.code).toBe('unsafe-path');
      expect(err.file).toBe('bundle.zip');
      expect(err.message).toBe(`bundle.zip: entry ${quoteName(raw)}: ${reason}`);
    }
  });

  it('words the traversal error as one line naming the archive and entry', () => {
    const err = refusal(() => safeEntryPath('bundle.zip', Buffer.from('../../etc/passwd'), windowsToo));
    expect(err.message).toBe('bundle.zip: entry "../../etc/passwd": path escapes the bundle (.. segment)');
    const nl = refusal(() => safeEntryPath('b.tar', '../x\ny', posix));
    expect(nl.message).not.toContain('\n');
  });

  it('finds NUL bytes in raw names', () => {
    const err = refusal(() => safeEntryPath('b.tar', Buffer.from([0x61, 0x00, 0x62]), posix));
    expect(err.message).toContain('NUL');
  });
});

describe('denotesArchiveRoot', () => {
  it('recognizes ".", "./" and the like, and nothing else', () => {
    for (const name of ['.', './', './/.', '././']) expect(denotesArchiveRoot(name, posix)).toBe(true);
    for (const name of ['', '/', 'a', '../', './a', 'C:'])
      expect(denotesArchiveRoot(name, posix)).toBe(false);
    expect(denotesArchiveRoot('.\\', windowsToo)).toBe(true);
    expect(denotesArchiveRoot('.\\', posix)).toBe(false);
  });
});
