// @vitest-environment jsdom
import { host } from '../../test/fake-host';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseListEntry } from '../../../../shared/domain';
import type { IntegrityRun, TrustRootCandidate } from '../../../../shared/integrity';
import { IntegrityScreen } from './IntegrityScreen';
import { trustRootArg } from './TrustRootField';

const CASE = 'AI-IR-2026-0001';
const CA: TrustRootCandidate = {
  evidenceId: 7,
  path: 'keys/ca-cert.pem',
  sha256: 'c'.repeat(64),
  certificates: [{ subject: 'CN=root-ca', ca: true, fingerprint256: 'AA:BB' }],
};
const LEAF: TrustRootCandidate = {
  evidenceId: 9,
  path: 'keys/leaf.pem',
  sha256: 'd'.repeat(64),
  certificates: [{ subject: 'CN=signer', ca: false, fingerprint256: 'CC:DD' }],
};

/** What the host answers: the chain's verdict depends on the trust root the run was given. */
function runFor(trustRoot: unknown): IntegrityRun {
  const given = trustRoot !== null && trustRoot !== undefined;
  const summary = given
    ? 'model/model.sig: certificate chain verifies to the given --trust-root: leaf CN=signer → root CN=root-ca; DSSE signature does NOT verify with the leaf certificate CN=signer (ec secp384r1)'
    : 'model/model.sig: the certificate chain need the Sigstore trust root and were not verified offline';
  return {
    caseId: CASE,
    baseline: null,
    status: given ? 'fail' : 'pass',
    checks: [
      {
        check: 'file-integrity',
        title: 'File integrity',
        status: given ? 'fail' : 'pass',
        summary: 'signatures: model/model.sig',
        reasons: ['signatures: model/model.sig'],
        items: [{ status: given ? 'fail' : 'info', subject: 'model/model.sig', summary, details: {} }],
        details: {},
      },
    ],
    runId: 'r1',
    custodySeq: 4,
    recordedAt: '2026-12-07T11:00:00Z',
    source: 'run',
    options: {
      authorizedAdapters: null,
      approvedConfig: null,
      trustRoot: given
        ? {
            label: `evidence keys/ca-cert.pem (#7, case ${CASE})`,
            sha256: CA.sha256,
            subjects: ['CN=root-ca'],
          }
        : null,
    },
  };
}

beforeEach(() => {
  host.reset();
  host.on('cases:list', () => [{ id: CASE, title: 'incident' } as CaseListEntry]);
  host.on('integrity:latest', () => null);
  host.on('integrity:trustRoots', () => [CA, LEAF]);
  host.on('integrity:run', (args) => runFor(args.trustRoot));
  host.on('integrity:provenance', () => {
    throw new Error('no provenance in this test');
  });
});
afterEach(cleanup);

describe('trustRootArg', () => {
  it('maps each choice to the contract argument; an empty path is no trust root', () => {
    expect(trustRootArg({ kind: 'none' })).toBeNull();
    expect(trustRootArg({ kind: 'evidence', evidenceId: 7 })).toEqual({ evidenceId: 7 });
    expect(trustRootArg({ kind: 'path', path: '  /tmp/ca.pem ' })).toEqual({ path: '/tmp/ca.pem' });
    expect(trustRootArg({ kind: 'path', path: '   ' })).toBeNull();
  });
});

describe('the Integrity stage: trust root', () => {
  it('offers the case’s PEM certificates, a non-CA one disabled, and a file on the workstation', async () => {
    render(<IntegrityScreen caseId={CASE} />);
    const select = screen.getByLabelText(/Trust root/) as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(4));
    const texts = [...select.options].map((o) => [o.textContent, o.disabled]);
    expect(texts).toEqual([
      ['None: certificate chains are not verified', false],
      ['keys/ca-cert.pem · CN=root-ca', false],
      ['keys/leaf.pem · CN=signer (not a CA: cannot be a trust root)', true],
      ['A PEM file on this workstation…', false],
    ]);
    expect(host.callsTo('integrity:trustRoots')).toEqual([{ caseId: CASE }]);
  });

  it('an evidence CA goes to the run, and the result names the chain’s verdict and the trust root', async () => {
    render(<IntegrityScreen caseId={CASE} />);
    const select = screen.getByLabelText(/Trust root/) as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(4));
    fireEvent.change(select, { target: { value: '7' } });
    fireEvent.click(screen.getByTestId('integrity-run'));
    await waitFor(() =>
      expect(screen.getByTestId('integrity-trust-root-used').textContent).toMatch(/trust root/),
    );
    expect(host.callsTo('integrity:run')).toEqual([
      {
        caseId: CASE,
        baselineCaseId: null,
        authorizedAdapters: null,
        approvedConfig: null,
        trustRoot: { evidenceId: 7 },
      },
    ]);
    expect(screen.getByTestId('integrity-trust-root-used').textContent).toBe(
      `trust root evidence keys/ca-cert.pem (#7, case ${CASE}) (CN=root-ca)`,
    );
    const row = screen.getByTestId('integrity-verification');
    expect(within(row).getByText(/certificate chain verifies to the given --trust-root/)).toBeTruthy();
    expect(within(row).getByText(/DSSE signature does NOT verify/)).toBeTruthy();
  });

  it('a PEM file on the workstation is sent as a path; none sends null and says chains are not verified', async () => {
    render(<IntegrityScreen caseId={CASE} />);
    const select = screen.getByLabelText(/Trust root/) as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(4));
    fireEvent.change(select, { target: { value: 'path' } });
    fireEvent.change(screen.getByLabelText('Trust root PEM file'), { target: { value: '/srv/ca.pem' } });
    fireEvent.click(screen.getByTestId('integrity-run'));
    await waitFor(() => expect(host.callsTo('integrity:run')).toHaveLength(1));
    expect(host.callsTo('integrity:run')[0]!.trustRoot).toEqual({ path: '/srv/ca.pem' });

    await waitFor(() =>
      expect((screen.getByTestId('integrity-run') as HTMLButtonElement).disabled).toBe(false),
    );
    fireEvent.change(select, { target: { value: '' } });
    fireEvent.click(screen.getByTestId('integrity-run'));
    await waitFor(() => expect(host.callsTo('integrity:run')).toHaveLength(2));
    expect(host.callsTo('integrity:run')[1]!.trustRoot).toBeNull();
    await waitFor(() =>
      expect(screen.getByTestId('integrity-trust-root-used').textContent).toBe(
        'no trust root: certificate chains not verified',
      ),
    );
  });
});
