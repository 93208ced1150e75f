/**
 * The small path language of `--map field=json.path`: member names separated by dots, array
 * indexes in brackets, and bracketed quoted names for keys that hold dots or brackets
 * (OpenTelemetry attribute names do):
 *
 *   metadata.user.id      choices[0].message.content      attributes["gen_ai.conversation.id"]
 *
 * A path is parsed once, then evaluated against every record; a step that does not exist yields
 * undefined (the field is then missing for that record, and counted as such), never an error.
 */
import { ProbityError } from '../util/errors';

export type PathStep = string | number;

const NAME = /^[A-Za-z_$][\w$-]*/;

function quoted(text: string, at: number): { value: string; end: number } | null {
  const quote = text[at];
  if (quote !== '"' && quote !== "'") return null;
  let value = '';
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      value += text[i + 1];
      i++;
    } else if (c === quote) {
      return text[i + 1] === ']' ? { value, end: i + 2 } : null;
    } else value += c;
  }
  return null;
}

function bracket(text: string, at: number): { step: PathStep; end: number } | null {
  const q = quoted(text, at + 1);
  if (q) return { step: q.value, end: q.end };
  const m = /^(\d+)\]/.exec(text.slice(at + 1));
  return m ? { step: Number(m[1]), end: at + 1 + m[0].length } : null;
}

/**
 * Parse a path into steps.
 * @throws ProbityError('usage') naming the path and the position of the first bad character.
 */
export function parsePath(path: string): PathStep[] {
  const steps: PathStep[] = [];
  let i = 0;
  const fail = (): never => {
    throw new ProbityError(
      'usage',
      `--map: cannot read the path ${JSON.stringify(path)} at character ${i + 1}`,
    );
  };
  while (i < path.length) {
    if (path[i] === '[') {
      const b = bracket(path, i) ?? fail();
      steps.push(b.step);
      i = b.end;
    } else {
      if (steps.length > 0) {
        if (path[i] !== '.') fail();
        i++;
      }
      const m = NAME.exec(path.slice(i)) ?? fail();
      steps.push(m[0]);
      i += m[0].length;
    }
  }
  if (steps.length === 0) fail();
  return steps;
}

/** The value at `steps` inside `value`, or undefined when any step is missing. */
export function evaluatePath(value: unknown, steps: readonly PathStep[]): unknown {
  let cur: unknown = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[step];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(cur, step)) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}
