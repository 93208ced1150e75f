import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { runProbity } from '../testkit';

let home: string;
let dir: string;
let id: string;

const cli = (...args: string[]) => runProbity(home, args);

function json<T>(...args: string[]): T {
  const r = cli(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

beforeAll(() => {
  home = tempDir('probity-audit-cli-');
  dir = tempDir('probity-audit-cli-files-');
  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({
      timestamp: new Date(Date.UTC(2026, 9, 6 + Math.floor(i / 10), 12, i)).toISOString(),
      request_id: `req-${i}`,
      user_id: `u${i % 6}`,
      conversation_id: `c${i}`,
      model_version: i < 10 ? 'r6' : 'r7',
      messages: [{ role: 'user', content: `q${i}` }],
      response: `a${i}`,
      tool_calls:
        i % 3 === 0
          ? [{ name: 'refund_order', arguments: { amount: i === 21 ? 900 : 10, ticket_id: 'T' } }]
          : [],
      downstream: i % 3 === 0 ? 'crm-sync' : null,
    }),
  );
  lines.splice(5, 0, '{broken');
  fs.writeFileSync(path.join(dir, 'requests.jsonl'), `${lines.join('\n')}\n`);
  fs.writeFileSync(
    path.join(dir, 'history.jsonl'),
    [
      { timestamp: '2026-10-01T00:00:00Z', event: 'deployed', model_version: 'r6' },
      { timestamp: '2026-10-07T00:00:00Z', event: 'deployed', model_version: 'r7' },
      { timestamp: '2026-10-09T00:00:00Z', event: 'isolated', model_version: 'fallback' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'tools.yaml'), 'tools:\n  refund_order:\n    max:\n      amount: 200\n');
  id = cli('case', 'create', '--title', 'audit cli').stdout.trim();
});

afterAll(() => {
  rmrf(home);
  rmrf(dir);
});

describe('probity audit', () => {
  it('imports a log, reports the malformed line by number, and prints JSON only with --json', () => {
    const r = cli('audit', 'import', id, path.join(dir, 'requests.jsonl'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported requests\.jsonl: 40 records, 14 tool calls/);
    expect(r.stdout).toMatch(/ {2}line 6: not JSON/);
    const again = json<{ alreadyImported: boolean; records: number; malformed: number }>(
      'audit',
      'import',
      id,
      path.join(dir, 'requests.jsonl'),
    );
    expect(again).toMatchObject({ alreadyImported: true, records: 40, malformed: 1 });
  });

  it('exits 2 with one line naming the file or the problem', () => {
    const missing = cli('audit', 'import', id, '/no/such/log.jsonl');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([
      `probity audit import: /no/such/log.jsonl: no such file, and no evidence at that path in ${id}`,
    ]);
    expect(JSON.parse(cli('audit', 'import', id, '/no/such/log.jsonl', '--json').stdout)).toMatchObject({
      error: { code: 'not-found', file: '/no/such/log.jsonl' },
    });
    expect(cli('audit', 'blast-radius', id).stderr).toMatch(
      /no compromise window set; run probity audit window/,
    );
    expect(cli('audit', 'import', id, path.join(dir, 'requests.jsonl'), '--format', 'csv').stderr).toMatch(
      /--format csv: one of auto, generic/,
    );
    expect(cli('audit', 'plan', '--prevalence', '2').code).toBe(2);
    expect(cli('audit', 'sample', id, '--size', '3').stderr).toMatch(/--seed is required/);
    expect(cli('audit', 'estimate', id, '--bogus').code).toBe(2);
    expect(cli('audit', 'label', id, 'req-1', 'maybe').stderr).toMatch(/maybe: not a label/);
  });

  it('plans a discovery sample without a case', () => {
    expect(cli('audit', 'plan', '--prevalence', '0.01', '--confidence', '0.95').stdout).toMatch(
      /^sample size 299\n/,
    );
    expect(
      json<{ sampleSize: number }>(
        'audit',
        'plan',
        '--prevalence',
        '1%',
        '--confidence',
        '95%',
        '--population',
        '1000',
      ).sampleSize,
    ).toBe(258);
  });

  it('sets the window from deployment records and shows it with its source', () => {
    const w = json<{ start: string; end: string; source: { kind: string; version: string } }>(
      'audit',
      'window',
      id,
      '--from-deployments',
      '--deployments',
      path.join(dir, 'history.jsonl'),
      '--authorized-tools',
      path.join(dir, 'tools.yaml'),
    );
    expect(w).toMatchObject({
      start: '2026-10-07T00:00:00.000Z',
      end: '2026-10-09T00:00:00.000Z',
      source: { kind: 'deployments', version: 'r7' },
    });
    const shown = cli('audit', 'window', id);
    expect(shown.stdout).toMatch(
      /compromise window 2026-10-07T00:00:00\.000Z → 2026-10-09T00:00:00\.000Z \(2 d 0 h 0 min/,
    );
    expect(shown.stdout).toMatch(
      /source: deployment records history\.jsonl \(sha256 [0-9a-f]{64}\): version r7 deployed/,
    );
    const b = json<{ inside: { requests: number; users: number }; outside: { requests: number } }>(
      'audit',
      'blast-radius',
      id,
    );
    expect(b).toMatchObject({ inside: { requests: 20, users: 6 }, outside: { requests: 20 } });
    expect(cli('audit', 'blast-radius', id).stdout).toMatch(/requests +20 +20/);
  });

  it('samples reproducibly, labels, estimates and exports', () => {
    const a = json<{ idsSha256: string; items: { requestId: string }[] }>(
      'audit',
      'sample',
      id,
      '--size',
      '8',
      '--seed',
      'cli',
      '--strata',
      'day',
    );
    const b = json<{ idsSha256: string; items: { requestId: string }[] }>(
      'audit',
      'sample',
      id,
      '--size',
      '8',
      '--seed',
      'cli',
      '--strata',
      'day',
    );
    expect(b.items).toEqual(a.items);
    expect(b.idsSha256).toBe(a.idsSha256);
    const next = json<{ record: { requestId: string; response: string } }>(
      'audit',
      'next',
      id,
      '--reviewer',
      'ana',
    );
    expect(next.record.requestId).toBe(a.items[0]!.requestId);
    a.items.forEach((it, i) => {
      const r = cli(
        'audit',
        'label',
        id,
        it.requestId,
        i === 0 ? 'harmful' : 'benign',
        '--reviewer',
        'ana',
        ...(i === 0 ? ['--note', 'leak'] : []),
      );
      expect(r.code, r.stderr).toBe(0);
    });
    const e = json<{
      harmful: { prevalence: { positives: number; sampled: number } };
      toolCalls: { census: { unauthorizedCalls: number } };
      findingsRunId: string;
    }>('audit', 'estimate', id);
    expect(e.harmful.prevalence).toMatchObject({ positives: 1, sampled: 8 });
    expect(e.toolCalls.census.unauthorizedCalls).toBe(1);
    expect(e.findingsRunId).toMatch(/^audit-/);
    const text = cli('audit', 'estimate', id).stdout;
    expect(text).toMatch(/1 of 8 \(12\.50%\): Wilson [\d.]+%–[\d.]+%, Clopper–Pearson/);
    expect(text).toMatch(/1 × refund_order: amount over 200/);

    const out = path.join(dir, 'review.csv');
    expect(cli('audit', 'export', id, '--out', out).stdout).toMatch(/wrote 8 rows of sample \d+ to /);
    const csv = fs.readFileSync(out, 'utf8').split('\r\n');
    expect(csv[0]).toBe(
      'position,stratum,request_id,timestamp,user_id,conversation_id,model_version,downstream,tool_calls,label,reviewers,notes,user_message,response,source_file,source_sha256,source_line',
    );
    expect(csv[1]).toMatch(/,harmful,ana: harmful,ana: leak,/);
    expect(cli('audit', 'export', id, '--out', path.join(dir, 'review.txt')).code).toBe(2);
  });
});
