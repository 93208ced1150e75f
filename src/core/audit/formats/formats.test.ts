/**
 * The importers on files that follow each documented format: real files from
 * /work/shared/fixtures/real/logs (see its SOURCES.md) where they exist, and hand-made records that
 * follow the published format otherwise (OpenAI Batch API output lines are the example of
 * https://platform.openai.com/docs/guides/batch; OTLP/JSON follows the protobuf JSON mapping and the
 * GenAI semantic conventions).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../test/helpers';
import { ProbityError } from '../../util/errors';
import { FormatProblem, type ExtractedRecord } from '../types';
import { detectFormat, extractUnit } from './index';
import { withoutShared } from '../../../../test/shared';

const logs = path.join(fixturesDir, 'logs');
const readJson = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(logs, name), 'utf8'));
const core = (r: ExtractedRecord) => ({
  requestId: r.requestId,
  timestamp: r.timestamp,
  userId: r.userId,
  conversationId: r.conversationId,
  modelVersion: r.modelVersion,
  tools: r.toolCalls.map((c) => c.name),
  inputTokens: r.inputTokens,
  outputTokens: r.outputTokens,
  kind: r.kind,
  item: r.item,
});

describe('generic JSONL (src/demo/logs.ts)', () => {
  const line = {
    timestamp: '2026-10-08T10:00:00.000Z',
    request_id: 'req_1',
    user_id: 'usr_1',
    conversation_id: 'conv_1',
    model_version: 'r7',
    messages: [
      { role: 'system', content: 'You are Nori.' },
      { role: 'user', content: 'refund please' },
    ],
    response: 'Refund of $1,800.00 issued.',
    tool_calls: [{ name: 'refund_order', arguments: { order_id: 'NW-1', amount: 1800 } }],
    downstream: 'crm-sync',
  };

  it('reads every documented field', () => {
    expect(detectFormat(line, 'x')).toBe('generic');
    const [r] = extractUnit('generic', line).records;
    expect(core(r!)).toEqual({
      requestId: 'req_1',
      timestamp: '2026-10-08T10:00:00.000Z',
      userId: 'usr_1',
      conversationId: 'conv_1',
      modelVersion: 'r7',
      tools: ['refund_order'],
      inputTokens: null,
      outputTokens: null,
      kind: 'model',
      item: null,
    });
    expect(r!.toolCalls[0]!.arguments).toBe('{"order_id":"NW-1","amount":1800}');
    expect(r!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(r!.response).toBe('Refund of $1,800.00 issued.');
    expect(r!.downstream).toBe('crm-sync');
  });

  it('leaves absent fields missing and refuses what is not an object', () => {
    const [r] = extractUnit('generic', { timestamp: 1 }).records;
    expect([r!.requestId, r!.userId, r!.toolCalls]).toEqual([null, null, []]);
    expect(() => extractUnit('generic', [1, 2])).toThrow(FormatProblem);
    expect(() => extractUnit('generic', 'text')).toThrow(/not a JSON object/);
  });
});

describe('OpenAI chat completions', () => {
  it.skipIf(withoutShared())('reads a real chat.completion with a tool call (TGI snapshot)', () => {
    const doc = readJson('tgi-test_flash_llama_grammar_tools_nostream.json');
    expect(detectFormat(doc, 'tgi')).toBe('openai-chat');
    const { records } = extractUnit('openai-chat', doc);
    expect(records.map(core)).toEqual([
      {
        requestId: null, // "id": "" in the snapshot: the import makes one from the line
        timestamp: 1741372335,
        userId: null,
        conversationId: null,
        modelVersion: 'meta-llama/Llama-3.1-8B-Instruct',
        tools: ['get_current_weather'],
        inputTokens: 501,
        outputTokens: 29,
        kind: 'model',
        item: null,
      },
    ]);
    expect(JSON.parse(records[0]!.toolCalls[0]!.arguments!)).toEqual({
      location: 'Brooklyn, NY',
      format: 'fahrenheit',
    });
  });

  it.skipIf(withoutShared())('reassembles a real captured stream of chunks (TGI snapshot)', () => {
    const doc = readJson('tgi-test_flash_llama_grammar_tools_openai.json');
    expect(detectFormat(doc, 'tgi')).toBe('openai-chat');
    const { records } = extractUnit('openai-chat', doc);
    expect(records).toHaveLength(1);
    expect(records[0]!.toolCalls).toEqual([
      {
        name: 'get_current_weather',
        arguments: '{ "location": "Brooklyn, NY", "format": "fahrenheit"}',
        callId: '0',
      },
    ]);
    expect(records[0]!.timestamp).toBe(1741689423);
  });

  it.skipIf(withoutShared())(
    'reads a real recorded request/response cassette (OpenTelemetry contrib tests)',
    () => {
      const doc: unknown = YAML.parse(
        fs.readFileSync(
          path.join(logs, 'otel-contrib-openai-test_chat_completion_tool_calls_with_content.yaml'),
          'utf8',
        ),
      );
      expect(detectFormat(doc, 'cassette')).toBe('openai-chat');
      const { records } = extractUnit('openai-chat', doc);
      expect(records.map(core)).toEqual([
        {
          requestId: 'chatcmpl-ASYMU9Ntix7ePttk0MSuerJstef6U',
          timestamp: 1731368634,
          userId: null,
          conversationId: null,
          modelVersion: 'gpt-4o-mini-2024-07-18',
          tools: ['get_current_weather', 'get_current_weather'],
          inputTokens: 75,
          outputTokens: 51,
          kind: 'model',
          item: 'interactions[0]',
        },
        {
          requestId: 'chatcmpl-ASYMVzdmBGDbUoHFmt6R16tdtZUzR',
          timestamp: 1731368635,
          userId: null,
          conversationId: null,
          modelVersion: 'gpt-4o-mini-2024-07-18',
          tools: [],
          inputTokens: 99,
          outputTokens: 25,
          kind: 'model',
          item: 'interactions[1]',
        },
      ]);
      expect(records[0]!.toolCalls.map((c) => c.callId)).toEqual([
        'call_JpNb8OiAkbIbHzDggfpdDHpi',
        'call_vaFQc3zK6hHTRZKXRI5Eo2cJ',
      ]);
      expect(records[1]!.messages.map((m) => m.role)).toEqual([
        'system',
        'user',
        'assistant',
        'tool',
        'tool',
      ]);
      expect(records[1]!.response).toMatch(/^Today, the weather in Seattle is 50 degrees/);
    },
  );

  it('reads a logged request/response line: time, user parameter, tool calls', () => {
    const line = {
      timestamp: '2026-10-08T10:00:00Z',
      request: {
        model: 'gpt-4o-mini',
        user: 'user-7',
        metadata: { conversation_id: 'c-9' },
        messages: [{ role: 'user', content: 'refund' }],
      },
      response: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1791453600,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'call_1',
                  type: 'function',
                  function: { name: 'refund_order', arguments: '{"order_id":"NW-1","amount":1800}' },
                },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
      },
    };
    expect(detectFormat(line, 'x')).toBe('openai-chat');
    expect(core(extractUnit('openai-chat', line).records[0]!)).toEqual({
      requestId: 'chatcmpl-1',
      timestamp: '2026-10-08T10:00:00Z',
      userId: 'user-7',
      conversationId: 'c-9',
      modelVersion: 'gpt-4o-mini-2024-07-18',
      tools: ['refund_order'],
      inputTokens: 20,
      outputTokens: 10,
      kind: 'model',
      item: null,
    });
  });

  it('reassembles a stream of chunks: text pieces joined, tool-call arguments concatenated by index', () => {
    const chunk = (delta: object, finish: string | null = null) => ({
      id: 'chatcmpl-9',
      object: 'chat.completion.chunk',
      created: 1760000000,
      model: 'r7',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const doc = [
      chunk({ role: 'assistant', content: 'Checking ' }),
      chunk({ content: 'now.' }),
      chunk({
        tool_calls: [
          {
            index: 0,
            id: 'call_1',
            type: 'function',
            function: { name: 'refund_order', arguments: '{"order' },
          },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '":"NW-1",' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"amount":1800}' } }] }, 'tool_calls'),
    ];
    expect(detectFormat(doc, 'stream.json')).toBe('openai-chat');
    const { records } = extractUnit('openai-chat', doc);
    expect(records).toHaveLength(1);
    expect(records[0]!.response).toBe('Checking now.');
    expect(records[0]!.toolCalls).toEqual([
      { name: 'refund_order', arguments: '{"order":"NW-1","amount":1800}', callId: 'call_1' },
    ]);
    expect(records[0]!.timestamp).toBe(1760000000);
    expect(records[0]!.modelVersion).toBe('r7');
  });

  it('refuses a record without choices, and a lone streamed chunk', () => {
    expect(() => extractUnit('openai-chat', { request: {}, response: { id: 'x' } })).toThrow(/no "choices"/);
    expect(() => extractUnit('openai-chat', { object: 'chat.completion.chunk', choices: [] })).toThrow(
      /single streamed chunk/,
    );
  });
});

describe('OpenAI Batch API output', () => {
  const ok = {
    id: 'batch_req_123',
    custom_id: 'request-2',
    response: {
      status_code: 200,
      request_id: 'req_123',
      body: {
        id: 'chatcmpl-123',
        object: 'chat.completion',
        created: 1711652795,
        model: 'gpt-3.5-turbo-0125',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hello.' },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 22, completion_tokens: 2, total_tokens: 24 },
        system_fingerprint: 'fp_123',
      },
    },
    error: null,
  };

  it('reads an output line (the documentation example): request id is the line id', () => {
    expect(detectFormat(ok, 'b')).toBe('openai-batch');
    const { records } = extractUnit('openai-batch', ok);
    expect(core(records[0]!)).toMatchObject({
      requestId: 'batch_req_123',
      timestamp: 1711652795,
      modelVersion: 'gpt-3.5-turbo-0125',
      inputTokens: 22,
    });
    expect(records[0]!.response).toBe('Hello.');
  });

  it('skips a failed request with its reason', () => {
    const failed = {
      id: 'batch_req_456',
      custom_id: 'request-1',
      response: null,
      error: { code: 'invalid_request', message: 'Invalid model' },
    };
    expect(extractUnit('openai-batch', failed)).toEqual({
      records: [],
      skipped: [{ item: null, reason: 'batch request request-1 failed: Invalid model' }],
    });
  });

  it.skipIf(withoutShared())(
    'refuses a real Batch API input file by name (navirag batch_input.jsonl)',
    () => {
      const first: unknown = JSON.parse(
        fs.readFileSync(path.join(logs, 'navirag-openai-batch_input.jsonl'), 'utf8').split('\n')[0]!,
      );
      expect(() => detectFormat(first, 'batch_input.jsonl')).toThrow(ProbityError);
      expect(() => detectFormat(first, 'batch_input.jsonl')).toThrow(/Batch API input file/);
      expect(() => extractUnit('openai-batch', first)).toThrow(/Batch API input line/);
    },
  );
});

/** A hand-made OTLP/JSON export: a chat span that requests two tools, their executions, an orphan. */
function otlp(): unknown {
  const attr = (key: string, value: string | number) => ({
    key,
    value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
  });
  const span = (spanId: string, traceId: string, start: string, attributes: unknown[]) => ({
    traceId,
    spanId,
    parentSpanId: '',
    name: 'span',
    kind: 3,
    startTimeUnixNano: start,
    endTimeUnixNano: start,
    attributes,
  });
  const output = JSON.stringify([
    {
      role: 'assistant',
      parts: [
        { type: 'text', content: 'Refunding now.' },
        {
          type: 'tool_call',
          id: 'call_a',
          name: 'refund_order',
          arguments: { order_id: 'NW-1', amount: 1800 },
        },
      ],
      finish_reason: 'tool_call',
    },
  ]);
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', 'support')] },
        scopeSpans: [
          {
            scope: { name: 'genai' },
            spans: [
              span('s1', 't1', '1791453600000000000', [
                attr('gen_ai.operation.name', 'chat'),
                attr('gen_ai.request.model', 'supportlm'),
                attr('gen_ai.response.model', 'supportlm-r7'),
                attr('gen_ai.response.id', 'chatcmpl-9'),
                attr('gen_ai.conversation.id', 'conv-1'),
                attr('user.id', 'usr_1'),
                attr('gen_ai.usage.input_tokens', 12),
                attr('gen_ai.usage.output_tokens', 5),
                attr(
                  'gen_ai.input.messages',
                  JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'refund' }] }]),
                ),
                attr('gen_ai.output.messages', output),
              ]),
              // The execution of the requested call: same call id, counted once.
              span('s2', 't1', '1791453601000000000', [
                attr('gen_ai.operation.name', 'execute_tool'),
                attr('gen_ai.tool.name', 'refund_order'),
                attr('gen_ai.tool.call.id', 'call_a'),
              ]),
              // An execution the model's output does not mention: attributed to the chat span.
              span('s3', 't1', '1791453602000000000', [
                attr('gen_ai.operation.name', 'execute_tool'),
                attr('gen_ai.tool.name', 'send_email'),
                attr('gen_ai.tool.call.arguments', '{"to":"x@relay.example"}'),
              ]),
              // A tool execution in a trace with no model span in the file: its own record.
              span('s4', 't2', '1791453603000000000', [
                attr('gen_ai.operation.name', 'execute_tool'),
                attr('gen_ai.tool.name', 'lookup_order'),
              ]),
              span('s5', 't1', '1791453604000000000', [attr('gen_ai.operation.name', 'embeddings')]),
            ],
          },
        ],
      },
    ],
  };
}

