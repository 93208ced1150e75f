import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What failed, for the heading: "the application", "the Evidence screen". */
  scope: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** Never a blank window: a render error shows what broke and a way back. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`Probity: ${this.props.scope} failed to render`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="crash" role="alert" data-testid="error-boundary">
        <h2>Something went wrong in {this.props.scope}</h2>
        <p className="crash-message">{error.message || error.name}</p>
        <p className="muted">
          No evidence was changed: the case store is only written by the workstation host.
        </p>
        <div className="button-row">
          <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
            Reload
          </button>
          <button type="button" className="btn" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
        {error.stack ? (
          <details>
            <summary>Technical details</summary>
            <pre className="crash-stack">{error.stack}</pre>
          </details>
        ) : null}
      </div>
    );
  }
}
