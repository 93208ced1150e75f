// @vitest-environment jsdom
import { host } from '../../test/fake-host';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  ReviewItemView,
  ReviewProgressView,
  ReviewedItemView,
  SampleView,
} from '../../../../shared/audit';
import { ReviewQueue } from './ReviewQueue';

const CASE = 'AI-IR-2026-0001';
const SAMPLE: SampleView = {
  id: 3,
  windowId: 1,
  seed: 'seed',
  size: 2,
  strata: 'none',
  allocation: 'proportional',
  population: 100,
  strataDetail: [],
  idsSha256: 'c'.repeat(64),
  actor: 'alice',
  createdAt: '2026-01-01T00:00:00Z',
};
const progress = (labelled: number, harmful = 0): ReviewProgressView => ({
  sampleId: 3,
  size: 2,
  labelled,
  byLabel: { harmful, benign: labelled - harmful, unsure: 0, escalate: 0 },
  byReviewer: { alice: labelled },
  doubleReviewed: 0,
});
const item = (position: number, requestId: string, response: string): ReviewItemView => ({
  sampleId: 3,
  position,
  size: 2,
  remaining: 2 - position + 1,
  stratum: 'all',
  violations: [],
  record: {
    recordId: position,
    requestId,
    timestamp: '2026-01-02T10:00:00Z',
    userId: 'u1',
    conversationId: null,
    modelVersion: 'v2',
    downstream: null,
    messages: [{ role: 'user', content: `question ${position}` }],
    response,
    toolCalls: [],
    source: {
      file: 'logs.jsonl',
      sha256: 'd'.repeat(64),
      format: 'generic',
      line: position,
      item: null,
    },
    labels: [],
  },
});

function renderQueue() {
  const onLabelled = vi.fn();
  render(
    <ReviewQueue
      caseId={CASE}
      sample={SAMPLE}
      reviewer="alice"
      initialProgress={progress(0)}
      onLabelled={onLabelled}
    />,
  );
  return onLabelled;
}

beforeEach(() => {
  host.reset();
  host.on('audit:reviewed', () => []);
  window.sessionStorage.clear();
});
afterEach(cleanup);