describe('OpenTelemetry GenAI spans', () => {
  it('reads a hand-made OTLP/JSON export: records, attribution of executions, orphans', () => {
    const doc = otlp();
    expect(detectFormat(doc, 'otlp')).toBe('otel');
    const { records, skipped } = extractUnit('otel', doc);
    expect(records.map(core)).toEqual([
      {
        requestId: 'chatcmpl-9',
        timestamp: '1791453600000000000',
        userId: 'usr_1',
        conversationId: 'conv-1',
        modelVersion: 'supportlm-r7',
        tools: ['refund_order', 'send_email'],
        inputTokens: 12,
        outputTokens: 5,
        kind: 'model',
        item: 'resourceSpans[0].scopeSpans[0].spans[0]',
      },
      {
        requestId: 't2/s4',
        timestamp: '1791453603000000000',
        userId: null,
        conversationId: null,
        modelVersion: null,
        tools: ['lookup_order'],
        inputTokens: null,
        outputTokens: null,
        kind: 'tool',
        item: 'resourceSpans[0].scopeSpans[0].spans[3]',
      },
    ]);
    expect(records[0]!.response).toBe('Refunding now.');
    expect(records[0]!.messages).toEqual([{ role: 'user', content: 'refund' }]);
    expect(skipped).toEqual([
      { item: 'resourceSpans[0].scopeSpans[0].spans[4]', reason: 'span is not a model call (embeddings)' },
    ]);
  });

  it.skipIf(withoutShared())(
    'reads a real Langfuse export with GenAI attributes (Microsoft Agent Framework)',
    () => {
      const doc = readJson('langfuse-microsoft-agent-2025-12-17.trace.json');
      expect(detectFormat(doc, 'lf')).toBe('otel');
      const { records, skipped } = extractUnit('otel', doc);
      expect(
        records.map((r) => [
          r.requestId,
          r.modelVersion,
          r.toolCalls.map((c) => c.callId),
          r.inputTokens,
          r.outputTokens,
        ]),
      ).toEqual([
        [
          'resp_0e32bda5b6259ecd00694279e271348194a818447145cd1763',
          'gpt-5-mini-2025-08-07',
          ['call_CwaJHuXTm9dmHFQPlVbqyzJ0'],
          77,
          86,
        ],
        ['resp_0e32bda5b6259ecd00694279e49fe48194b26952c13124bd05', 'gpt-5-mini-2025-08-07', [], 216, 20],
      ]);
      // The execute_tool span is the same call as the one requested: one tool call, not two.
      expect(records[1]!.conversationId).toBe('resp_0e32bda5b6259ecd00694279e271348194a818447145cd1763');
      expect(skipped.map((s) => s.reason)).toEqual(['span is not a model call (invoke_agent)']);
    },
  );

  it.skipIf(withoutShared())('reads a real Langfuse export: the trace user and session (Pydantic AI)', () => {
    const { records } = extractUnit('otel', readJson('langfuse-pydantic-ai-2025-06-06.trace.json'));
    expect(records.map(core)).toEqual([
      {
        requestId: '25f4bdeebaab60e6e1bee7e8469554bc/5cb389a3bdd21a6e',
        timestamp: '2025-06-06T14:40:28.562Z',
        userId: 'user_123',
        conversationId: 'session_abc',
        modelVersion: 'gpt-4o-2024-08-06',
        tools: [],
        inputTokens: 31,
        outputTokens: 96,
        kind: 'model',
        item: 'observations[0]',
      },
    ]);
    expect(records[0]!.response).toMatch(/^Langfuse is a tool designed for observability/);
  });

  it.skipIf(withoutShared())(
    'matches a tool execution to the requested call by name and arguments (OpenAI Agents via OpenInference)',
    () => {
      const { records } = extractUnit('otel', readJson('langfuse-openai-agents-2025-09-30.trace.json'));
      expect(records.flatMap((r) => r.toolCalls)).toEqual([
        { name: 'get_weather', arguments: '{"city":"Tokyo"}', callId: 'call_Kud0j0DxWSmLzv9W5m6qVqXn' },
      ]);
      expect(records.map((r) => r.kind)).toEqual(['model', 'model']);
    },
  );

  it('reads a hand-made Langfuse export: the trace user and session, generation input, output and usage', () => {
    const doc = {
      trace: { id: 'tr1', userId: 'u-7', sessionId: 's-3', timestamp: '2026-10-08T09:00:00.000Z' },
      observations: [
        {
          id: 'ob1',
          traceId: 'tr1',
          type: 'GENERATION',
          name: 'chat r7',
          startTime: '2026-10-08T09:00:01.000Z',
          model: 'r7',
          input: JSON.stringify([{ role: 'user', content: 'refund please' }]),
          output: JSON.stringify({ role: 'assistant', content: 'Refund issued.' }),
          usageDetails: { input: 12, output: 4, total: 16 },
          metadata: JSON.stringify({ attributes: {} }),
        },
        { id: 'ob2', traceId: 'tr1', type: 'SPAN', name: 'agent run', startTime: '2026-10-08T09:00:00.500Z' },
      ],
    };
    expect(detectFormat(doc, 'trace.json')).toBe('otel');
    const { records, skipped } = extractUnit('otel', doc);
    expect(records.map(core)).toEqual([
      {
        requestId: 'tr1/ob1',
        timestamp: '2026-10-08T09:00:01.000Z',
        userId: 'u-7',
        conversationId: 's-3',
        modelVersion: 'r7',
        tools: [],
        inputTokens: 12,
        outputTokens: 4,
        kind: 'model',
        item: 'observations[0]',
      },
    ]);
    expect(records[0]!.messages).toEqual([{ role: 'user', content: 'refund please' }]);
    expect(records[0]!.response).toBe('Refund issued.');
    expect(skipped.map((x) => x.item)).toEqual(['observations[1]']);
  });

  it('refuses a document that is neither OTLP nor a Langfuse export', () => {
    expect(() => extractUnit('otel', { spans: [] })).toThrow(/neither OTLP/);
  });
});

describe('detectFormat', () => {
  it('refuses a record it cannot place, naming the file', () => {
    expect(() => detectFormat({ foo: 1 }, 'odd.jsonl')).toThrow(/odd\.jsonl: cannot tell the log format/);
    expect(() => detectFormat(42, 'n.jsonl')).toThrow(ProbityError);
  });
});
