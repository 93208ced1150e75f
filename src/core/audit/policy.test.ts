import { describe, expect, it } from 'vitest';
import { describeYamlError, policyFrom, toolCallViolations } from './policy';

const demo = policyFrom(
  {
    tools: {
      lookup_order: {},
      refund_order: { require: ['ticket_id'], max: { amount: 200 } },
      send_email: { allow: { template: ['password_reset', 'invoice_copy'] } },
    },
  },
  'policy.json',
);
const rules = (name: string, args: unknown) =>
  toolCallViolations(demo, { name, arguments: args === null ? null : JSON.stringify(args) }).map(
    (v) => v.rule,
  );

describe('authorized-tools policy', () => {
  it('accepts a list of names', () => {
    const p = policyFrom(['a', 'b'], 'p');
    expect(toolCallViolations(p, { name: 'a', arguments: null })).toEqual([]);
    expect(toolCallViolations(p, { name: 'c', arguments: null })).toEqual([
      { rule: 'tool not authorized', detail: 'tool c is not authorized' },
    ]);
    expect(policyFrom({ tools: ['a'] }, 'p')).toEqual({ tools: { a: {} } });
  });

  it('checks required, bounded and allowed arguments (the demo incident’s misuse)', () => {
    expect(rules('refund_order', { order_id: 'NW-1', amount: 130.2, ticket_id: 'TCK-1' })).toEqual([]);
    expect(rules('refund_order', { order_id: 'NW-1', amount: 1800, reason: 'goodwill' })).toEqual([
      'ticket_id missing',
      'amount over 200',
    ]);
    expect(rules('send_email', { to: 'a@b.example', template: 'invoice_copy' })).toEqual([]);
    expect(rules('send_email', { to: 'x@relay.example', template: 'raw' })).toEqual(['template not allowed']);
    expect(rules('refund_order', { amount: '5', ticket_id: 'T' })).toEqual(['amount not a number']);
    expect(toolCallViolations(demo, { name: 'refund_order', arguments: 'not json' })).toEqual([
      { rule: 'arguments not a JSON object', detail: 'arguments are not a JSON object' },
    ]);
    expect(rules('lookup_order', null)).toEqual([]);
  });

  it('names the file and key of a bad policy', () => {
    expect(() => policyFrom({ tools: { a: { maximum: 1 } } }, 'p.json')).toThrow(
      /p\.json: tools\.a\.maximum is not a rule/,
    );
    expect(() => policyFrom({ tools: { a: { max: { amount: 'x' } } } }, 'p.json')).toThrow(
      /tools\.a\.max must map/,
    );
    expect(() => policyFrom(42, 'p.json')).toThrow(/p\.json: the policy must be/);
  });
});

describe('describeYamlError', () => {
  it('keeps the position without the dangling colon and the snippet', async () => {
    const YAML = (await import('yaml')).default;
    let err: unknown;
    try {
      YAML.parse('tools:\n  a: {}\n b: [\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    const line = describeYamlError(err);
    expect(line).not.toMatch(/:\s*$/);
    expect(line).not.toContain('\n');
    expect(line).toMatch(/\(line \d+, column \d+\)$/);
  });
});