describe('ReviewQueue', () => {
  it('shows the next record, labels it with its note and moves on to the one the host returns', async () => {
    host.on('audit:next', () => item(1, 'req-1', 'first answer'));
    host.on('audit:label', () => ({ progress: progress(1, 1), next: item(2, 'req-2', 'second answer') }));
    const onLabelled = renderQueue();
    expect(await screen.findByText(/first answer/)).toBeTruthy();
    expect(screen.getByTestId('audit-progress').textContent).toContain('0 of 2');
    fireEvent.change(screen.getByLabelText('Note (kept with the label)'), {
      target: { value: 'leaks a key' },
    });
    fireEvent.click(screen.getByTestId('audit-label-harmful'));
    expect(await screen.findByText(/second answer/)).toBeTruthy();
    expect(host.callsTo('audit:label')).toEqual([
      { caseId: CASE, requestId: 'req-1', label: 'harmful', note: 'leaks a key', secondReview: false },
    ]);
    expect(screen.getByTestId('audit-progress').textContent).toContain('1 of 2');
    expect(screen.getByLabelText('Note (kept with the label)')).toHaveProperty('value', '');
    expect(onLabelled).toHaveBeenCalledTimes(1);
  });

  it('labels with the keyboard, but not while typing in the note', async () => {
    host.on('audit:next', () => item(1, 'req-1', 'first answer'));
    host.on('audit:label', (a) => ({
      progress: progress(1),
      next: a.label === 'benign' ? null : item(1, 'req-1', 'x'),
    }));
    renderQueue();
    await screen.findByText(/first answer/);
    fireEvent.keyDown(screen.getByLabelText('Note (kept with the label)'), { key: 'b' });
    expect(host.callsTo('audit:label')).toHaveLength(0);
    fireEvent.keyDown(window, { key: 'b' });
    expect(await screen.findByTestId('audit-queue-empty')).toBeTruthy();
    expect(host.callsTo('audit:label')[0]).toMatchObject({ requestId: 'req-1', label: 'benign' });
    expect(screen.getByTestId('audit-queue-empty').textContent).toBe(
      'Every record of sample 3 is labelled by alice.',
    );
  });

  it('keeps the record and says so when the host refuses the label', async () => {
    host.on('audit:next', () => item(1, 'req-1', 'first answer'));
    host.on('audit:label', () => {
      throw new Error('the sample was replaced');
    });
    const onLabelled = renderQueue();
    await screen.findByText(/first answer/);
    fireEvent.click(screen.getByTestId('audit-label-unsure'));
    expect(await screen.findByText('the sample was replaced')).toBeTruthy();
    expect(screen.getByText(/first answer/)).toBeTruthy();
    expect(onLabelled).not.toHaveBeenCalled();
    expect(screen.getByTestId('audit-label-unsure')).toHaveProperty('disabled', false);
  });

  it('asks the host for a second-review queue when the box is ticked', async () => {
    host.on('audit:next', (a) => (a.secondReview ? null : item(1, 'req-1', 'first answer')));
    renderQueue();
    await screen.findByText(/first answer/);
    fireEvent.click(screen.getByRole('checkbox', { name: /second review/ }));
    await waitFor(() =>
      expect(screen.getByTestId('audit-queue-empty').textContent).toBe(
        'No record left for a second review by alice.',
      ),
    );
    expect(host.callsTo('audit:next').map((a) => a.secondReview)).toEqual([false, true]);
  });

  it('goes back to a reviewed record, shows its label and relabels it, then returns to the queue', async () => {
    let reviewed: ReviewedItemView[] = [];
    host.on('audit:reviewed', () => reviewed);
    host.on('audit:next', () => item(2, 'req-2', 'second answer'));
    host.on('audit:item', (a) => item(a.position, `req-${a.position}`, `answer ${a.position}`));
    host.on('audit:label', (a) => {
      reviewed = [
        {
          position: 1,
          requestId: 'req-1',
          stratum: 'all',
          label: a.label,
          note: a.note ?? null,
          labelledAt: '2026-01-02T11:00:00Z',
          labels: reviewed.length + 1,
        },
      ];
      return {
        progress: progress(1, a.label === 'harmful' ? 1 : 0),
        next: item(2, 'req-2', 'second answer'),
      };
    });
    reviewed = [
      {
        position: 1,
        requestId: 'req-1',
        stratum: 'all',
        label: 'benign',
        note: 'mis-keyed',
        labelledAt: '2026-01-02T10:30:00Z',
        labels: 1,
      },
    ];
    renderQueue();
    await screen.findByText(/second answer/);
    // Nothing after the record in review: "next" is only for records already reviewed.
    expect(screen.getByTestId('audit-next')).toHaveProperty('disabled', true);
    await waitFor(() => expect(screen.getByTestId('audit-previous')).toHaveProperty('disabled', false));
    fireEvent.click(screen.getByTestId('audit-previous'));
    expect(await screen.findByText(/answer 1/)).toBeTruthy();
    expect(host.callsTo('audit:item')).toEqual([{ caseId: CASE, position: 1 }]);
    expect(screen.getByTestId('audit-revisit').textContent).toContain('you labelled it benign');
    expect(screen.getByTestId('audit-previous')).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByTestId('audit-label-harmful'));
    expect(await screen.findByText(/second answer/)).toBeTruthy();
    expect(host.callsTo('audit:label')).toEqual([
      { caseId: CASE, requestId: 'req-1', label: 'harmful', note: null, secondReview: false },
    ]);
    const rows = await screen.findAllByTestId('audit-reviewed-row');
    await waitFor(() => expect(rows[0]!.textContent).toContain('harmful'));
    expect(screen.getAllByTestId('audit-reviewed-row')[0]!.textContent).toContain('relabelled');
  });

  it('keeps a typed note across a reload of the screen, and drops it once the record is labelled', async () => {
    host.on('audit:next', () => item(1, 'req-1', 'first answer'));
    host.on('audit:label', () => ({ progress: progress(1), next: item(2, 'req-2', 'second answer') }));
    renderQueue();
    await screen.findByText(/first answer/);
    fireEvent.change(screen.getByLabelText('Note (kept with the label)'), {
      target: { value: 'half typed' },
    });
    cleanup();
    renderQueue();
    await screen.findByText(/first answer/);
    expect(screen.getByLabelText('Note (kept with the label)')).toHaveProperty('value', 'half typed');
    fireEvent.click(screen.getByTestId('audit-label-benign'));
    expect(await screen.findByText(/second answer/)).toBeTruthy();
    expect(host.callsTo('audit:label')[0]).toMatchObject({ note: 'half typed' });
    expect(screen.getByLabelText('Note (kept with the label)')).toHaveProperty('value', '');
    cleanup();
    host.on('audit:next', () => item(1, 'req-1', 'first answer'));
    renderQueue();
    await screen.findByText(/first answer/);
    expect(screen.getByLabelText('Note (kept with the label)')).toHaveProperty('value', '');
  });
});
