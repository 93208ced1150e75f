/**
 * The one reading of a command's parsed options (CommandContext.options, from node:util parseArgs).
 * Every refusal is a usage error (exit 2) that names the option and the value it got.
 */
import { ProbityError } from '../core/util/errors';
import type { CommandContext } from './command';

/** A string option, or undefined when it is absent (a flag given as --name is not a string). */
export function opt(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.options[name];
  return typeof v === 'string' ? v : undefined;
}

/** A string option that must be given and not blank; trimmed. `hint` says what it is for. */
export function requiredOpt(ctx: CommandContext, name: string, hint: string): string {
  const v = opt(ctx, name);
  if (v === undefined || v.trim() === '') throw new ProbityError('usage', `--${name} is required: ${hint}`);
  return v.trim();
}

/** A boolean option: true only when the flag was given. */
export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.options[name] === true;
}

/** A repeatable string option (`multiple: true`): every value given, in order. */
export function listOpt(ctx: CommandContext, name: string): string[] {
  const v = ctx.options[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** One of `allowed`, else `fallback` when absent. */
export function choice<T extends string>(
  ctx: CommandContext,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = opt(ctx, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new ProbityError('usage', `--${name} ${v}: one of ${allowed.join(', ')}`);
  return v as T;
}

/** A finite number, else `fallback` when absent. */
export function numberOpt(ctx: CommandContext, name: string, fallback: number): number {
  const v = opt(ctx, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new ProbityError('usage', `--${name} ${v}: not a number`);
  return n;
}

/** A whole number (digits only), or undefined when absent. */
export function integerOpt(ctx: CommandContext, name: string): number | undefined {
  const text = opt(ctx, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) {
    throw new ProbityError('usage', `--${name} ${text}: must be a whole number`);
  }
  return Number(text);
}

/** A proportion strictly between 0 and 1, from "0.01" or "1%"; required unless `fallback` is given. */
export function proportionOpt(ctx: CommandContext, name: string, fallback?: number): number {
  const text = opt(ctx, name);
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ProbityError('usage', `--${name} is required`);
  }
  const m = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text.trim());
  const v = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!(v > 0 && v < 1))
    throw new ProbityError('usage', `--${name} ${text}: must be between 0 and 1 (e.g. 0.95 or 95%)`);
  return v;
}
