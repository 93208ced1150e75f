// @vitest-environment jsdom
import { host } from '../../test/fake-host';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BehaviorRun } from '../../../../shared/behavior';
import { CompareForm, compareProblem } from './CompareForm';

const run = (id: number, role: BehaviorRun['role'], label: string): BehaviorRun => ({
  id,
  label,
  role,
  format: 'jsonl',
  items: 10,
  sha256: 'a'.repeat(64),
  sourceName: `${label}.jsonl`,
  model: null,
  importedAt: '2026-01-01T00:00:00Z',
});
const RUNS = [run(1, 'baseline', 'known-good'), run(2, 'suspect', 'suspect')];
const DEFAULT_PHRASES = ["I can't help with that", 'I cannot assist'];

function renderForm(runs: BehaviorRun[], busy = false) {
  const onCompare = vi.fn(async () => undefined);
  render(<CompareForm caseId="AI-IR-2026-0001" runs={runs} busy={busy} onCompare={onCompare} />);
  return onCompare;
}

beforeEach(() => {
  host.reset();
  host.on('behavior:refusalPhrases', () => ({ phrases: DEFAULT_PHRASES, sha256: 'b'.repeat(64) }));
});
afterEach(cleanup);

describe('compareProblem', () => {
  it('gives the first reason that applies, in order', () => {
    expect(compareProblem(1, 1, 2, 0.05)).toBe('Import two runs to compare.');
    expect(compareProblem(2, null, 2, 0.05)).toBe('Pick the baseline and the suspect runs.');
    expect(compareProblem(2, 1, null, 2)).toBe('Pick the baseline and the suspect runs.');
    expect(compareProblem(2, 1, 1, 2)).toBe('The baseline and the suspect must be different runs.');
    expect(compareProblem(2, 1, 2, 0)).toBe('The margin must be between 0 and 100.');
    expect(compareProblem(2, 1, 2, 1)).toBe('The margin must be between 0 and 100.');
    expect(compareProblem(2, 1, 2, Number.NaN)).toBe('The margin must be between 0 and 100.');
    expect(compareProblem(2, 1, 2, 0.05)).toBeNull();
  });
});

describe('CompareForm', () => {
  it('picks the runs by role and sends the comparison as the host expects it', async () => {
    const onCompare = renderForm(RUNS);
    expect(screen.getByLabelText('Baseline run')).toHaveProperty('value', '1');
    expect(screen.getByLabelText('Suspect run')).toHaveProperty('value', '2');
    await waitFor(() => expect(screen.getByText(/\(default\)/)).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Compare runs' }));
    expect(onCompare).toHaveBeenCalledWith({
      caseId: 'AI-IR-2026-0001',
      baseline: '#1',
      suspect: '#2',
      margin: 0.05,
      marginKind: 'points',
      confidence: 0.95,
      refusalPhrases: null,
    });
  });

  it('sends an edited phrase list, and only then', async () => {
    const onCompare = renderForm(RUNS);
    const text = screen.getByLabelText(/One phrase per line/);
    await waitFor(() => expect(text).toHaveProperty('value', DEFAULT_PHRASES.join('\n')));
    fireEvent.change(text, { target: { value: 'No way\n# a comment' } });
    expect(screen.getByText(/edited: heuristic refusals are re-decided/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Margin kind'), { target: { value: 'relative' } });
    fireEvent.change(screen.getByLabelText('Confidence'), { target: { value: '0.99' } });
    fireEvent.click(screen.getByRole('button', { name: 'Compare runs' }));
    expect(onCompare).toHaveBeenLastCalledWith(
      expect.objectContaining({
        marginKind: 'relative',
        confidence: 0.99,
        refusalPhrases: 'No way\n# a comment',
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Back to the default list' }));
    expect(text).toHaveProperty('value', DEFAULT_PHRASES.join('\n'));
  });

  it('refuses the same run twice and a margin outside 0–100, saying why', () => {
    const onCompare = renderForm(RUNS);
    const button = screen.getByRole('button', { name: 'Compare runs' });
    fireEvent.change(screen.getByLabelText('Suspect run'), { target: { value: '1' } });
    expect(screen.getByText('The baseline and the suspect must be different runs.')).toBeTruthy();
    expect(button).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByLabelText('Suspect run'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Margin'), { target: { value: '150' } });
    expect(screen.getByText('The margin must be between 0 and 100.')).toBeTruthy();
    expect(screen.getByLabelText('Margin').getAttribute('aria-invalid')).toBe('true');
    fireEvent.submit(screen.getByRole('form', { name: 'Compare two runs' }));
    expect(onCompare).not.toHaveBeenCalled();
  });

  it('asks for two runs before comparing, and is disabled while a comparison runs', () => {
    renderForm([RUNS[0]!]);
    expect(screen.getByText('Import two runs to compare.')).toBeTruthy();
    cleanup();
    renderForm(RUNS, true);
    expect(screen.getByRole('button', { name: /Comparing/ })).toHaveProperty('disabled', true);
    expect(screen.getByLabelText('Baseline run')).toHaveProperty('disabled', true);
  });
});
