/**
 * Argument checks shared by the statistics modules. Every failure is a `RangeError` whose message
 * names the argument, the value received and what was expected, so that a message surfacing in a
 * report or CLI line is readable without a stack trace.
 */

/** Render a received value for an error message (strings quoted, everything else via String). */
export function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Throws unless `value` is a finite number. */
export function requireFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${show(value)}`);
  }
}

/** Throws unless `value` is an integer ≥ `min` (safe integer range). */
export function requireInteger(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${show(value)}`);
  }
}

/** Throws unless `0 < confidence < 1`. */
export function requireConfidence(confidence: number, name = 'confidence'): void {
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new RangeError(`${name} must be strictly between 0 and 1 (e.g. 0.95), got ${show(confidence)}`);
  }
}

/** Throws unless `0 ≤ p ≤ 1`. */
export function requireProbability(name: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${name} must be a probability in [0, 1], got ${show(p)}`);
  }
}

/** Throws unless `x` successes out of `n` trials is a valid binomial count (n ≥ 1, 0 ≤ x ≤ n). */
export function requireCount(x: number, n: number, xName = 'x', nName = 'n'): void {
  requireInteger(nName, n, 1);
  requireInteger(xName, x, 0);
  if (x > n) {
    throw new RangeError(`${xName} (${x}) cannot exceed ${nName} (${n})`);
  }
}

/** Throws unless `value` is a finite number > 0. */
export function requirePositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${show(value)}`);
  }
}
