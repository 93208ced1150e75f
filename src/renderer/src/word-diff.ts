/**
 * A word-level diff of two responses, for highlighting what the suspect said differently: the
 * longest common subsequence of the word tokens (whitespace kept as its own tokens so the text
 * reads as written). Quadratic, so each side is capped: past MAX_TOKENS the texts are shown
 * without highlighting rather than freezing the page.
 */
export interface DiffPart {
  text: string;
  /** 'same' on both sides; 'removed' only in a, 'added' only in b. */
  kind: 'same' | 'removed' | 'added';
}

export const MAX_TOKENS = 1500;

function tokens(s: string): string[] {
  return s.split(/(\s+)/).filter((t) => t !== '');
}

function push(parts: DiffPart[], text: string, kind: DiffPart['kind']): void {
  const last = parts[parts.length - 1];
  if (last && last.kind === kind) last.text += text;
  else parts.push({ text, kind });
}

/** The two sides of the diff: a's parts (same / removed) and b's parts (same / added). */
export function wordDiff(a: string, b: string): { a: DiffPart[]; b: DiffPart[]; compared: boolean } {
  const x = tokens(a);
  const y = tokens(b);
  if (x.length > MAX_TOKENS || y.length > MAX_TOKENS)
    return { a: [{ text: a, kind: 'same' }], b: [{ text: b, kind: 'same' }], compared: false };
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: length of the LCS of x[i..] and y[j..], in one flat array.
  const w = m + 1;
  const lcs = new Uint16Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * w + j] =
        x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  const pa: DiffPart[] = [];
  const pb: DiffPart[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      push(pa, x[i]!, 'same');
      push(pb, y[j]!, 'same');
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) push(pa, x[i++]!, 'removed');
    else push(pb, y[j++]!, 'added');
  }
  while (i < n) push(pa, x[i++]!, 'removed');
  while (j < m) push(pb, y[j++]!, 'added');
  // Whitespace alone is not a difference worth a highlight.
  for (const p of [...pa, ...pb]) if (p.kind !== 'same' && p.text.trim() === '') p.kind = 'same';
  return { a: pa, b: pb, compared: true };
}
