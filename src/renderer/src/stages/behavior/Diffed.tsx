import type { DiffPart } from '../../word-diff';

export function Diffed({ parts }: { parts: DiffPart[] }) {
  return (
    <div className="pair-text">
      {parts.map((p, i) =>
        p.kind === 'same' ? (
          <span key={i}>{p.text}</span>
        ) : p.kind === 'removed' ? (
          <del key={i} className="diff-removed">
            {p.text}
          </del>
        ) : (
          <ins key={i} className="diff-added">
            {p.text}
          </ins>
        ),
      )}
    </div>
  );
}
