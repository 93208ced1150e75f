/**
 * The trust root of an integrity run: the CA certificates a model_signing certificate chain must
 * lead to. The examiner picks one of the case's own evidence files that is a PEM certificate, or a
 * PEM file on this workstation (the CLI's `--trust-root`); none leaves chains unverified.
 */
import { useEffect } from 'react';
import type { TrustRootCandidate } from '../../../../shared/integrity';
import { api } from '../../api/client';
import { useLoadable } from '../../loadable';

export type TrustRootChoice =
  { kind: 'none' } | { kind: 'evidence'; evidenceId: number } | { kind: 'path'; path: string };

/** The contract's `trustRoot` argument for a choice; a path left empty is no trust root. */
export function trustRootArg(c: TrustRootChoice): { evidenceId: number } | { path: string } | null {
  if (c.kind === 'evidence') return { evidenceId: c.evidenceId };
  if (c.kind === 'path' && c.path.trim() !== '') return { path: c.path.trim() };
  return null;
}

const OUTSIDE = 'path';

function optionText(c: TrustRootCandidate): string {
  const subjects = c.certificates.map((x) => x.subject).join('; ');
  const notCa = c.certificates.some((x) => !x.ca);
  return `${c.path} · ${subjects}${notCa ? ' (not a CA: cannot be a trust root)' : ''}`;
}

export function TrustRootField({
  caseId,
  value,
  onChange,
  disabled,
  desktop,
}: {
  caseId: string;
  value: TrustRootChoice;
  onChange: (c: TrustRootChoice) => void;
  disabled: boolean;
  desktop: boolean;
}) {
  const candidates = useLoadable<TrustRootCandidate[]>();
  const { load } = candidates;
  useEffect(() => {
    void load(() => api.trustRootCandidates({ caseId }));
  }, [caseId, load]);
  const list = candidates.state.data ?? [];
  const selected =
    value.kind === 'evidence' ? String(value.evidenceId) : value.kind === 'path' ? OUTSIDE : '';

  return (
    <div className="field integrity-option">
      <label htmlFor="integrity-trust-root">Trust root (model_signing certificate chains)</label>
      <select
        id="integrity-trust-root"
        value={selected}
        disabled={disabled}
        aria-describedby="integrity-trust-root-help"
        onChange={(e) => {
          const v = e.target.value;
          if (v === '') onChange({ kind: 'none' });
          else if (v === OUTSIDE) onChange({ kind: 'path', path: value.kind === 'path' ? value.path : '' });
          else onChange({ kind: 'evidence', evidenceId: Number(v) });
        }}
      >
        <option value="">None: certificate chains are not verified</option>
        {list.map((c) => (
          <option
            key={c.evidenceId}
            value={String(c.evidenceId)}
            disabled={c.certificates.some((x) => !x.ca)}
          >
            {optionText(c)}
          </option>
        ))}
        <option value={OUTSIDE}>A PEM file on this workstation…</option>
      </select>
      {value.kind === 'path' ? (
        <div className="field-inline">
          <input
            id="integrity-trust-root-path"
            aria-label="Trust root PEM file"
            className="mono-input"
            value={value.path}
            onChange={(e) => onChange({ kind: 'path', path: e.target.value })}
            disabled={disabled}
            placeholder="/path/to/ca.pem"
            spellCheck={false}
          />
          {desktop ? (
            <button
              type="button"
              className="btn integrity-browse"
              disabled={disabled}
              onClick={() =>
                void api.pickBundle({ kind: 'file' }).then(
                  (picked) => picked && onChange({ kind: 'path', path: picked }),
                  () => undefined,
                )
              }
            >
              Browse…
            </button>
          ) : null}
        </div>
      ) : null}
      <span id="integrity-trust-root-help" className="field-help">
        {candidates.state.error
          ? `Could not list the case’s certificates: ${candidates.state.error}`
          : list.length === 0 && !candidates.state.loading
            ? 'No PEM certificate among this case’s evidence. '
            : ''}
        A CA shipped inside the evidence vouches only for what that CA signed: choose it only if you trust it
        on its own.
      </span>
    </div>
  );
}
