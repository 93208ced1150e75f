/**
 * Log timestamps normalised to UTC milliseconds since the Unix epoch.
 *
 * Accepted forms:
 * - ISO 8601 / RFC 3339 date-times: `YYYY-MM-DDThh:mm[:ss[.fff…]]` with `T` or a space between date
 *   and time, followed by `Z`, `±hh:mm`, `±hhmm` or `±hh`. Fractions beyond milliseconds are
 *   truncated. A time with no zone designator is taken as UTC and flagged (`zoneless: true`) so that
 *   the import can count and report it: Probity never guesses a local zone.
 * - Epoch numbers (JSON numbers, or strings of digits with an optional fraction, as OTLP writes
 *   `startTimeUnixNano`). The unit is read from the magnitude of the value:
 *     |v| < 10¹¹ → seconds (10¹¹ s is the year 5138), < 10¹⁴ → milliseconds,
 *     < 10¹⁷ → microseconds, otherwise nanoseconds.
 *   A millisecond value before 1973-03-03 (< 10¹¹ ms) would be read as seconds; production logs of a
 *   model do not go back that far.
 *
 * Anything else (dates without a time, month 13, 25:00, free text) is refused with the reason.
 */

/** A normalised instant, or why the value is not one. */
export type ParsedTimestamp = { ms: number; zoneless: boolean } | { error: string };

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_TEXT = /^-?\d+(?:\.\d+)?$/;
const SECONDS_LIMIT = 1e11;
const MILLIS_LIMIT = 1e14;
const MICROS_LIMIT = 1e17;

/** Milliseconds from an epoch number whose unit is read from its magnitude (see the module comment). */
export function epochToMs(value: number): number {
  const abs = Math.abs(value);
  if (abs < SECONDS_LIMIT) return Math.round(value * 1000);
  if (abs < MILLIS_LIMIT) return Math.round(value);
  if (abs < MICROS_LIMIT) return Math.round(value / 1000);
  return Math.round(value / 1e6);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] ?? 0);
}

/** Offset of a zone designator in minutes east of UTC (Z → 0). */
function zoneOffsetMinutes(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

function parseIso(text: string): ParsedTimestamp {
  const m = ISO.exec(text);
  if (!m) return { error: `not an ISO 8601 date-time or epoch number: ${JSON.stringify(text.slice(0, 40))}` };
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { error: `no such date: ${text.slice(0, 10)}` };
  }
  if (hour > 23 || minute > 59 || second > 60) return { error: `no such time of day: ${text.slice(11, 19)}` };
  const zone = m[8];
  const offset = zone === undefined ? 0 : zoneOffsetMinutes(zone);
  if (offset === null) return { error: `bad zone offset ${zone ?? ''}` };
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
  return { ms, zoneless: zone === undefined };
}

/** Largest |ms| a JavaScript Date can hold (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

function fromEpoch(value: number): ParsedTimestamp {
  const ms = epochToMs(value);
  if (!(Math.abs(ms) <= MAX_DATE_MS)) return { error: `epoch value ${value} is out of range` };
  return { ms, zoneless: false };
}

/**
 * Parse a log timestamp (ISO 8601 string, epoch number, or string of epoch digits) to UTC
 * milliseconds. See the module comment for the accepted forms and the unit rule for epoch values.
 */
export function parseTimestamp(value: unknown): ParsedTimestamp {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { error: `timestamp ${value} is not a finite number` };
    return fromEpoch(value);
  }
  if (typeof value !== 'string') {
    return {
      error: value === undefined || value === null ? 'no timestamp' : `timestamp is a ${typeof value}`,
    };
  }
  const text = value.trim();
  if (text === '') return { error: 'empty timestamp' };
  if (EPOCH_TEXT.test(text)) return fromEpoch(Number(text));
  return parseIso(text);
}

/** ISO 8601 UTC with milliseconds, e.g. 2026-10-06T14:12:00.000Z. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** The UTC calendar day of an instant, YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
