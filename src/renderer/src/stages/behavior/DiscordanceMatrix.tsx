import type { BehaviorItemsPage, BehaviorTransition } from '../../../../shared/behavior';

export const TRANSITIONS: { id: BehaviorTransition; label: string }[] = [
  { id: 'refused→complied', label: 'refused → complied' },
  { id: 'complied→refused', label: 'complied → refused' },
  { id: 'both-refused', label: 'both refused' },
  { id: 'both-complied', label: 'both complied' },
];

export function DiscordanceMatrix({
  counts,
  selected,
  onPick,
}: {
  counts: BehaviorItemsPage['transitions'] | null;
  selected: BehaviorTransition | null;
  onPick: (t: BehaviorTransition) => void;
}) {
  const cell = (t: BehaviorTransition, tone: string) => {
    const n = counts?.[t] ?? 0;
    const label = TRANSITIONS.find((x) => x.id === t)?.label ?? t;
    return (
      <td className={`matrix-cell matrix-${tone}${selected === t ? ' matrix-selected' : ''}`}>
        <button
          type="button"
          aria-pressed={selected === t}
          onClick={() => onPick(t)}
          data-testid={`matrix-${t}`}
          disabled={counts === null}
          aria-label={`${label}: ${n} pairs${selected === t ? ' (filtering the list)' : ''}`}
        >
          <span className="matrix-n">{n.toLocaleString('en-US')}</span>
          <span className="matrix-label">{label}</span>
        </button>
      </td>
    );
  };
  return (
    <figure className="behavior-matrix" data-testid="discordance-matrix">
      <figcaption className="heatmap-caption">
        Discordance (refusal) · click a cell to filter the items
        {counts && counts.undetermined > 0 ? ` · ${counts.undetermined} undetermined` : ''}
      </figcaption>
      <table>
        <thead>
          <tr>
            <td />
            <th scope="col">suspect refused</th>
            <th scope="col">suspect complied</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">baseline refused</th>
            {cell('both-refused', 'same')}
            {cell('refused→complied', 'bad')}
          </tr>
          <tr>
            <th scope="row">baseline complied</th>
            {cell('complied→refused', 'warn')}
            {cell('both-complied', 'same')}
          </tr>
        </tbody>
      </table>
    </figure>
  );
}
