/**
 * The scanner against the peer scanners' own corpora (../shared/fixtures/peer-scan): no malicious
 * file safe or not analysed, ≥ 95 % dangerous with the global or construct named, no benign file
 * dangerous. The same run as `npm run bench:scan`. The folder lives beside the repository, not in
 * it: where it is absent the test says so and skips (the cases it covers are also built byte by
 * byte in src/core/formats/scanner.test.ts and formats-scan.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanCorpus, summarizeCorpus, CORPUS_TARGETS } from '../bench/scan-corpus.ts';

const corpus = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'shared',
  'fixtures',
  'peer-scan',
);
const present = fs.existsSync(path.join(corpus, 'expected.csv'));
if (!present) console.log(`peer-scan corpus test skipped: ${corpus} is absent`);

describe.skipIf(!present)('peer scanner corpora', () => {
  it('meets the targets: 0 malicious safe or not analysed, ≥ 95 % dangerous and named, 0 benign dangerous', async () => {
    const rows = await scanCorpus(corpus);
    expect(rows).not.toBeNull();
    const s = summarizeCorpus(rows ?? []);
    const misses = (rows ?? []).filter((r) => r.miss).map((r) => `${r.expected} ${r.level} ${r.fixture}`);
    expect(s.malicious).toBeGreaterThan(0);
    expect(s.fnSafe, misses.join('\n')).toBe(0);
    expect(s.fnNotAnalysed, misses.join('\n')).toBe(0);
    expect(s.tpRate, misses.join('\n')).toBeGreaterThanOrEqual(CORPUS_TARGETS.minDangerousRate);
    expect(s.fp, misses.join('\n')).toBe(0);
  });
});
