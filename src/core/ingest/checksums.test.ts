import { describe, expect, it } from 'vitest';
import { checkChecksumLists, parseChecksumFile } from './checksums';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const Z = '0'.repeat(64);

const list = (path: string, ...lines: string[]) => ({ path, parsed: parseChecksumFile(lines.join('\n')) });

describe('checkChecksumLists', () => {
  const files = [
    { path: 'model/a.bin', sha256: A },
    { path: 'model/b.bin', sha256: B },
    { path: 'model/extra.bin', sha256: C },
    { path: 'model/SHA256SUMS', sha256: Z },
    { path: 'model/other.sha256', sha256: Z },
  ];
  const isList = (p: string) => p === 'model/SHA256SUMS' || p === 'model/other.sha256';

  it('sorts each listed line into matched, mismatched or missing, and the unlisted files into new', () => {
    const r = checkChecksumLists(
      [list('model/SHA256SUMS', `${A}  a.bin`, `${A}  b.bin`, `${B}  gone.bin`)],
      files,
      isList,
    );
    expect(r.checks.map((c) => [c.listedPath, c.status])).toEqual([
      ['model/a.bin', 'matched'],
      ['model/b.bin', 'mismatched'],
      ['model/gone.bin', 'missing'],
    ]);
    expect(r.counts).toEqual({ matched: 1, mismatched: 1, missing: 1, new: 1 });
    expect(r.byPath.get('model/extra.bin')).toEqual({ status: 'new', expected: null });
    expect(r.byPath.get('model/b.bin')).toEqual({ status: 'mismatched', expected: A });
    // Another checksum list is not a file the list forgot, even one that was not checked.
    expect(r.byPath.has('model/other.sha256')).toBe(false);
  });

  it('gives a file named by two lists its worst outcome, and counts every listed line', () => {
    const r = checkChecksumLists(
      [
        list('model/SHA256SUMS', `${A}  a.bin`, `${B}  b.bin`),
        list('model/other.sha256', `${C}  a.bin`, `${B}  b.bin`),
      ],
      files,
      isList,
    );
    expect(r.byPath.get('model/a.bin')).toEqual({ status: 'mismatched', expected: C });
    expect(r.byPath.get('model/b.bin')).toEqual({ status: 'matched', expected: B });
    expect(r.counts).toEqual({ matched: 3, mismatched: 1, missing: 0, new: 1 });
  });

  it('finds nothing to say without a list, and calls nothing matched that is not listed', () => {
    expect(checkChecksumLists([], files, isList)).toEqual({
      checks: [],
      byPath: new Map(),
      counts: { matched: 0, mismatched: 0, missing: 0, new: 0 },
    });
    const empty = checkChecksumLists([list('model/SHA256SUMS', '# nothing listed')], files, isList);
    expect(empty.counts).toEqual({ matched: 0, mismatched: 0, missing: 0, new: 3 });
    expect([...empty.byPath.values()].every((v) => v.status === 'new')).toBe(true);
  });
});
