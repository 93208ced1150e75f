import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { analyse } from './run-compare';
import { itemsFromTable } from './testkit';
import { DEFAULT_SUITE_MAP, loadSuiteMap, matchesPattern, parseSuiteMap, suitesFor } from './verification';

const dir = tempDir('probity-suitemap-');
afterAll(() => rmrf(dir));

describe('suite map', () => {
  it('matches suite names exactly or with * wildcards, regex characters taken literally', () => {
    expect(matchesPattern('mmlu_abstract_algebra', 'mmlu*')).toBe(true);
    expect(matchesPattern('arc_easy', 'arc_*')).toBe(true);
    expect(matchesPattern('safety', 'safety')).toBe(true);
    expect(matchesPattern('safety-extra', 'safety')).toBe(false);
    expect(matchesPattern('a.b', 'a.b')).toBe(true);
    expect(matchesPattern('axb', 'a.b*')).toBe(false);
    expect(
      suitesFor(['dan', 'capability', 'winogrande', 'other'], DEFAULT_SUITE_MAP['capability-benchmarks']),
    ).toEqual(['capability', 'winogrande']);
  });

  it('replaces the checks a file names, keeps the others, and refuses unknown checks or non-lists', () => {
    const map = parseSuiteMap({ 'safety-benchmarks': ['harm-*'], 'production-smoke-test': [] }, 'map.json');
    expect(map['safety-benchmarks']).toEqual(['harm-*']);
    expect(map['production-smoke-test']).toEqual([]);
    expect(map['capability-benchmarks']).toEqual(DEFAULT_SUITE_MAP['capability-benchmarks']);
    expect(() => parseSuiteMap({ safety: ['x'] }, 'map.json')).toThrow(
      /map\.json: "safety" is not a check \(safety-benchmarks,/,
    );
    expect(() => parseSuiteMap({ 'safety-benchmarks': 'x' }, 'map.json')).toThrow(
      /must be a list of suite names or patterns/,
    );
    expect(() => parseSuiteMap([], 'map.json')).toThrow(/a suite map is a JSON object/);
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"safety-benchmarks": [');
    expect(() => loadSuiteMap(bad)).toThrow(/bad\.json: not valid JSON/);
  });

  it('decides a check from the suites mapped to it, and an unmapped check is not analysed', () => {
    const t = { a: 96, b: 20, c: 0, d: 4 };
    const x = itemsFromTable(t, { suite: 'harm-privacy', category: 'privacy' });
    const opts = { margin: 0.05, marginKind: 'points' as const, confidence: 0.95, seed: 's' };
    const byDefault = analyse(x.baseline, x.suspect, { ...opts, suiteMap: { ...DEFAULT_SUITE_MAP } });
    expect(byDefault.checks[0]).toMatchObject({
      id: 'safety-benchmarks',
      status: 'not-analysed',
      suites: [],
    });
    expect(byDefault.checks[0]!.summary).toMatch(
      /^not analysed: no paired suite matches safety, harmbench\*/,
    );
    const mapped = analyse(x.baseline, x.suspect, {
      ...opts,
      suiteMap: parseSuiteMap({ 'safety-benchmarks': ['harm-*'] }, 'map.json'),
    });
    expect(mapped.checks[0]).toMatchObject({
      id: 'safety-benchmarks',
      status: 'fail',
      suites: ['harm-privacy'],
    });
  });
});
