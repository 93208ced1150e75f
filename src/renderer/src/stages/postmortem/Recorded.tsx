import type { RecordRef } from '../../../../shared/incident';
import { utc } from '../../format';

/** "Recorded by ic at … (seq 41)", or that nothing is recorded yet. */
export function Recorded({
  recorded,
  none = 'Not recorded yet',
}: {
  recorded: RecordRef | null;
  none?: string;
}) {
  if (!recorded) return <span className="muted pm-recorded">{none}</span>;
  return (
    <span className="muted pm-recorded" title={`custody event seq ${recorded.seq}`}>
      Recorded by <strong>{recorded.actor}</strong> at {utc(recorded.at)} (seq {recorded.seq})
    </span>
  );
}
