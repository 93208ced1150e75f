/**
 * The UI's state: what the host told us (cases, overviews, evidence, custody), the jobs running on
 * the host and their last progress, the route and the theme. Everything the host owns is fetched
 * again after a job finishes rather than patched locally: the core is the source of truth.
 * The window's own state (info, route, theme) and the jobs live here; what a stage keeps beyond its
 * screen is that stage's slice (stages/<stage>/slice.ts), composed below.
 */
import { create } from 'zustand';
import type { AppInfo, JobEvent } from '../../shared/contract';
import { api, errorMessage } from './api/client';
import { newJob, type JobState } from './jobs';
import { idle, type Loadable } from './loadable';
import type { Load } from './slice';
import { createCasesSlice, type CasesSlice } from './stages/cases/slice';
import { createCustodySlice, type CustodySlice } from './stages/custody/slice';
import { createEvidenceSlice, type EvidenceSlice } from './stages/evidence/slice';
import { createIngestSlice, type IngestSlice } from './stages/ingest/slice';
import { createOverviewSlice, type OverviewSlice } from './stages/overview/slice';

export type { JobState } from './jobs';
export { DEFAULT_EVIDENCE_VIEW, type EvidenceView, type SortKey } from './stages/evidence/slice';

export type Stage = 'overview' | 'evidence' | 'integrity' | 'behavior' | 'audit' | 'postmortem' | 'custody';
export const STAGES: { id: Stage; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'evidence', label: 'Evidence' },
  { id: 'integrity', label: 'Integrity' },
  { id: 'behavior', label: 'Behavior' },
  { id: 'audit', label: 'Audit' },
  { id: 'postmortem', label: 'Post-mortem' },
  { id: 'custody', label: 'Custody log' },
];

export type Route =
  | { name: 'cases' }
  | { name: 'custodians' }
  /** `selection`: what is selected in the stage (an evidence path), kept in the address too. */
  | { name: 'case'; caseId: string; stage: Stage; selection?: string };

export type ThemeChoice = 'system' | 'light' | 'dark';
const THEME_KEY = 'probity.theme';

function readTheme(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: ThemeChoice): void {
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}

// ---------------------------------------------------------------------------------------------
// Routes live in the address hash so a reload keeps the user where they were.

const STAGE_IDS = new Set<string>(STAGES.map((s) => s.id));

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'case' && parts[1]) {
    const stage = parts[2] && STAGE_IDS.has(parts[2]) ? (parts[2] as Stage) : 'overview';
    const selection = parts[2] && STAGE_IDS.has(parts[2]) ? parts[3] : undefined;
    return selection
      ? { name: 'case', caseId: parts[1], stage, selection }
      : { name: 'case', caseId: parts[1], stage };
  }
  if (parts[0] === 'custodians') return { name: 'custodians' };
  return { name: 'cases' };
}

export function routeHash(route: Route): string {
  if (route.name === 'cases') return '#/cases';
  if (route.name === 'custodians') return '#/custodians';
  const base = `#/case/${encodeURIComponent(route.caseId)}/${route.stage}`;
  return route.selection ? `${base}/${encodeURIComponent(route.selection)}` : base;
}

// ---------------------------------------------------------------------------------------------

/** The window's own state and the host's jobs; the stages' slices are added to it. */
interface AppState {
  info: Loadable<AppInfo>;
  route: Route;
  theme: ThemeChoice;
  jobs: Record<string, JobState>;
  /** Counts navigations (links, back/forward): each one moves the focus to the new screen's heading. */
  navigations: number;

  navigate(route: Route): void;
  /** Record what is selected in the current stage in the address (replacing it, not a new entry). */
  select(selection: string | null): void;
  setRouteFromHash(): void;
  setTheme(theme: ThemeChoice): void;
  loadInfo(): Promise<void>;
  /** After a job or a change: the overview again, and the lists already fetched. */
  refreshCase(caseId: string): void;
  cancelJob(jobId: string): Promise<void>;
  applyJobEvent(event: JobEvent): void;
}

