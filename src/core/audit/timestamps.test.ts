import { describe, expect, it } from 'vitest';
import { epochToMs, parseTimestamp, utcDay } from './timestamps';

const T = Date.UTC(2026, 9, 6, 14, 12, 0); // 2026-10-06T14:12:00Z

describe('parseTimestamp', () => {
  it.each([
    ['2026-10-06T14:12:00Z', T],
    ['2026-10-06T14:12:00.000Z', T],
    ['2026-10-06T14:12:00.123456789Z', T + 123],
    ['2026-10-06 14:12:00Z', T],
    ['2026-10-06T16:12:00+02:00', T],
    ['2026-10-06T16:12:00+0200', T],
    ['2026-10-06T09:12:00-05', T],
    ['2026-10-06T14:12Z', T],
    ['2026-10-06T14:12:00,5Z', T + 500],
  ])('reads the ISO 8601 time %s with its zone', (text, ms) => {
    expect(parseTimestamp(text)).toEqual({ ms, zoneless: false });
  });

  it('takes a time without zone as UTC and flags it', () => {
    expect(parseTimestamp('2026-10-06T14:12:00')).toEqual({ ms: T, zoneless: true });
    expect(parseTimestamp('2026-10-06 14:12:00.250')).toEqual({ ms: T + 250, zoneless: true });
  });

  it.each([
    [1791295920, T], // seconds
    [1791295920.5, T + 500], // fractional seconds
    [1791295920000, T], // milliseconds
    [1791295920000000, T], // microseconds
    ['1791295920000000000', T], // OTLP nanoseconds as a string
    ['1791295920', T],
  ])('reads the epoch value %s by its magnitude', (value, ms) => {
    expect(parseTimestamp(value)).toEqual({ ms, zoneless: false });
  });

  it.each([
    ['2026-13-01T00:00:00Z', /no such date/],
    ['2026-02-30T00:00:00Z', /no such date/],
    ['2026-10-06T24:00:00Z', /no such time/],
    ['2026-10-06T14:12:00+25:00', /zone/],
    ['2026-10-06', /not an ISO 8601 date-time/],
    ['yesterday', /not an ISO 8601/],
    ['', /empty/],
  ])('refuses %s', (text, reason) => {
    const r = parseTimestamp(text);
    expect('error' in r && r.error).toMatch(reason);
  });

  it('refuses values that are not times', () => {
    expect(parseTimestamp(undefined)).toEqual({ error: 'no timestamp' });
    expect(parseTimestamp(null)).toEqual({ error: 'no timestamp' });
    expect(parseTimestamp(true)).toEqual({ error: 'timestamp is a boolean' });
    expect(parseTimestamp(Number.NaN)).toMatchObject({ error: expect.stringMatching(/finite/) });
    expect(parseTimestamp(1e300)).toMatchObject({ error: expect.stringMatching(/out of range/) });
  });

  it('accepts a leap second as the next instant and keeps days in UTC', () => {
    expect(parseTimestamp('2016-12-31T23:59:60Z')).toEqual({ ms: Date.UTC(2017, 0, 1), zoneless: false });
    expect(utcDay(T)).toBe('2026-10-06');
    expect(epochToMs(-1)).toBe(-1000);
  });
});
