/**
 * The UI's state: what the host told us (cases, overviews, evidence, custody), the jobs running on
 * the host and their last progress, the route and the theme. Everything the host owns is fetched
 * again after a job finishes rather than patched locally: the core is the source of truth.
 */
import { create } from 'zustand';
import type { ApiError, AppInfo, JobEvent, JobKind } from '../../shared/contract';
import type {
  CaseOverview,
  CaseSummary,
  CustodyEvent,
  EvidenceItem,
  EvidenceKind,
  IngestSummary,
  ManifestStatus,
  Progress,
  VerifyReport,
} from '../../shared/domain';
import { api, errorMessage } from './api/client';
import { idle, type Loadable } from './loadable';

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
  { name: 'cases' } | { name: 'custodians' } | { name: 'case'; caseId: string; stage: Stage };

export interface JobState {
  jobId: string;
  caseId: string;
  kind: JobKind;
  status: 'running' | 'finished' | 'failed' | 'cancelled';
  progress: Progress | null;
  summary: IngestSummary | null;
  report: VerifyReport | null;
  error: ApiError | null;
  /** What the ingest was started on, for the dialog's title. */
  bundle: string | null;
}

export type SortKey = 'path' | 'kind' | 'size' | 'sha256' | 'manifest';
export interface EvidenceView {
  kind: EvidenceKind | 'all';
  status: ManifestStatus | 'all';
  text: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
}
export const DEFAULT_EVIDENCE_VIEW: EvidenceView = {
  kind: 'all',
  status: 'all',
  text: '',
  sort: 'path',
  dir: 'asc',
};

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
    return { name: 'case', caseId: parts[1], stage };
  }
  if (parts[0] === 'custodians') return { name: 'custodians' };
  return { name: 'cases' };
}

export function routeHash(route: Route): string {
  if (route.name === 'cases') return '#/cases';
  if (route.name === 'custodians') return '#/custodians';
  return `#/case/${encodeURIComponent(route.caseId)}/${route.stage}`;
}

// ---------------------------------------------------------------------------------------------

interface State {
  info: Loadable<AppInfo>;
  route: Route;
  theme: ThemeChoice;
  cases: Loadable<CaseSummary[]>;
  overviews: Record<string, Loadable<CaseOverview>>;
  evidence: Record<string, Loadable<EvidenceItem[]>>;
  custody: Record<string, Loadable<CustodyEvent[]>>;
  jobs: Record<string, JobState>;
  /** The latest verify job started from this window, per case. */
  verifyJobOf: Record<string, string>;
  ingestDialog: { caseId: string; jobId: string | null } | null;
  /** Filters and sort of the Evidence screen, kept per case while the window is open. */
  evidenceViews: Record<string, EvidenceView>;

  navigate(route: Route): void;
  setRouteFromHash(): void;
  setTheme(theme: ThemeChoice): void;
  loadInfo(): Promise<void>;
  loadCases(): Promise<void>;
  loadOverview(caseId: string): Promise<void>;
  loadEvidence(caseId: string): Promise<void>;
  loadCustody(caseId: string): Promise<void>;
  refreshCase(caseId: string): void;
  startIngest(caseId: string, bundle: string): Promise<string>;
  startVerify(caseId: string): Promise<string>;
  cancelJob(jobId: string): Promise<void>;
  applyJobEvent(event: JobEvent): void;
  openIngest(caseId: string, jobId?: string | null): void;
  setIngestJob(jobId: string | null): void;
  closeIngest(): void;
  setEvidenceView(caseId: string, patch: Partial<EvidenceView>): void;
}

// Each key's latest request wins: an older answer arriving late never overwrites a newer one.
const latest = new Map<string, number>();
let requestCounter = 0;

