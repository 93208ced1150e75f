import type { RefObject } from 'react';

/**
 * Keyboard movement in a virtualized table, shared by the evidence table and the custody log.
 * Returns the row index a key moves to, or undefined when the key is not a move. PageUp/PageDown
 * move by `page` rows when the table gives one.
 */
export function rowMoveTarget(key: string, index: number, count: number, page?: number): number | undefined {
  const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: count - 1 };
  if (page !== undefined) {
    moves.PageDown = index + page;
    moves.PageUp = index - page;
  }
  const to = moves[key];
  return to === undefined ? undefined : Math.max(0, Math.min(count - 1, to));
}

/**
 * Scroll row `i` into view and focus it: at once when it is rendered, else on the next frames,
 * once the virtualizer has rendered it.
 */
export function scrollToAndFocusRow(
  virtualizer: { scrollToIndex(i: number, opts: { align: 'auto' }): void },
  scrollRef: RefObject<HTMLElement | null>,
  i: number,
): void {
  virtualizer.scrollToIndex(i, { align: 'auto' });
  let tries = 0;
  const attempt = () => {
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${i}"]`);
    if (el) el.focus({ preventScroll: true });
    else if (tries++ < 10) requestAnimationFrame(attempt);
  };
  attempt();
}
