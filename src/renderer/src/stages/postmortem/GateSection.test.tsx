// @vitest-environment jsdom
import { host } from '../../test/fake-host';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EvidenceItem } from '../../../../shared/domain';
import type { GateItem, RetrainingGate } from '../../../../shared/incident';
import { GateSection } from './GateSection';
import type { Update } from './useChange';

const CASE = 'AI-IR-2026-0001';
const DATA: GateItem = {
  key: 'training-data-audit',
  consideration: 'Training data audit',
  action: 'Audit the training data for poisoned examples.',
  satisfied: false,
  note: null,
  evidence: [],
  recorded: null,
};
const INFRA: GateItem = {
  key: 'infrastructure-security',
  consideration: 'Infrastructure security',
  action: 'Secure the training infrastructure.',
  satisfied: true,
  note: 'Rebuilt the cluster from clean images.',
  evidence: [],
  recorded: { seq: 7, at: '2026-01-03T09:00:00Z', actor: 'ic' },
};
const gate = (items: GateItem[]): RetrainingGate => ({
  items,
  missing: items.filter((i) => !i.satisfied).map((i) => i.key),
  open: items.every((i) => i.satisfied),
});
const evidence = (id: number, path: string): EvidenceItem => ({
  id,
  ingestId: 1,
  path,
  occurrence: 1,
  kind: 'other',
  size: 10,
  sha256: String(id).repeat(64).slice(0, 64),
  mtime: null,
  sourcePath: `/bundle/${path}`,
  linkTarget: null,
  manifestStatus: null,
  manifestExpected: null,
  rawNameHex: null,
  custodian: 'alice',
  host: 'ws1',
  storedAt: '2026-01-01T00:00:00Z',
});

beforeEach(() => {
  host.reset();
  host.on('evidence:list', () => [evidence(4, 'data/audit.csv'), evidence(5, 'data/manifest.json')]);
});
afterEach(cleanup);

describe('the retraining gate', () => {
  it('refuses retraining while a consideration is missing, and names it', () => {
    render(<GateSection caseId={CASE} gate={gate([DATA, INFRA])} update={vi.fn<Update>()} />);
    expect(screen.getByTestId('pm-gate-status').textContent).toBe(
      'Retrain cannot be approved yet: 1 of 2 considerations are missing — Training data audit.',
    );
    expect(screen.getByTestId('pm-gate-training-data-audit-state').textContent).toBe('missing');
    expect(screen.getByTestId('pm-gate-infrastructure-security-state').textContent).toBe('satisfied');
  });

  it('opens when every consideration has a note or evidence', () => {
    render(
      <GateSection
        caseId={CASE}
        gate={gate([{ ...DATA, satisfied: true, note: 'done' }, INFRA])}
        update={vi.fn<Update>()}
      />,
    );
    expect(screen.getByTestId('pm-gate-status').textContent).toBe(
      'Retrain can be approved: all 2 considerations have a note or evidence.',
    );
  });

  it('records a consideration with its note and the evidence picked, only once something is given', async () => {
    const update = vi.fn<Update>(async () => null);
    render(<GateSection caseId={CASE} gate={gate([DATA, INFRA])} update={update} />);
    const form = screen.getByTestId('pm-gate-training-data-audit');
    const record = within(form).getByRole('button', { name: 'Record: Training data audit' });
    expect(record).toHaveProperty('disabled', true);
    fireEvent.change(within(form).getByLabelText('Note on Training data audit'), {
      target: { value: '  Sampled 2,000 rows; none poisoned.  ' },
    });
    const select = within(form).getByLabelText(/Evidence/) as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(2));
    select.options[1]!.selected = true;
    fireEvent.change(select);
    fireEvent.click(record);
    expect(await within(form).findByText('Recorded.')).toBeTruthy();
    expect(update).toHaveBeenCalledWith({
      kind: 'consideration',
      consideration: 'training-data-audit',
      note: 'Sampled 2,000 rows; none poisoned.',
      evidenceIds: [5],
    });
  });

  it('shows the host’s refusal in the form that sent it', async () => {
    const update = vi.fn<Update>(async () => 'the incident is closed');
    render(<GateSection caseId={CASE} gate={gate([DATA, INFRA])} update={update} />);
    const form = screen.getByTestId('pm-gate-infrastructure-security');
    fireEvent.click(within(form).getByRole('button', { name: 'Record: Infrastructure security' }));
    expect(await within(form).findByText('the incident is closed')).toBeTruthy();
    expect(update).toHaveBeenCalledWith({
      kind: 'consideration',
      consideration: 'infrastructure-security',
      note: 'Rebuilt the cluster from clean images.',
    });
  });
});