export const useStore = create<State>()((set, get) => {
  async function load<T>(
    key: string,
    pick: (s: State) => Loadable<T> | undefined,
    put: (value: Loadable<T>) => Partial<State>,
    fetcher: () => Promise<T>,
  ): Promise<void> {
    const n = ++requestCounter;
    latest.set(key, n);
    const before = pick(get()) ?? idle<T>();
    set(put({ ...before, loading: true }));
    try {
      const data = await fetcher();
      if (latest.get(key) === n) set(put({ data, loading: false, error: null }));
    } catch (err) {
      if (latest.get(key) === n) set(put({ data: before.data, loading: false, error: errorMessage(err) }));
    }
  }

  function newJob(jobId: string, caseId: string, kind: JobKind, bundle: string | null): JobState {
    return {
      jobId,
      caseId,
      kind,
      status: 'running',
      progress: null,
      summary: null,
      report: null,
      error: null,
      bundle,
    };
  }

  return {
    info: idle(),
    route: parseHash(window.location.hash),
    theme: readTheme(),
    cases: idle(),
    overviews: {},
    evidence: {},
    custody: {},
    jobs: {},
    verifyJobOf: {},
    ingestDialog: null,
    evidenceViews: {},

    navigate(route) {
      const hash = routeHash(route);
      if (window.location.hash !== hash) window.history.pushState(null, '', hash);
      set({ route });
    },
    setRouteFromHash() {
      set({ route: parseHash(window.location.hash), ingestDialog: null });
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
    loadCases: () =>
      load(
        'cases',
        (s) => s.cases,
        (cases) => ({ cases }),
        () => api.listCases(),
      ),
    loadOverview: (caseId) =>
      load(
        `overview:${caseId}`,
        (s) => s.overviews[caseId],
        (v) => ({ overviews: { ...get().overviews, [caseId]: v } }),
        () => api.caseOverview({ caseId }),
      ),
    loadEvidence: (caseId) =>
      load(
        `evidence:${caseId}`,
        (s) => s.evidence[caseId],
        (v) => ({ evidence: { ...get().evidence, [caseId]: v } }),
        () => api.listEvidence({ caseId }),
      ),
    loadCustody: (caseId) =>
      load(
        `custody:${caseId}`,
        (s) => s.custody[caseId],
        (v) => ({ custody: { ...get().custody, [caseId]: v } }),
        () => api.custodyLog({ caseId }),
      ),
    refreshCase(caseId) {
      const s = get();
      void s.loadOverview(caseId);
      // Lists already fetched are kept fresh; lists never opened load when their screen opens.
      if (s.evidence[caseId]) void s.loadEvidence(caseId);
      if (s.custody[caseId]) void s.loadCustody(caseId);
      void s.loadCases();
    },

    async startIngest(caseId, bundle) {
      const { jobId } = await api.startIngest({ caseId, bundle });
      // Events may have arrived before this answer: keep what they recorded.
      const existing = get().jobs[jobId];
      set({
        jobs: {
          ...get().jobs,
          [jobId]: existing ? { ...existing, bundle } : newJob(jobId, caseId, 'ingest', bundle),
        },
      });
      return jobId;
    },
    async startVerify(caseId) {
      const { jobId } = await api.startVerify({ caseId });
      const existing = get().jobs[jobId];
      set({
        jobs: { ...get().jobs, [jobId]: existing ?? newJob(jobId, caseId, 'verify', null) },
        verifyJobOf: { ...get().verifyJobOf, [caseId]: jobId },
      });
      return jobId;
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

    openIngest(caseId, jobId = null) {
      set({ ingestDialog: { caseId, jobId } });
    },
    setIngestJob(jobId) {
      const d = get().ingestDialog;
      if (d) set({ ingestDialog: { ...d, jobId } });
    },
    closeIngest() {
      set({ ingestDialog: null });
    },
    setEvidenceView(caseId, patch) {
      const views = get().evidenceViews;
      set({
        evidenceViews: { ...views, [caseId]: { ...(views[caseId] ?? DEFAULT_EVIDENCE_VIEW), ...patch } },
      });
    },
  };
});

/** Subscribe the store to the host's job events; returns the unsubscribe function. */
export function connectJobEvents(): () => void {
  return api.onJobEvent((event) => useStore.getState().applyJobEvent(event));
}
