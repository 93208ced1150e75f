import { describe, expect, it } from 'vitest';
import { MAX_TOKENS, wordDiff } from './word-diff';

const text = (parts: { text: string }[]) => parts.map((p) => p.text).join('');
const changed = (parts: { text: string; kind: string }[]) =>
  parts.filter((p) => p.kind !== 'same').map((p) => p.text.trim());

describe('wordDiff', () => {
  it('marks the words only one side has, and rebuilds both texts exactly', () => {
    const a = "I'm sorry, I can't help with that.";
    const b = 'Sure. I can help with that.';
    const d = wordDiff(a, b);
    expect(text(d.a)).toBe(a);
    expect(text(d.b)).toBe(b);
    expect(changed(d.a)).toEqual(["I'm sorry,", "can't"]);
    expect(changed(d.b)).toEqual(['Sure.', 'can']);
    expect(d.compared).toBe(true);
  });

  it('finds nothing to mark in equal texts, and gives up politely on huge ones', () => {
    expect(changed(wordDiff('a b  c', 'a b  c').b)).toEqual([]);
    const big = Array.from({ length: MAX_TOKENS }, (_, i) => `w${i}`).join(' ');
    const d = wordDiff(big, 'x');
    expect(d.compared).toBe(false);
    expect(text(d.a)).toBe(big);
  });
});
