import { describe, expect, it } from 'vitest';
import { ProbityError } from '../util/errors';
import { evaluatePath, parsePath } from './json-path';
import { applyMapping, mappingRecord, parseMapping } from './mapping';
import type { ExtractedRecord } from './types';

describe('json paths', () => {
  it('parses members, indexes and quoted keys', () => {
    expect(parsePath('metadata.user.id')).toEqual(['metadata', 'user', 'id']);
    expect(parsePath('choices[0].message.content')).toEqual(['choices', 0, 'message', 'content']);
    expect(parsePath('attributes["gen_ai.conversation.id"]')).toEqual([
      'attributes',
      'gen_ai.conversation.id',
    ]);
    expect(parsePath("a['x\\'y']")).toEqual(['a', "x'y"]);
  });

  it('names the position of a bad character', () => {
    expect(() => parsePath('a..b')).toThrow(/at character 3/);
    expect(() => parsePath('a[x]')).toThrow(ProbityError);
    expect(() => parsePath('')).toThrow(ProbityError);
  });

  it('evaluates to undefined when a step is missing', () => {
    const v = { a: [{ b: 1 }], c: null };
    expect(evaluatePath(v, ['a', 0, 'b'])).toBe(1);
    expect(evaluatePath(v, ['a', 1, 'b'])).toBeUndefined();
    expect(evaluatePath(v, ['c', 'd'])).toBeUndefined();
    expect(evaluatePath(v, ['toString'])).toBeUndefined();
  });
});

function blank(raw: unknown): ExtractedRecord {
  return {
    requestId: null,
    timestamp: undefined,
    userId: null,
    conversationId: null,
    modelVersion: null,
    downstream: null,
    messages: [],
    response: null,
    toolCalls: [],
    inputTokens: null,
    outputTokens: null,
    kind: 'model',
    item: null,
    raw,
  };
}

describe('--map', () => {
  it('sets fields from paths and leaves missing ones missing', () => {
    const m = parseMapping([
      'timestamp=ts',
      'user_id=meta.account',
      'request_id=ids[1]',
      'tool_calls=actions',
      'conversation_id=nope',
    ]);
    const rec = blank({
      ts: 1791295920,
      meta: { account: 42 },
      ids: ['x', 'y'],
      actions: [{ function: { name: 'f', arguments: '{}' } }],
    });
    applyMapping(rec, m);
    expect(rec).toMatchObject({ timestamp: 1791295920, userId: '42', requestId: 'y', conversationId: null });
    expect(rec.toolCalls).toEqual([{ name: 'f', arguments: '{}', callId: null }]);
    expect(mappingRecord(m)).toEqual({
      conversation_id: 'nope',
      request_id: 'ids[1]',
      timestamp: 'ts',
      tool_calls: 'actions',
      user_id: 'meta.account',
    });
  });

  it('refuses unknown fields, missing paths and repeats', () => {
    expect(() => parseMapping(['colour=a'])).toThrow(/unknown field "colour"/);
    expect(() => parseMapping(['user_id'])).toThrow(/expected field=json.path/);
    expect(() => parseMapping(['user_id=a', 'user_id=b'])).toThrow(/mapped twice/);
  });
});
