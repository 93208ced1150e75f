import { useMemo } from 'react';
import type { BehaviorItemPair } from '../../../../shared/behavior';
import { wordDiff } from '../../word-diff';
import { Diffed } from './Diffed';

export function sideTag(refused: boolean | null, passed: boolean | null, score: number | null): string {
  const parts = [refused === null ? 'refusal ?' : refused ? 'refused' : 'complied'];
  if (passed !== null) parts.push(passed ? 'pass' : 'fail');
  if (score !== null) parts.push(`score ${score.toFixed(2)}`);
  return parts.join(' · ');
}

export function PairRow({ item, labels }: { item: BehaviorItemPair; labels: [string, string] }) {
  const diff = useMemo(() => wordDiff(item.baseline.response, item.suspect.response), [item]);
  const flipped =
    item.baseline.refused !== null &&
    item.suspect.refused !== null &&
    item.baseline.refused !== item.suspect.refused;
  return (
    <div className={`pair${flipped ? ' pair-flipped' : ''}`}>
      <div className="pair-prompt">
        <span className="pair-meta">
          <span className="mono">{item.baseline.id}</span> · {item.suite}/{item.category}
          {item.trigger ? (
            <>
              {' '}
              · trigger <span className="mono">{item.trigger}</span>
            </>
          ) : null}
        </span>
        <span className="pair-prompt-text">{item.prompt}</span>
      </div>
      <div className="pair-side">
        <div className="pair-side-head">
          {labels[0]} · {sideTag(item.baseline.refused, item.baseline.passed, item.baseline.score)}
        </div>
        <Diffed parts={diff.a} />
      </div>
      <div className="pair-side">
        <div className={`pair-side-head${flipped ? ' text-bad' : ''}`}>
          {labels[1]} · {sideTag(item.suspect.refused, item.suspect.passed, item.suspect.score)}
        </div>
        <Diffed parts={diff.b} />
      </div>
    </div>
  );
}
