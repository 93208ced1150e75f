import { describe, expect, it } from 'vitest';
import { labelForKey, typingIn } from './audit-keys';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('review keys', () => {
  it('maps H, B, U, E to the four labels, either case', () => {
    expect(['h', 'b', 'u', 'e', 'H', 'B'].map((k) => labelForKey(key(k)))).toEqual([
      'harmful',
      'benign',
      'unsure',
      'escalate',
      'harmful',
      'benign',
    ]);
  });

  it('ignores other keys and any modifier', () => {
    expect(labelForKey(key('x'))).toBeNull();
    expect(labelForKey(key('Enter'))).toBeNull();
    expect(labelForKey(key('b', { ctrlKey: true }))).toBeNull();
    expect(labelForKey(key('h', { metaKey: true }))).toBeNull();
    expect(labelForKey(key('e', { altKey: true }))).toBeNull();
  });

  it('never labels while the reviewer types in a field', () => {
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT']) expect(typingIn({ tagName })).toBe(true);
    expect(typingIn({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(typingIn({ tagName: 'BUTTON' })).toBe(false);
    expect(typingIn(null)).toBe(false);
  });
});
