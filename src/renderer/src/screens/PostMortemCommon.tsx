/**
 * Pieces shared by the parts of the Post-mortem stage: the one-change-at-a-
 * time submit state of each form and the "recorded by" line that every
 * value of the incident record carries (each value is a custody event).
 */
import { useCallback, useState } from 'react';
import type { IncidentChangeArgs, RecordRef } from '../../../shared/incident';
import type { FormNote } from '../components/Bits';
import { utc } from '../format';

/** Record one change; resolves to the host's refusal (shown verbatim) or null when recorded. */
export type Update = (change: IncidentChangeArgs) => Promise<string | null>;

/** Busy flag and last message of one form that sends one change. */
export function useChange(update: Update) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormNote>(null);
  const send = useCallback(
    async (change: IncidentChangeArgs, done: string): Promise<boolean> => {
      setBusy(true);
      setMessage(null);
      const refused = await update(change);
      setBusy(false);
      setMessage(refused ? { tone: 'bad', text: refused } : { tone: 'ok', text: done });
      return refused === null;
    },
    [update],
  );
  return { busy, message, send, setMessage };
}

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

/** The current time as the forms propose it: UTC, to the second. */
export function nowUtc(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}
