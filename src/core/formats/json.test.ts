import { describe, expect, it } from 'vitest';
import { parseJson } from './json.ts';
import { firstInvalidUtf8 } from './text.ts';

describe('strict JSON', () => {
  it('agrees with JSON.parse on ordinary documents', () => {
    const doc = '{"a":[1,-2.5e3,true,false,null,"x\\n\\u00e9\\ud83d\\ude00"],"b":{"c":{}},"d":[]}';
    expect(parseJson(doc, 'f').value).toEqual(JSON.parse(doc));
  });

  it('records duplicate keys with JSON Pointers and lossy integers with their text', () => {
    const r = parseJson(
      '{"a/b":1,"a/b":2,"n":{"x~":1,"x~":2},"big":12345678901234567890,"ok":9007199254740991,"f":1e400}',
      'f',
    );
    expect(r.duplicateKeys).toEqual(['/a~1b', '/n/x~0']);
    expect(r.lossyNumbers).toEqual([{ path: '/big', text: '12345678901234567890' }]);
    expect(r.value).toMatchObject({ 'a/b': 2, ok: 9007199254740991, f: Infinity });
  });

  it('keeps __proto__ as an own key without touching the prototype', () => {
    const v = parseJson('{"__proto__":{"polluted":true}}', 'f').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it.each([
    ['{"a":1,}', /line 1 column 8: expected a string key/],
    ['[1 2]', /expected ',' or '\]'/],
    ['{"a":01}', /unexpected data|expected ','/],
    ['"\u0001"', /control character/],
    ['"abc', /unterminated string/],
    ['{"a":1}x', /unexpected data after the top-level value/],
    ['', /unexpected end of input/],
    ['['.repeat(300) + ']'.repeat(300), /nesting deeper than 256 levels/],
    ['NaN', /unexpected character/],
    ['"\\x41"', /invalid escape/],
  ])('rejects %j', (text, re) => {
    expect(() => parseJson(text, 'cfg.json')).toThrow(re);
  });

  it('handles a million-deep nesting attempt without a stack overflow', () => {
    expect(() => parseJson('['.repeat(1_000_000), 'deep.json')).toThrow(
      /deep\.json: invalid JSON at line 1 column 258: nesting deeper than 256 levels/,
    );
  });
});

describe('UTF-8 validation', () => {
  it.each<[number[], number]>([
    [[0x61, 0x62], -1],
    [[0xc3, 0xa9], -1],
    [[0xf0, 0x9f, 0x98, 0x80], -1],
    [[0x61, 0xc3], 1],
    [[0xc0, 0x80], 0],
    [[0xed, 0xa0, 0x80], 0],
    [[0xf4, 0x90, 0x80, 0x80], 0],
    [[0x61, 0x80], 1],
  ])('%j → %d', (bytes, at) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(at);
  });
});