export type State = AppState & CasesSlice & OverviewSlice & EvidenceSlice & CustodySlice & IngestSlice;

// Each key's latest request wins: an older answer arriving late never overwrites a newer one.
const latest = new Map<string, number>();
let requestCounter = 0;

export const useStore = create<State>()((set, get) => {
  const load: Load<State> = async (key, pick, put, fetcher) => {
    const n = ++requestCounter;
    latest.set(key, n);
    const before = pick(get()) ?? idle();
    set(put({ ...before, loading: true }));
    try {
      const data = await fetcher();
      if (latest.get(key) === n) set(put({ data, loading: false, error: null }));
    } catch (err) {
      if (latest.get(key) === n) set(put({ data: before.data, loading: false, error: errorMessage(err) }));
    }
  };

  return {
    ...createCasesSlice(set, get, load),
    ...createOverviewSlice(set, get, load),
    ...createEvidenceSlice(set, get, load),
    ...createCustodySlice(set, get, load),
    ...createIngestSlice(set, get, load),

    info: idle(),
    route: parseHash(window.location.hash),
    theme: readTheme(),
    jobs: {},
    navigations: 0,

    navigate(route) {
      const hash = routeHash(route);
      if (window.location.hash !== hash) window.history.pushState(null, '', hash);
      set({ route, navigations: get().navigations + 1 });
    },
    select(selection) {
      const route = get().route;
      if (route.name !== 'case' || (route.selection ?? null) === selection) return;
      const next: Route = { name: 'case', caseId: route.caseId, stage: route.stage };
      if (selection) next.selection = selection;
      window.history.replaceState(null, '', routeHash(next));
      set({ route: next });
    },
    setRouteFromHash() {
      set({
        route: parseHash(window.location.hash),
        ingestDialog: null,
        navigations: get().navigations + 1,
      });
    },
    setTheme(theme) {
      try {
        if (theme === 'system') window.localStorage.removeItem(THEME_KEY);
        else window.localStorage.setItem(THEME_KEY, theme);
      } catch {
        // Not persisted; still applied for this session.
      }
      applyTheme(theme);
      set({ theme });
    },

    loadInfo: () =>
      load(
        'info',
        (s) => s.info,
        (info) => ({ info }),
        () => api.appInfo(),
      ),
    refreshCase(caseId) {
      const s = get();
      void s.loadOverview(caseId);
      // Lists already fetched are kept fresh; lists never opened load when their screen opens.
      if (s.evidence[caseId]) void s.loadEvidence(caseId);
      if (s.custody[caseId]) void s.loadCustody(caseId);
      void s.loadCases();
    },

    async cancelJob(jobId) {
      await api.cancelJob({ jobId });
    },
    applyJobEvent(event) {
      const jobs = get().jobs;
      const job = jobs[event.jobId] ?? newJob(event.jobId, event.caseId, event.kind, null);
      let next: JobState;
      if (event.type === 'progress') {
        if (job.status !== 'running') return; // a late progress tick after the end
        next = { ...job, progress: event.progress };
      } else if (event.type === 'finished') {
        next =
          event.kind === 'ingest'
            ? { ...job, status: 'finished', summary: event.summary }
            : { ...job, status: 'finished', report: event.report };
      } else {
        next = {
          ...job,
          status: event.error.code === 'cancelled' ? 'cancelled' : 'failed',
          error: event.error,
        };
      }
      set({ jobs: { ...jobs, [event.jobId]: next } });
      if (event.type !== 'progress') get().refreshCase(event.caseId);
    },
  };
});

/** Subscribe the store to the host's job events; returns the unsubscribe function. */
export function connectJobEvents(): () => void {
  return api.onJobEvent((event) => useStore.getState().applyJobEvent(event));
}
