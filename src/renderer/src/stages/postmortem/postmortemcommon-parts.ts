import { useCallback, useState } from 'react';
import type { IncidentChangeArgs } from '../../../../shared/incident';
import type { FormNote } from '../../components/Bits';

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

/** The current time as the forms propose it: UTC, to the second. */
export function nowUtc(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}
