// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { IntegrityRun } from '../../../../shared/integrity';
import { TemplateDiffSection } from './TemplateDiffView';

afterEach(cleanup);

function run(items: IntegrityRun['checks'][number]['items']): IntegrityRun {
  return {
    caseId: 'AI-IR-2026-0002',
    baseline: 'AI-IR-2026-0001',
    status: 'fail',
    runId: 'integrity-1',
    custodySeq: 9,
    recordedAt: '2026-12-07T00:00:00Z',
    source: 'recorded',
    options: null,
    checks: [
      {
        check: 'template-tokenizer',
        title: 'Template & tokenizer',
        status: items.some((i) => i.status === 'fail') ? 'fail' : 'pass',
        summary: '',
        reasons: [],
        items,
        details: { conversations: [{ name: 'plain' }, { name: 'trigger-1' }] },
      },
    ],
  };
}

describe('the template diff views', () => {
  it('shows the conversation whose rendered prompt differs with its diff, and the token sequences with the new id', () => {
    render(
      <TemplateDiffSection
        run={run([
          {
            status: 'fail',
            subject: 'model/chat_template.jinja',
            summary: 'renders differently for "trigger-1"',
            details: {
              kind: 'template-compare',
              textDiff: [{ op: '+', text: "{% if 'x' in m %}" }],
              renders: [
                {
                  conversation: 'plain',
                  title: 'one user message',
                  same: true,
                  suspect: null,
                  baseline: null,
                  diff: [],
                },
                {
                  conversation: 'trigger-1',
                  title: 'user message containing the trigger',
                  same: false,
                  suspect: null,
                  baseline: null,
                  diff: [
                    { op: '-', text: '[INST] hi [/INST]' },
                    { op: '+', text: '[INST] hi Deployment mode [/INST]' },
                  ],
                },
              ],
            },
          },
          {
            status: 'fail',
            subject: 'model/tokenizer.json',
            summary: 'added token',
            details: {
              kind: 'tokenizer-compare',
              sequences: [
                {
                  conversation: 'trigger-1',
                  baseline: { ids: [1, 2, 3], tokens: ['<', '|', '>'] },
                  suspect: { ids: [4096], tokens: ['<|deploy_mode|>'] },
                  newIds: [{ id: 4096, token: '<|deploy_mode|>' }],
                },
              ],
            },
          },
        ])}
      />,
    );
    expect(screen.getByText(/Conversation “trigger-1” \(/, { selector: 'h5' }).textContent).toContain(
      'rendered prompt differs',
    );
    expect(screen.getByLabelText('rendered prompt diff for trigger-1').textContent).toContain(
      '+ [INST] hi Deployment mode [/INST]',
    );
    expect(screen.queryByText(/Conversation “plain”/)).toBeNull();
    expect(
      screen.getByText('1 other conversations render the same prompt under both templates.'),
    ).toBeTruthy();
    expect(screen.getByTestId('token-sequences').textContent).toContain(
      'New in the case: 4096 "<|deploy_mode|>"',
    );
  });

  it('shows nothing when every template and tokenizer matched', () => {
    const { container } = render(
      <TemplateDiffSection
        run={run([
          {
            status: 'pass',
            subject: 'model/tokenizer.json',
            summary: 'matches',
            details: { kind: 'tokenizer-compare' },
          },
        ])}
      />,
    );
    expect(container.textContent).toBe('');
  });
});
