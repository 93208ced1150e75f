// @vitest-environment jsdom
import { host } from '../test/fake-host';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseScanState } from '../../../shared/scan';
import { RescanBanner } from './RescanBanner';

const CASE = 'AI-IR-2026-0007';
const OLD = { version: '2026.11-1', digest: '0'.repeat(64) };
const NOW = { version: '2026.12-2', digest: '1'.repeat(64) };

function state(outdated: boolean, changed: { path: string; summary: string }[] = []): CaseScanState {
  const rules = outdated ? OLD : NOW;
  return {
    current: NOW,
    lastRun: { runId: 'scan-1', at: '2026-12-01T00:00:00Z', objects: 1, ruleSets: [rules], changed },
    outdated,
    verdicts: [{ path: 'model.bin', sha256: 'a'.repeat(64), level: 'safe', rules, because: '' }],
  };
}

beforeEach(() => host.reset());
afterEach(cleanup);

describe('the re-scan banner', () => {
  it('shows on a case scanned under older rules; one button re-scans and lists what changed', async () => {
    let scanned = false;
    host.on('scan:state', () => state(!scanned));
    host.on('cases:overview', () => {
      throw new Error('not needed');
    });
    host.on('scan:rescan', () => {
      scanned = true;
      return {
        runId: 'scan-2',
        custodySeq: 41,
        rules: NOW,
        objects: 1,
        changed: ['model.bin: safe → dangerous under rules 2026.12-2 (global os.system)'],
        reconfirmed: 0,
        added: 0,
      };
    });
    render(<RescanBanner caseId={CASE} />);
    expect(await screen.findByText(/judged some objects under rules 2026\.11-1/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Re-scan under the current rules' }));
    expect(
      await screen.findByText('model.bin: safe → dangerous under rules 2026.12-2 (global os.system)'),
    ).toBeTruthy();
    expect(host.callsTo('scan:rescan')).toEqual([{ caseId: CASE }]);
    // Once re-scanned, the button is gone: the verdicts are current.
    expect(screen.queryByRole('button', { name: 'Re-scan under the current rules' })).toBeNull();
    expect(screen.getByTestId('rescan-result').textContent).toContain('1 changed, 0 re-confirmed');
  });

  it('is absent on a case whose verdicts are current, and on a case never scanned', async () => {
    host.on('scan:state', () => state(false));
    const { container } = render(<RescanBanner caseId={CASE} />);
    await screen.findByText(() => false).catch(() => undefined);
    expect(container.textContent).toBe('');
    expect(host.callsTo('scan:state')).toEqual([{ caseId: CASE }]);
  });
});
