/**
 * What every store slice is given: zustand's `set` and `get`, and `load`, which fetches into one
 * Loadable of the state (latest request per key wins; a failed refresh keeps the data it had). Each
 * stage that keeps state beyond its screen has one slice, in its own folder.
 *
 * A slice sees its own state plus what it names in `Needs` (the jobs, say), not the whole store:
 * store.ts composes the slices, so a slice typed against the composed state would import it back.
 */
import type { JobState } from './jobs';
import type { Loadable } from './loadable';

export type SetState<S> = (partial: Partial<S>) => void;
export type GetState<S> = () => S;
export type Load<S> = <T>(
  key: string,
  pick: (s: S) => Loadable<T> | undefined,
  put: (value: Loadable<T>) => Partial<S>,
  fetcher: () => Promise<T>,
) => Promise<void>;

export type SliceCreator<T, Needs = unknown> = (
  set: SetState<T & Needs>,
  get: GetState<T & Needs>,
  load: Load<T & Needs>,
) => T;

/** For slices that start or follow host jobs. */
export interface WithJobs {
  jobs: Record<string, JobState>;
}
