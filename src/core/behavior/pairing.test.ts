import { describe, expect, it } from 'vitest';
import { describeKey, pairItems } from './pairing';
import { storedItem } from './testkit';
import type { KeyKind } from './types';

const item = (id: string, keyKind: KeyKind, itemKey: string, prompt = `p-${id}`) =>
  storedItem({ id, keyKind, itemKey, promptSha256: prompt });

describe('pairItems', () => {
  it.each<[KeyKind, string]>([
    ['doc-hash', 'gsm8k|strict-match|h1'],
    ['test-vars', 'pid|test 3|vars 0123456789abcdef'],
    ['sample-id', 'task|7|epoch 1'],
    ['id', 'safety-privacy-001'],
    ['prompt-hash', 'dan.Dan|ab…|#1|out 0'],
  ])('pairs by %s when both runs carry it throughout, whatever the prompts say', (kind, key) => {
    const b = [item('b1', kind, key, 'prompt A'), item('b2', kind, `${key}-x`, 'prompt B')];
    const s = [item('s1', kind, key, 'prompt changed'), item('s2', kind, `${key}-y`, 'prompt B')];
    const p = pairItems(b, s);
    expect(p.keyKind).toBe(kind);
    expect(p.pairs.map((x) => [x.baseline.id, x.suspect.id])).toEqual([['b1', 's1']]);
    expect(p.unmatchedBaseline.map((x) => x.id)).toEqual(['b2']);
    expect(p.unmatchedSuspect.map((x) => x.id)).toEqual(['s2']);
  });

  it('falls back to the prompt hash when the runs share no key kind (different tools)', () => {
    const b = [item('x', 'id', 'x', 'H1'), item('y', 'id', 'y', 'H2')];
    const s = [item('t0', 'test-vars', 'k0', 'H2'), item('t1', 'test-vars', 'k1', 'H3')];
    const p = pairItems(b, s);
    expect(p.keyKind).toBeNull();
    expect(describeKey(p.keyKind)).toMatch(/SHA-256 of the prompt text/);
    expect(p.pairs.map((x) => [x.baseline.id, x.suspect.id])).toEqual([['y', 't0']]);
  });

  it('pairs the first of repeated keys and reports the rest as duplicates; counts relabelled pairs', () => {
    const b = [item('a', 'id', 'a'), item('a-again', 'id', 'a'), item('c', 'id', 'c')];
    const s = [storedItem({ id: 'a', category: 'other' }), item('c', 'id', 'c'), item('c2', 'id', 'c')];
    const p = pairItems(b, s);
    expect(p.pairs.map((x) => [x.baseline.id, x.suspect.id])).toEqual([
      ['a', 'a'],
      ['c', 'c'],
    ]);
    expect(p.duplicatesBaseline.map((x) => x.id)).toEqual(['a-again']);
    expect(p.duplicatesSuspect.map((x) => x.id)).toEqual(['c2']);
    expect(p.relabelled).toBe(1);
  });
});
