import { useCallback, useState } from 'react';
import { describeError } from '../api/client';
import type { FormNote } from './Bits';

/**
 * The busy flag and the last message of a form that calls the host: `run(work)` shows what `work`
 * resolves to, or the host's error as it said it; it resolves to whether the work succeeded.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormNote>(null);
  const run = useCallback(async (work: () => Promise<string>): Promise<boolean> => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ tone: 'ok', text: await work() });
      return true;
    } catch (err) {
      setMessage({ tone: 'bad', text: describeError(err) });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, message, run, setMessage };
}
