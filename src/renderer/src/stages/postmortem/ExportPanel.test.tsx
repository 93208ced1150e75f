// @vitest-environment jsdom
import { host } from '../../test/fake-host';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CustodianView } from '../../../../shared/custodians';
import type { ReportExportView } from '../../../../shared/report';
import type { CaseOverview, ChainStatus } from '../../../../shared/domain';
import { useStore } from '../../store';
import { ExportPanel } from './ExportPanel';

/** The case's chain as the overview reports it. */
function setChain(chain: ChainStatus): void {
  const data = { chain } as CaseOverview;
  useStore.setState({ overviews: { [CASE]: { data, loading: false, error: null } } });
}

const CASE = 'AI-IR-2026-0001';
const ALICE: CustodianView = {
  name: 'alice',
  role: 'incident commander',
  fingerprint: 'e'.repeat(64),
  created: '2026-01-01T00:00:00Z',
  status: 'active',
  keys: [],
  external: false,
};
const exported = (signer: ReportExportView['signer']): ReportExportView => ({
  out: '/home/probity/reports/AI-IR-2026-0001-1',
  files: ['report.html', 'report.json'],
  manifestSha256: 'f'.repeat(64),
  signer,
  chainHead: { lastSeq: 12, lastHash: '1'.repeat(64) },
  verification: { ok: true, problems: [], filesChecked: 5 },
  commands: ['sha256sum -c MANIFEST.sha256'],
});

/** The panel as the report section holds it: the signer is chosen above, the first custodian by default. */
function Harness() {
  const [signer, setSigner] = useState('alice');
  return <ExportPanel caseId={CASE} custodians={[ALICE]} signer={signer} setSigner={setSigner} />;
}

beforeEach(() => {
  host.reset();
  useStore.setState({ overviews: {} });
});
afterEach(cleanup);

describe('the post-mortem export', () => {
  it('signs with the passphrase, sends the formats ticked, forgets the passphrase and shows the check', async () => {
    host.on('report:export', (a) =>
      exported(a.custodian ? { name: a.custodian, fingerprint: ALICE.fingerprint } : null),
    );
    render(<Harness />);
    const button = screen.getByRole('button', { name: 'Export signed as alice' });
    expect(button).toHaveProperty('disabled', true);
    const passphrase = screen.getByLabelText('Passphrase of alice’s key');
    fireEvent.change(passphrase, { target: { value: 'correct horse' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /report\.pdf/ }));
    fireEvent.click(button);
    expect(passphrase).toHaveProperty('value', '');
    expect((await screen.findByTestId('pm-export-verification')).textContent).toContain(
      'Verification ok: 5 files match MANIFEST.sha256 and its signature checks out.',
    );
    expect(host.callsTo('report:export')).toEqual([
      { caseId: CASE, formats: ['html', 'json'], custodian: 'alice', passphrase: 'correct horse' },
    ]);
    expect(screen.getByTestId('pm-export-signer').textContent).toContain('alice');
  });

  it('exports unsigned when chosen, warning that nobody vouches for the bundle', async () => {
    host.on('report:export', () => exported(null));
    render(<Harness />);
    fireEvent.change(screen.getByLabelText('Sign as'), { target: { value: '' } });
    expect(screen.getByTestId('pm-unsigned-warning')).toBeTruthy();
    expect(screen.queryByLabelText(/Passphrase/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Export unsigned' }));
    expect(await screen.findByTestId('pm-export-result')).toBeTruthy();
    expect(host.callsTo('report:export')).toEqual([
      { caseId: CASE, formats: ['html', 'pdf', 'json'], custodian: null, passphrase: null },
    ]);
  });

  it('shows the host’s refusal and clears the passphrase all the same', async () => {
    host.on('report:export', () => {
      throw new Error('alice: wrong passphrase');
    });
    render(<Harness />);
    const passphrase = screen.getByLabelText('Passphrase of alice’s key');
    fireEvent.change(passphrase, { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Export signed as alice' }));
    expect((await screen.findByTestId('pm-export-error')).textContent).toBe('alice: wrong passphrase');
    expect(passphrase).toHaveProperty('value', '');
    expect(screen.queryByTestId('pm-export-result')).toBeNull();
  });

  it('cannot export without a format', () => {
    render(<Harness />);
    fireEvent.change(screen.getByLabelText('Sign as'), { target: { value: '' } });
    for (const name of [/report\.html/, /report\.pdf/, /report\.json/])
      fireEvent.click(screen.getByRole('checkbox', { name }));
    expect(screen.getByRole('button', { name: 'Export unsigned' })).toHaveProperty('disabled', true);
  });

  it('asks for a confirmation before exporting a case whose verification is never run, failed or stale', () => {
    const cases: [string, ChainStatus['lastVerification'], number][] = [
      ['never run', null, 12],
      ['failed', { at: '2026-01-02T00:00:00Z', ok: false, throughSeq: 10, problems: 1, issues: [] }, 11],
      ['stale', { at: '2026-01-02T00:00:00Z', ok: true, throughSeq: 10, problems: 0, issues: [] }, 14],
    ];
    for (const [why, lastVerification, lastSeq] of cases) {
      setChain({ lastSeq, lastHash: '1'.repeat(64), lastVerification });
      render(<Harness />);
      fireEvent.change(screen.getByLabelText('Passphrase of alice’s key'), { target: { value: 'pw' } });
      const button = screen.getByRole('button', { name: 'Export signed as alice' });
      expect(button, why).toHaveProperty('disabled', true);
      expect(screen.getByTestId('pm-export-unverified'), why).toBeTruthy();
      fireEvent.click(screen.getByRole('checkbox', { name: /Export anyway/ }));
      expect(button, why).toHaveProperty('disabled', false);
      cleanup();
    }
  });

  it('needs no confirmation when the case verified through its last event', () => {
    setChain({
      lastSeq: 11,
      lastHash: '1'.repeat(64),
      lastVerification: { at: '2026-01-02T00:00:00Z', ok: true, throughSeq: 10, problems: 0, issues: [] },
    });
    render(<Harness />);
    fireEvent.change(screen.getByLabelText('Passphrase of alice’s key'), { target: { value: 'pw' } });
    expect(screen.getByRole('button', { name: 'Export signed as alice' })).toHaveProperty('disabled', false);
    expect(screen.queryByTestId('pm-export-unverified')).toBeNull();
  });
});
