/** A line diff as the host recorded it (core/integrity/line-diff.ts): baseline −, case +. */
export interface DiffLineView {
  op: string;
  text: string;
}

export function asDiffLines(v: unknown): DiffLineView[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((l) =>
    l && typeof l === 'object' && typeof (l as DiffLineView).text === 'string'
      ? [{ op: String((l as DiffLineView).op), text: (l as DiffLineView).text }]
      : [],
  );
}

export function LineDiffView({ lines, label }: { lines: DiffLineView[]; label: string }) {
  if (lines.length === 0) return <p className="muted">Identical.</p>;
  return (
    <pre className="line-diff" aria-label={label}>
      {lines.map((l, i) => (
        <div key={i} className={l.op === '+' ? 'diff-add' : l.op === '-' ? 'diff-del' : undefined}>
          {l.op === '+' ? '+ ' : l.op === '-' ? '− ' : '  '}
          {l.text}
        </div>
      ))}
    </pre>
  );
}
