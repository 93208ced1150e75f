import type { CaseOverview } from '../../../../shared/domain';
import { plural, utc } from '../../format';

/**
 * The problems of the last verification when it failed, each with the file it names and a link to
 * that file in Evidence: what was found stays findable after a reload, not only in the raw event.
 */
export function VerificationProblems({
  data,
  onShowPath,
  onShowLog,
}: {
  data: CaseOverview;
  onShowPath: (path: string) => void;
  onShowLog: () => void;
}) {
  const v = data.chain.lastVerification;
  if (!v || v.ok) return null;
  return (
    <div
      className="card card-wide card-tone-bad"
      role="region"
      aria-labelledby="verification-problems-heading"
      data-testid="verification-problems"
    >
      <h3 id="verification-problems-heading">Verification FAILED: {plural(v.issues.length, 'problem')}</h3>
      <p className="muted">
        Run at {utc(v.at)} through custody seq {v.throughSeq}. Each problem stays listed here until a
        verification passes.
      </p>
      <ul className="issue-list">
        {v.issues.map((issue, i) => (
          <li key={i} data-testid="verification-problem" data-kind={issue.kind}>
            <span className="problem-message break">{issue.message}</span>
            {issue.paths.length > 0 ? (
              <span className="problem-links">
                {issue.paths.map((p) => (
                  <a
                    key={p}
                    href="#"
                    className="mono-path"
                    onClick={(e) => {
                      e.preventDefault();
                      onShowPath(p);
                    }}
                  >
                    Show {p} in Evidence
                  </a>
                ))}
              </span>
            ) : (
              <a
                href="#"
                onClick={(e) => {
                  e.preventDefault();
                  onShowLog();
                }}
              >
                Open the custody log
              </a>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
