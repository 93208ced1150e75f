/**
 * Pieces shared by the parts of the Post-mortem stage: the one-change-at-a-time submit state of each
 * form and the time the forms propose. The "recorded by" line is Recorded.tsx.
 */
import { useCallback } from 'react';
import { errorMessage } from '../../api/client';
import { useAction } from '../../components/useAction';
import type { IncidentChangeArgs } from '../../../../shared/incident';

/** Record one change; resolves to the host's refusal (shown verbatim) or null when recorded. */
export type Update = (change: IncidentChangeArgs) => Promise<string | null>;

/** Busy flag and last message of one form that sends one change: `useAction` around `update`. */
export function useChange(update: Update) {
  const { busy, message, run, setMessage } = useAction();
  const send = useCallback(
    (change: IncidentChangeArgs, done: string): Promise<boolean> =>
      run(async () => {
        const refused = await update(change);
        if (refused !== null) throw new Error(refused);
        return done;
      }, errorMessage),
    [run, update],
  );
  return { busy, message, send, setMessage };
}

/** The current time as the forms propose it: UTC, to the second. */
export function nowUtc(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}
