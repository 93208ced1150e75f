/**
 * What the UI holds of anything the host answers: its data once it came, whether a request is on
 * its way, and the host's error as the screens show it. The store's lists and every screen's local
 * sections share this one shape.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from './api/client';

export interface Loadable<T> {
  data: T | null;
  loading: boolean;
  error: string | null;
}

export const idle = <T>(): Loadable<T> => ({ data: null, loading: false, error: null });
export const loaded = <T>(data: T | null): Loadable<T> => ({ data, loading: false, error: null });

export interface LoadOptions {
  keep?: boolean;
  keepOnError?: boolean;
}

export interface LoadableHandle<T> {
  state: Loadable<T>;
  /**
   * Fetch and hold the answer (or the error). The latest call wins: an answer arriving after a newer
   * call, a reset or the unmount is dropped. `keep` shows the data held so far while loading;
   * `keepOnError` also keeps it beside the error (a failed refresh of something already shown).
   * Resolves to the data this call brought, or null (failed, or overtaken by a newer call).
   */
  load: (fetch: () => Promise<T | null>, opts?: LoadOptions) => Promise<T | null>;
  /** Hold an answer obtained elsewhere (a form's result). */
  set: (data: T) => void;
  reset: () => void;
}

/** A screen-local Loadable with latest-wins loading; `load`, `set` and `reset` never change identity. */
export function useLoadable<T>(): LoadableHandle<T> {
  const [state, setState] = useState<Loadable<T>>(idle);
  const generation = useRef(0);
  useEffect(
    () => () => {
      generation.current++;
    },
    [],
  );
  const load = useCallback(async (fetch: () => Promise<T | null>, opts?: LoadOptions) => {
    const gen = ++generation.current;
    setState((s) => ({ data: opts?.keep ? s.data : null, loading: true, error: null }));
    try {
      const data = await fetch();
      if (gen !== generation.current) return null;
      setState(loaded(data));
      return data;
    } catch (err) {
      if (gen === generation.current)
        setState((s) => ({
          data: opts?.keepOnError ? s.data : null,
          loading: false,
          error: describeError(err),
        }));
      return null;
    }
  }, []);
  const set = useCallback((data: T) => {
    generation.current++;
    setState(loaded(data));
  }, []);
  const reset = useCallback(() => {
    generation.current++;
    setState(idle());
  }, []);
  return { state, load, set, reset };
}
