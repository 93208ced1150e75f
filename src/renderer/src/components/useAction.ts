import { useCallback, useState } from 'react';
import { describeError } from '../api/client';
import type { FormNote } from './Bits';

/**
 * The busy flag and the last message of a form that calls the host: `run(work)` shows what `work`
 * resolves to (nothing when it resolves to null), or the host's error as `describe` words it (by
 * default the host's message with the file it names); it resolves to
 * whether the work succeeded. `fail(text)` shows a problem found before calling the host; `error`
 * is the message when it is one.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormNote>(null);
  const run = useCallback(
    async (
      work: () => Promise<string | null>,
      describe: (err: unknown) => string = describeError,
    ): Promise<boolean> => {
      setBusy(true);
      setMessage(null);
      try {
        const text = await work();
        setMessage(text === null ? null : { tone: 'ok', text });
        return true;
      } catch (err) {
        setMessage({ tone: 'bad', text: describe(err) });
        return false;
      } finally {
        setBusy(false);
      }
    },
    [],
  );
  const fail = useCallback((text: string) => setMessage({ tone: 'bad', text }), []);
  const error = message?.tone === 'bad' ? message.text : null;
  return { busy, message, error, run, fail, setMessage };
}
