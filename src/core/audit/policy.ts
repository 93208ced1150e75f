/**
 * Which tool calls were authorized: the policy of the playbook's "Tool call audit" row ("Check for
 * unauthorized actions"). Probity does not guess it from the logs: the investigator supplies it as a
 * JSON or YAML file (`--authorized-tools FILE`), stored with the window it applies to (and recorded,
 * with its SHA-256, in the custody log).
 *
 * Forms accepted:
 *   ["lookup_order", "search_kb"]                         names only
 *   {"tools": ["lookup_order", "search_kb"]}              the same
 *   {"tools": {"refund_order": {"require": ["ticket_id"], "max": {"amount": 200}},
 *              "send_email": {"allow": {"template": ["password_reset", "invoice_copy"]}},
 *              "lookup_order": {}}}                       names with argument rules
 *
 * A tool call is unauthorized when its tool is not listed, or when it breaks a rule of its tool:
 * `require` — each named argument must be present and not null or empty; `max` — each named argument
 * must be a number no greater than the bound; `allow` — each named argument must equal one of the
 * listed values. Rules read the call's arguments as a JSON object; arguments that are not one break
 * every rule that needs them.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import YAML from 'yaml';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError, describeFsError } from '../util/errors';
import { decodeNestedJson, isObject } from './formats/common';

type Scalar = string | number | boolean;

export interface ToolRule {
  require?: string[];
  max?: Record<string, number>;
  allow?: Record<string, Scalar[]>;
}

export interface ToolPolicy {
  tools: Record<string, ToolRule>;
}

/** A policy as read from its file, with the digest recorded in custody. */
export interface LoadedPolicy {
  policy: ToolPolicy;
  /** SHA-256 of the canonical JSON of the policy. */
  sha256: string;
  file: string | null;
}

function bad(label: string, where: string, what: string): ProbityError {
  return new ProbityError('malformed', `${label}: ${where} ${what}`, { file: label });
}

function stringList(v: unknown, label: string, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) {
    throw bad(label, where, 'must be a list of names');
  }
  return v as string[];
}

function ruleOf(v: unknown, label: string, tool: string): ToolRule {
  if (v === null || v === true) return {};
  if (!isObject(v)) throw bad(label, `tools.${tool}`, 'must be an object of rules (require, max, allow)');
  const rule: ToolRule = {};
  for (const key of Object.keys(v)) {
    if (!['require', 'max', 'allow'].includes(key))
      throw bad(label, `tools.${tool}.${key}`, 'is not a rule (require, max, allow)');
  }
  if (v.require !== undefined) rule.require = stringList(v.require, label, `tools.${tool}.require`);
  if (v.max !== undefined) {
    if (!isObject(v.max) || !Object.values(v.max).every((n) => typeof n === 'number' && Number.isFinite(n))) {
      throw bad(label, `tools.${tool}.max`, 'must map argument names to numbers');
    }
    rule.max = v.max as Record<string, number>;
  }
  if (v.allow !== undefined) {
    const ok = (x: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof x);
    if (!isObject(v.allow) || !Object.values(v.allow).every((l) => Array.isArray(l) && l.every(ok))) {
      throw bad(label, `tools.${tool}.allow`, 'must map argument names to lists of values');
    }
    rule.allow = v.allow as Record<string, Scalar[]>;
  }
  return rule;
}

/**
 * Read a policy from parsed JSON/YAML.
 * @throws ProbityError('malformed') naming `label` and the offending key.
 */
export function policyFrom(value: unknown, label: string): ToolPolicy {
  const tools = Array.isArray(value) ? value : isObject(value) ? value.tools : undefined;
  if (Array.isArray(tools)) {
    return { tools: Object.fromEntries(stringList(tools, label, 'tools').map((t) => [t, {}])) };
  }
  if (!isObject(tools)) throw bad(label, 'the policy', 'must be a list of tool names or {"tools": …}');
  return {
    tools: Object.fromEntries(Object.entries(tools).map(([name, r]) => [name, ruleOf(r, label, name)])),
  };
}

/** A policy with its digest. */
export function loadedPolicy(policy: ToolPolicy, file: string | null): LoadedPolicy {
  return { policy, sha256: createHash('sha256').update(canonicalJson(policy)).digest('hex'), file };
}

/**
 * The YAML parser's message on one line: its first line ends "at line 4, column 2:" before a
 * snippet of the text, which is dropped; the position is kept in parentheses.
 */
export function describeYamlError(err: unknown): string {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  return first.replace(/\s*at line (\d+), column (\d+):?\s*$/, ' (line $1, column $2)').trim();
}

/** Read a policy file (JSON or YAML). */
export function readPolicyFile(file: string): LoadedPolicy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProbityError(
      'not-found',
      `${file}: cannot read the authorized-tools file: ${describeFsError(err)}`,
      { file },
    );
  }
  let value: unknown;
  try {
    value = YAML.parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new ProbityError('malformed', `${file}: not JSON or YAML: ${describeYamlError(err)}`, { file });
  }
  return loadedPolicy(policyFrom(value, file), file);
}

function argumentsObject(args: string | null): Record<string, unknown> | null {
  const v = args === null ? {} : decodeNestedJson(args);
  return isObject(v) ? v : null;
}

/** A broken rule: `rule` names it without the call's values (for counting), `detail` with them. */
export interface Violation {
  rule: string;
  detail: string;
}

function ruleViolations(rule: ToolRule, args: Record<string, unknown>): Violation[] {
  const out: Violation[] = [];
  for (const name of rule.require ?? []) {
    const v = args[name];
    if (v === undefined || v === null || v === '')
      out.push({ rule: `${name} missing`, detail: `missing ${name}` });
  }
  for (const [name, bound] of Object.entries(rule.max ?? {})) {
    const v = args[name];
    if (v === undefined) continue;
    if (typeof v !== 'number')
      out.push({ rule: `${name} not a number`, detail: `${name} ${JSON.stringify(v)} is not a number` });
    else if (v > bound) out.push({ rule: `${name} over ${bound}`, detail: `${name} ${v} exceeds ${bound}` });
  }
  for (const [name, allowed] of Object.entries(rule.allow ?? {})) {
    const v = args[name];
    if (v !== undefined && !allowed.includes(v as Scalar)) {
      out.push({ rule: `${name} not allowed`, detail: `${name} ${JSON.stringify(v)} is not allowed` });
    }
  }
  return out;
}

/** The rules a tool call breaks; an empty list means it is authorized. */
export function toolCallViolations(
  policy: ToolPolicy,
  call: { name: string; arguments: string | null },
): Violation[] {
  const rule = Object.prototype.hasOwnProperty.call(policy.tools, call.name)
    ? policy.tools[call.name]
    : undefined;
  if (rule === undefined)
    return [{ rule: 'tool not authorized', detail: `tool ${call.name} is not authorized` }];
  if (!rule.require && !rule.max && !rule.allow) return [];
  const args = argumentsObject(call.arguments);
  if (args === null)
    return [{ rule: 'arguments not a JSON object', detail: 'arguments are not a JSON object' }];
  return ruleViolations(rule, args);
}
