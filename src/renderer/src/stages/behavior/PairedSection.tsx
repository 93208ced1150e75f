import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BehaviorComparison, BehaviorItemPair, BehaviorItemsPage } from '../../../../shared/behavior';
import { api } from '../../api/client';
import { ErrorPanel } from '../../components/Bits';
import { useLoadable } from '../../loadable';
import { DiscordanceMatrix } from './DiscordanceMatrix';
import { ScoreHistogram } from './ScoreHistogram';
import { ItemList } from './ItemList';
import { Selection } from './common';

export const PAGE = 100;

export function PairedSection({
  caseId,
  report,
  selection,
  onSelect,
}: {
  caseId: string;
  report: BehaviorComparison;
  selection: Selection;
  onSelect: (s: Selection) => void;
}) {
  const { state: page, load: loadPage } = useLoadable<BehaviorItemsPage>();
  const [items, setItems] = useState<(BehaviorItemPair | undefined)[]>([]);
  const loading = useRef(new Set<number>());
  const baseline = `#${report.baseline.id}`;
  const suspect = `#${report.suspect.id}`;
  const filter = useMemo(
    () => ({ suite: selection.suite, category: selection.category, transition: selection.transition }),
    [selection.suite, selection.category, selection.transition],
  );
  const generation = useRef(0);

  useEffect(() => {
    const gen = ++generation.current;
    loading.current = new Set([0]);
    void loadPage(() => api.behaviorItems({ caseId, baseline, suspect, filter, offset: 0, limit: PAGE }), {
      keep: true,
    }).then((p) => {
      if (!p || gen !== generation.current) return;
      const list: (BehaviorItemPair | undefined)[] = new Array<BehaviorItemPair | undefined>(p.total);
      p.items.forEach((it, i) => (list[i] = it));
      setItems(list);
    });
  }, [caseId, baseline, suspect, filter, report.findingsRunId, loadPage]);

  const need = useCallback(
    (index: number) => {
      const start = Math.floor(index / PAGE) * PAGE;
      if (loading.current.has(start)) return;
      loading.current.add(start);
      const gen = generation.current;
      api.behaviorItems({ caseId, baseline, suspect, filter, offset: start, limit: PAGE }).then(
        (p) => {
          if (gen !== generation.current) return;
          setItems((prev) => {
            const next = prev.slice();
            p.items.forEach((it, i) => (next[start + i] = it));
            return next;
          });
        },
        () => loading.current.delete(start),
      );
    },
    [caseId, baseline, suspect, filter],
  );

  const where = selection.category
    ? `${selection.suite} / ${selection.category}`
    : `all of ${selection.suite}`;
  const t = page.data?.transitions;
  return (
    <section
      className="integrity-section"
      aria-labelledby="behavior-paired-heading"
      data-testid="behavior-paired"
    >
      <header className="integrity-section-header">
        <h3 id="behavior-paired-heading">Paired items · {where}</h3>
        {selection.category ? (
          <button
            type="button"
            className="link-button"
            onClick={() => onSelect({ ...selection, category: null, transition: null })}
          >
            show all of {selection.suite}
          </button>
        ) : null}
      </header>
      {page.error ? <ErrorPanel title="Could not read the paired items" message={page.error} /> : null}
      <div className="behavior-pair-figures">
        <DiscordanceMatrix
          counts={t ?? null}
          selected={selection.transition}
          onPick={(transition) =>
            onSelect({ ...selection, transition: selection.transition === transition ? null : transition })
          }
        />
        <ScoreHistogram deltas={page.data?.scoreDeltas ?? null} where={where} />
      </div>
      <p className="muted behavior-list-caption" data-testid="behavior-items-count" aria-live="polite">
        {page.data
          ? `${page.data.total.toLocaleString('en-US')} pair${page.data.total === 1 ? '' : 's'}${selection.transition ? ` · ${selection.transition.replace('→', ' → ')}` : ''} · baseline left, suspect right; changed words highlighted`
          : page.loading
            ? 'Loading…'
            : ''}
        {selection.transition ? (
          <>
            {' '}
            <button
              type="button"
              className="link-button"
              onClick={() => onSelect({ ...selection, transition: null })}
            >
              clear the filter
            </button>
          </>
        ) : null}
      </p>
      <ItemList items={items} need={need} labels={[report.baseline.label, report.suspect.label]} />
    </section>
  );
}
