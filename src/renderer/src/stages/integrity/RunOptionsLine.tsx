import type { IntegrityRunOptions } from '../../../../shared/integrity';

export function RunOptionsLine({ options }: { options: IntegrityRunOptions }) {
  const a = options.authorizedAdapters;
  const c = options.approvedConfig;
  const t = options.trustRoot ?? null;
  return (
    <p className="muted integrity-note" data-testid="integrity-options">
      <span data-testid="integrity-authorized-used">
        {a ? (
          <>
            authorized: <span className="mono">{a.names.join(', ') || '(empty list)'}</span>{' '}
            <span title={`sha256 ${a.sha256}`}>({a.label})</span>
          </>
        ) : (
          'none given: no adapter is authorized'
        )}
      </span>
      {' · '}
      <span data-testid="integrity-approved-used">
        {c ? (
          <>
            approved config{' '}
            <span className="mono" title={`sha256 ${c.sha256}`}>
              {c.label}
            </span>
          </>
        ) : (
          'no approved config: compared with the baseline only'
        )}
      </span>
      {' · '}
      <span data-testid="integrity-trust-root-used">
        {t ? (
          <>
            trust root{' '}
            <span className="mono" title={`sha256 ${t.sha256}`}>
              {t.label}
            </span>{' '}
            ({t.subjects.join('; ') || 'certificates not recorded'})
          </>
        ) : (
          'no trust root: certificate chains not verified'
        )}
      </span>
    </p>
  );
}
