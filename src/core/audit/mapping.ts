/**
 * `--map field=json.path`: point a field of the audit at another place in each record, for logs
 * whose layout differs from the format's documented one (e.g. `--map user_id=metadata.account` or
 * `--map timestamp=ts`). The path is evaluated on the record as parsed (for OpenTelemetry, on the
 * span object with its attributes as `attributes`), and replaces what the format would have read;
 * a path that finds nothing leaves the field missing (and counted), never guessed.
 */
import { ProbityError } from '../util/errors';
import { firstText, outputParts, toolCallsOf } from './formats/common';
import { evaluatePath, parsePath, type PathStep } from './json-path';
import { MAPPABLE_FIELDS, type ExtractedRecord, type MappableField } from './types';

export type FieldMapping = ReadonlyMap<MappableField, { path: string; steps: PathStep[] }>;

/**
 * Parse `field=path` entries.
 * @throws ProbityError('usage') for an unknown field, a missing `=`, a bad path or a field given twice.
 */
export function parseMapping(entries: readonly string[]): FieldMapping {
  const out = new Map<MappableField, { path: string; steps: PathStep[] }>();
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const field = entry.slice(0, Math.max(0, eq)).trim();
    const path = entry.slice(eq + 1).trim();
    if (eq <= 0 || path === '') throw new ProbityError('usage', `--map ${entry}: expected field=json.path`);
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new ProbityError(
        'usage',
        `--map ${entry}: unknown field "${field}" (${MAPPABLE_FIELDS.join(', ')})`,
      );
    }
    const key = field as MappableField;
    if (out.has(key)) throw new ProbityError('usage', `--map: ${field} is mapped twice`);
    out.set(key, { path, steps: parsePath(path) });
  }
  return out;
}

/** The mapping as recorded (and compared when an import is resumed): field → path, sorted. */
export function mappingRecord(mapping: FieldMapping): Record<string, string> {
  return Object.fromEntries(
    [...mapping.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, m]) => [f, m.path]),
  );
}

function responseText(v: unknown): string | null {
  const out = outputParts(v);
  return out.text.length > 0 ? out.text.join('\n') : null;
}

/** Apply the mapping to an extracted record, in place. */
export function applyMapping(rec: ExtractedRecord, mapping: FieldMapping): void {
  for (const [field, { steps }] of mapping) {
    const v = evaluatePath(rec.raw, steps);
    switch (field) {
      case 'timestamp':
        rec.timestamp = v;
        break;
      case 'request_id':
        rec.requestId = firstText(v);
        break;
      case 'user_id':
        rec.userId = firstText(v);
        break;
      case 'conversation_id':
        rec.conversationId = firstText(v);
        break;
      case 'model_version':
        rec.modelVersion = firstText(v);
        break;
      case 'downstream':
        rec.downstream = firstText(v);
        break;
      case 'response':
        rec.response = responseText(v);
        break;
      case 'tool_calls':
        rec.toolCalls = toolCallsOf(v);
        break;
    }
  }
}
