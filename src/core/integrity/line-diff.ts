/**
 * A line diff of two texts (a template against the baseline's, a rendered prompt against the
 * baseline's rendering): the common head and tail are set aside, the middle is aligned by the
 * longest common subsequence of its lines, and unchanged runs are cut to a few lines of context.
 * The alignment is quadratic, so a middle above MAX_CELLS is shown as removed-then-added whole
 * (`aligned: false` says so) rather than stalling the check.
 */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  aligned: boolean;
}

const MAX_CELLS = 4_000_000;
const CONTEXT = 3;
const MAX_LINES_SHOWN = 400;

export function splitLines(s: string): string[] {
  return s.split(/\r?\n/);
}

export function lineDiff(a: string, b: string): LineDiff {
  const x = splitLines(a);
  const y = splitLines(b);
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (
    tail < x.length - head &&
    tail < y.length - head &&
    x[x.length - 1 - tail] === y[y.length - 1 - tail]
  )
    tail++;
  const xm = x.slice(head, x.length - tail);
  const ym = y.slice(head, y.length - tail);
  const middle: DiffLine[] = [];
  let aligned = true;
  if ((xm.length + 1) * (ym.length + 1) > MAX_CELLS) {
    aligned = false;
    for (const t of xm) middle.push({ op: '-', text: t });
    for (const t of ym) middle.push({ op: '+', text: t });
  } else {
    const n = xm.length;
    const m = ym.length;
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i * w + j] =
          xm[i] === ym[j]
            ? lcs[(i + 1) * w + j + 1]! + 1
            : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (xm[i] === ym[j]) {
        middle.push({ op: ' ', text: xm[i]! });
        i++;
        j++;
      } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) middle.push({ op: '-', text: xm[i++]! });
      else middle.push({ op: '+', text: ym[j++]! });
    }
    while (i < n) middle.push({ op: '-', text: xm[i++]! });
    while (j < m) middle.push({ op: '+', text: ym[j++]! });
  }
  const all: DiffLine[] = [
    ...x.slice(0, head).map((text) => ({ op: ' ' as const, text })),
    ...middle,
    ...x.slice(x.length - tail).map((text) => ({ op: ' ' as const, text })),
  ];
  const added = all.filter((l) => l.op === '+').length;
  const removed = all.filter((l) => l.op === '-').length;
  return { lines: withContext(all), added, removed, aligned };
}

/** Keep the changed lines and CONTEXT lines around each; elided runs become one `…` line. */
function withContext(all: readonly DiffLine[]): DiffLine[] {
  const keep = new Uint8Array(all.length);
  all.forEach((l, i) => {
    if (l.op === ' ') return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(all.length - 1, i + CONTEXT); k++) keep[k] = 1;
  });
  const out: DiffLine[] = [];
  let skipped = 0;
  for (let i = 0; i < all.length; i++) {
    if (keep[i]) {
      if (skipped) out.push({ op: ' ', text: `… ${skipped} unchanged line${skipped === 1 ? '' : 's'}` });
      skipped = 0;
      const line = all[i]!;
      out.push(
        line.text.length > 2000
          ? { op: line.op, text: `${line.text.slice(0, 2000)}… (${line.text.length} characters)` }
          : line,
      );
    } else skipped++;
    if (out.length >= MAX_LINES_SHOWN) {
      out.push({ op: ' ', text: `… diff cut at ${MAX_LINES_SHOWN} lines` });
      return out;
    }
  }
  if (skipped && out.length)
    out.push({ op: ' ', text: `… ${skipped} unchanged line${skipped === 1 ? '' : 's'}` });
  return out;
}
