import type { BehaviorComparison } from '../../../../shared/behavior';
import { VerificationTable } from './VerificationTable';
import { SuiteView } from './SuiteView';
import { PairedSection } from './PairedSection';
import { TriggerHeatmap } from './TriggerHeatmap';
import { level, Selection } from './common';

export function ComparisonView({
  caseId,
  report,
  selection,
  onSelect,
}: {
  caseId: string;
  report: BehaviorComparison;
  selection: Selection;
  onSelect: (s: Selection) => void;
}) {
  const o = report.options;
  const p = report.pairing;
  const suites = report.groups.filter((g) => g.category === null);
  const suite = selection.suite ?? suites[0]?.suite ?? null;
  return (
    <div className="behavior-result" data-testid="behavior-result" data-custody-seq={report.custodySeq}>
      <p className="muted behavior-method" data-testid="behavior-method">
        <strong>{report.baseline.label}</strong> (baseline, #{report.baseline.id}) vs{' '}
        <strong>{report.suspect.label}</strong> (suspect, #{report.suspect.id}) ·{' '}
        {p.pairs.toLocaleString('en-US')} pairs by {p.key}
        {p.unmatchedBaseline + p.unmatchedSuspect > 0
          ? ` · unmatched ${p.unmatchedBaseline} baseline, ${p.unmatchedSuspect} suspect`
          : ''}{' '}
        · margin ±
        {o.marginKind === 'points'
          ? `${(o.margin * 100).toFixed(1)} points`
          : `${(o.margin * 100).toFixed(1)}% of the baseline`}{' '}
        · {level(o.confidence)} Wilson intervals, Newcombe paired difference, exact McNemar
        {o.refusalPhrases
          ? ` · refusals re-decided with the ${o.refusalPhrases.source} (sha256 ${o.refusalPhrases.sha256.slice(0, 12)}…, ${report.refusalsRedecided} changed)`
          : ''}{' '}
        · recorded as <span className="mono">{report.findingsRunId.slice(0, 17)}…</span> (custody event #
        {report.custodySeq})
      </p>
      {report.comparability.map((w) => (
        <p key={w} className="field-error" role="note">
          Not comparable as is: {w}
        </p>
      ))}
      <VerificationTable checks={report.checks} />
      <section className="integrity-section" aria-labelledby="behavior-groups-heading">
        <header className="integrity-section-header">
          <h3 id="behavior-groups-heading">Rates by category</h3>
          <div className="behavior-suite-tabs" role="group" aria-label="Suite">
            {suites.map((g) => (
              <button
                key={g.suite}
                type="button"
                className="chip"
                aria-pressed={g.suite === suite}
                onClick={() => onSelect({ suite: g.suite, category: null, transition: null })}
                data-testid={`suite-${g.suite}`}
              >
                {g.suite}
              </button>
            ))}
          </div>
        </header>
        {suite ? (
          <SuiteView
            report={report}
            suite={suite}
            category={selection.category}
            onCategory={(category) => onSelect({ suite, category, transition: null })}
          />
        ) : null}
      </section>
      {suite ? (
        <PairedSection
          caseId={caseId}
          report={report}
          selection={{ ...selection, suite }}
          onSelect={onSelect}
        />
      ) : null}
      <TriggerHeatmap report={report} />
    </div>
  );
}
