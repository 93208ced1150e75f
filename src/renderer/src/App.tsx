import { useEffect, type MouseEvent } from 'react';
import { ErrorBoundary } from './components/ErrorBoundary';
import { CaseList } from './stages/cases/CaseList';
import { CaseWorkspace } from './workspace/CaseWorkspace';
import { CustodiansScreen } from './stages/custodians/CustodiansScreen';
import { connectJobEvents, useStore, type ThemeChoice } from './store';

export function App() {
  const route = useStore((s) => s.route);
  const info = useStore((s) => s.info);
  const loadInfo = useStore((s) => s.loadInfo);
  const navigate = useStore((s) => s.navigate);

  useEffect(() => {
    void loadInfo();
    const stop = connectJobEvents();
    const onPop = () => useStore.getState().setRouteFromHash();
    window.addEventListener('popstate', onPop);
    return () => {
      stop();
      window.removeEventListener('popstate', onPop);
    };
  }, [loadInfo]);

  const navigations = useStore((s) => s.navigations);
  useFocusHeadingOnNavigation(navigations, route.name === 'case' ? '.screen h2' : 'h1');

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header className="topbar">
        <a
          className="brand"
          href="#/cases"
          onClick={(e) => {
            e.preventDefault();
            navigate({ name: 'cases' });
          }}
        >
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          Probity
        </a>
        <nav className="breadcrumb" aria-label="Location">
          <a
            href="#/cases"
            aria-current={route.name === 'cases' ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate({ name: 'cases' });
            }}
          >
            Cases
          </a>
          {route.name === 'case' ? (
            <>
              <span aria-hidden="true" className="breadcrumb-sep">
                /
              </span>
              <span className="mono">{route.caseId}</span>
            </>
          ) : route.name === 'custodians' ? (
            <>
              <span aria-hidden="true" className="breadcrumb-sep">
                /
              </span>
              <span>Custodians</span>
            </>
          ) : null}
        </nav>
        <div className="topbar-right">
          {info.data ? (
            <span className="host-info" title={`Case folders under ${info.data.home}`}>
              <span className="badge badge-neutral">
                {info.data.mode === 'browser' ? 'Browser mode' : 'Desktop'}
              </span>
              <span>
                {info.data.actor}@{info.data.host}
              </span>
            </span>
          ) : info.error ? (
            <span className="badge badge-bad" title={info.error}>
              Host unavailable
            </span>
          ) : null}
          <a
            className="topbar-link"
            href="#/custodians"
            aria-current={route.name === 'custodians' ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate({ name: 'custodians' });
            }}
          >
            Custodians &amp; keys
          </a>
          <ThemeSelect />
        </div>
      </header>
      <main className="app-main" id="main" tabIndex={-1}>
        {route.name === 'cases' ? (
          <ErrorBoundary scope="the case list" key="cases">
            <CaseList />
          </ErrorBoundary>
        ) : route.name === 'custodians' ? (
          <ErrorBoundary scope="the custodians" key="custodians">
            <CustodiansScreen />
          </ErrorBoundary>
        ) : (
          <ErrorBoundary scope="the case workspace" key={`case:${route.caseId}`}>
            <CaseWorkspace caseId={route.caseId} stage={route.stage} selection={route.selection ?? null} />
          </ErrorBoundary>
        )}
      </main>
    </div>
  );
}

function ThemeSelect() {
  const theme = useStore((s) => s.theme);
  const setTheme = useStore((s) => s.setTheme);
  return (
    <label className="theme-select">
      <span>Theme</span>
      <select value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)} aria-label="Theme">
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/** The skip link moves the focus into the main content without touching the route in the hash. */
function skipToMain(e: MouseEvent<HTMLAnchorElement>): void {
  e.preventDefault();
  document.getElementById('main')?.focus();
}

/**
 * After a navigation (not the first page load) the focus moves to the new screen's heading, so a
 * keyboard or screen-reader user starts where the content starts instead of on the sidebar. Stages
 * load lazily: the heading is waited for (briefly) as it appears.
 */
function useFocusHeadingOnNavigation(navigations: number, selector: string): void {
  useEffect(() => {
    if (navigations === 0) return;
    const main = document.getElementById('main');
    if (!main) return;
    const focus = (): boolean => {
      const heading = main.querySelector<HTMLElement>(selector);
      if (!heading) return false;
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
      return true;
    };
    if (focus()) return;
    const observer = new MutationObserver(() => {
      if (focus()) observer.disconnect();
    });
    observer.observe(main, { childList: true, subtree: true });
    const timer = window.setTimeout(() => observer.disconnect(), 5000);
    return () => {
      observer.disconnect();
      window.clearTimeout(timer);
    };
  }, [navigations, selector]);
}
