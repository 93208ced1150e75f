import { describe, expect, it } from 'vitest';
import { rowMoveTarget } from './rowKeys';

describe('rowMoveTarget', () => {
  it('moves by one, to the ends, and by a page when the table has one, clamped to the rows', () => {
    expect(rowMoveTarget('ArrowDown', 3, 10)).toBe(4);
    expect(rowMoveTarget('ArrowUp', 0, 10)).toBe(0);
    expect(rowMoveTarget('End', 3, 10)).toBe(9);
    expect(rowMoveTarget('Home', 3, 10)).toBe(0);
    expect(rowMoveTarget('PageDown', 3, 10, 5)).toBe(8);
    expect(rowMoveTarget('PageDown', 8, 10, 5)).toBe(9);
    expect(rowMoveTarget('PageUp', 3, 10, 5)).toBe(0);
  });

  it('is not a move for other keys, nor PageDown in a table without pages', () => {
    expect(rowMoveTarget('Enter', 3, 10)).toBeUndefined();
    expect(rowMoveTarget('PageDown', 3, 10)).toBeUndefined();
  });
});
