import type { ProvenanceResult } from '../../../../shared/integrity';
import { ErrorPanel, Spinner } from '../../components/Bits';
import type { Loadable } from '../../loadable';
import { StatusBadge } from './StatusBadge';
import { ProvenanceView } from './ProvenanceView';

export function ProvenanceSection({ state }: { state: Loadable<ProvenanceResult> }) {
  const r = state.data;
  if (!r && !state.loading && !state.error) return null;
  return (
    <section
      className="integrity-section"
      aria-labelledby="provenance-heading"
      data-testid="integrity-provenance"
    >
      <header className="integrity-section-header">
        <h3 id="provenance-heading">Provenance chain</h3>
        {r ? (
          <span className="muted">
            <StatusBadge status={r.status} /> {r.summary}
          </span>
        ) : null}
      </header>
      {state.error ? (
        <ErrorPanel title="The provenance chain could not be analysed" message={state.error} />
      ) : null}
      {state.loading ? (
        <p className="muted loading-line">
          <Spinner /> Walking the chain…
        </p>
      ) : r ? (
        <ProvenanceView r={r} />
      ) : null}
    </section>
  );
}
