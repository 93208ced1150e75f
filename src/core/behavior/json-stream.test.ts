import { describe, expect, it } from 'vitest';
import { JsonScanError, JsonStreamScanner, type JsonPath, type ScanDecision } from './json-stream';

/** Capture results.results[*] and results.version, feeding the text in chunks of `size`. */
function scan(text: string, size: number, maxValueChars?: number) {
  const got: { path: string; value: unknown; line: number }[] = [];
  const select = (p: JsonPath): ScanDecision => {
    if (p.length <= 1) return p.length === 0 || p[0] === 'results' ? 'descend' : 'skip';
    if (p.length === 2) return p[1] === 'results' ? 'descend' : p[1] === 'version' ? 'whole' : 'skip';
    return p.length === 3 ? 'whole' : 'skip';
  };
  const scanner = new JsonStreamScanner(
    {
      select,
      onValue: (p, t, line) => got.push({ path: p.join('.'), value: JSON.parse(t) as unknown, line }),
    },
    maxValueChars,
  );
  for (let i = 0; i < text.length; i += size) scanner.feed(text.slice(i, i + size));
  scanner.end();
  return got;
}

const DOC = `{
  "evalId": "x",
  "skipped": {"results": [1, 2, {"deep": "]}\\"["}]},
  "results": {
    "version": 3,
    "results": [
      {"a": 1, "s": "brackets ] } [ { and \\"quotes\\" and \\\\"},
      [true, false, null, -1.5e3],
      "plain",
      42
    ],
    "after": {"ignored": true}
  }
}`;

describe('JsonStreamScanner', () => {
  it('captures exactly the selected values, with their line, whatever the chunk size', () => {
    const expected = [
      { path: 'results.version', value: 3, line: 5 },
      { path: 'results.results.0', value: { a: 1, s: 'brackets ] } [ { and "quotes" and \\' }, line: 7 },
      { path: 'results.results.1', value: [true, false, null, -1500], line: 8 },
      { path: 'results.results.2', value: 'plain', line: 9 },
      { path: 'results.results.3', value: 42, line: 10 },
    ];
    for (const size of [1, 2, 3, 7, 64, DOC.length]) expect(scan(DOC, size)).toEqual(expected);
  });

  it('reads keys with escapes, split across chunks', () => {
    const doc = '{"re\\u0073ults": {"results": [1]}}';
    expect(scan(doc, 1)).toEqual([{ path: 'results.results.0', value: 1, line: 1 }]);
  });

  it('refuses documents that are not well-formed, naming the line', () => {
    expect(() => scan('{"results": {"results": [1, 2}}', 5)).toThrow(JsonScanError);
    expect(() => scan('{"results": {"results": [1, 2]}', 5)).toThrow(
      /ends before its JSON value is complete/,
    );
    expect(() => scan('{"a": 1}\n{"b": 2}', 5)).toThrow(/line 2: unexpected text after the JSON document/);
    expect(() => scan('{"a": 1,}', 5)).toThrow(/unexpected "}"/);
    expect(() => scan('{"a" 1}', 5)).toThrow(/expected a key|unexpected/);
    expect(() => scan('[1 2]', 5)).toThrow(/expected ","/);
  });

  it('refuses a captured value larger than its bound instead of growing without limit', () => {
    const big = `{"results": {"results": ["${'x'.repeat(5000)}"]}}`;
    expect(() => scan(big, 1000, 2000)).toThrow(/results\.results\[0\] is larger than 2000 characters/);
  });
});
