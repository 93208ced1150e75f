/**
 * What every store slice is given: zustand's `set` and `get` over the whole state, and `load`, which
 * fetches into one Loadable of the state (latest request per key wins; a failed refresh keeps the
 * data it had). Each stage that keeps state beyond its screen has one slice, in its own folder.
 */
import type { Loadable } from './loadable';
import type { State } from './store';

export type SetState = (partial: Partial<State>) => void;
export type GetState = () => State;
export type Load = <T>(
  key: string,
  pick: (s: State) => Loadable<T> | undefined,
  put: (value: Loadable<T>) => Partial<State>,
  fetcher: () => Promise<T>,
) => Promise<void>;

export type SliceCreator<T> = (set: SetState, get: GetState, load: Load) => T;
