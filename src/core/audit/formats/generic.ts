/**
 * Probity's generic output-log format, one JSON object per line (src/demo/logs.ts documents it):
 *
 *   {timestamp, request_id, user_id, conversation_id, model_version,
 *    messages: [{role, content}], response, tool_calls: [{name, arguments}], downstream}
 *
 * Only `timestamp` is required (checked by the importer, after any `--map`); every other field may be
 * absent and is then recorded as missing, never guessed. `response` may be a string or a message
 * object; tool calls may also use the OpenAI `{function: {name, arguments}}` shape.
 */
import { FormatProblem, type UnitRecords } from '../types';
import { firstText, isObject, messagesOf, numberOrNull, outputParts, toolCallsOf } from './common';

/**
 * The record of one generic line. With `content` false the conversation and response text are left
 * out (the import does not store them: review reads them back from the evidence).
 */
export function extractGeneric(unit: unknown, content = true): UnitRecords {
  if (!isObject(unit)) throw new FormatProblem('not a JSON object');
  // A plain-text response holds no tool calls: only a message object is taken apart.
  const text = typeof unit.response === 'string' ? unit.response : null;
  const out = text === null ? outputParts(unit.response) : { text: text === '' ? [] : [text], toolCalls: [] };
  const usage = unit.usage;
  return {
    records: [
      {
        requestId: firstText(unit.request_id),
        timestamp: unit.timestamp,
        userId: firstText(unit.user_id),
        conversationId: firstText(unit.conversation_id),
        modelVersion: firstText(unit.model_version),
        downstream: firstText(unit.downstream),
        messages: content ? messagesOf(unit.messages) : [],
        response: content && out.text.length > 0 ? out.text.join('\n') : null,
        toolCalls: [...toolCallsOf(unit.tool_calls), ...out.toolCalls],
        inputTokens: isObject(usage) ? numberOrNull(usage.input_tokens ?? usage.prompt_tokens) : null,
        outputTokens: isObject(usage) ? numberOrNull(usage.output_tokens ?? usage.completion_tokens) : null,
        kind: 'model',
        item: null,
        raw: unit,
      },
    ],
    skipped: [],
  };
}
