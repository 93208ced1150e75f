import { describe, expect, it } from 'vitest';
import { bindMethods, CHANNELS, isChannel, METHODS, type Channel } from '../../shared/contract';
import { ARG_SCHEMAS } from './service';

describe('the contract, written once', () => {
  it('has one argument schema in the service for each row of METHODS, and no other', () => {
    expect(Object.keys(ARG_SCHEMAS).sort()).toEqual(Object.keys(METHODS).sort());
    expect([...CHANNELS].sort()).toEqual(Object.keys(METHODS).sort());
  });

  it('names every channel domain:verb and every method once', () => {
    for (const channel of CHANNELS) expect(channel).toMatch(/^[a-z]+:[A-Za-z]+$/);
    const names = CHANNELS.map((c) => METHODS[c].name);
    expect(new Set(names).size).toBe(names.length);
    expect(isChannel('cases:list')).toBe(true);
    expect(isChannel('toString')).toBe(false);
  });

  it('binds one named function per method, each sending its own channel ({} when it takes none)', async () => {
    const sent: Array<[Channel, unknown]> = [];
    const api = bindMethods(async (channel, args) => {
      sent.push([channel, args]);
      return { ok: true, result: channel };
    });
    expect(Object.keys(api).sort()).toEqual(CHANNELS.map((c) => METHODS[c].name).sort());
    await api.listCases();
    await api.caseOverview({ caseId: 'AI-IR-2026-0001' });
    expect(sent).toEqual([
      ['cases:list', {}],
      ['cases:overview', { caseId: 'AI-IR-2026-0001' }],
    ]);
  });
});
