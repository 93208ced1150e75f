/**
 * The peer-scan corpus run shared by `npm run bench:scan` and its vitest guard: every fixture of
 * expected.csv through `inspectArtifact`, with its verdict, what was named, and the time taken.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inspectArtifact } from '../src/core/formats/index.ts';

export interface CorpusRow {
  fixture: string;
  expected: 'malicious' | 'benign' | 'skip';
  level: string;
  /** The first dangerous finding (the global or construct named), if any. */
  named: string | null;
  error: string | null;
  seconds: number;
  miss: boolean;
}

export const CORPUS_TARGETS = { minDangerousRate: 0.95 } as const;

/** CSV with quoted fields ("a, b" and "" escapes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Scan every fixture; null when the corpus folder is absent. */
export async function scanCorpus(dir: string): Promise<CorpusRow[] | null> {
  const csv = path.join(dir, 'expected.csv');
  if (!fs.existsSync(csv)) return null;
  const [header, ...rows] = parseCsv(fs.readFileSync(csv, 'utf8'));
  const col = (n: string): number => (header ?? []).indexOf(n);
  const fi = col('fixture');
  const ei = col('expected');
  const out: CorpusRow[] = [];
  for (const r of rows) {
    const fixture = r[fi] ?? '';
    const expected = (r[ei] ?? 'skip') as CorpusRow['expected'];
    if (!fixture) continue;
    const t0 = process.hrtime.bigint();
    let level = 'not-analysed';
    let named: string | null = null;
    let error: string | null = null;
    try {
      const a = await inspectArtifact(path.join(dir, fixture));
      level = a.scan.level;
      const d = a.scan.findings.find((f) => f.level === 'dangerous');
      named = d ? `${d.what}${d.where ? ` @ ${d.where}` : ''}` : null;
    } catch (err) {
      error = (err as Error).message;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const miss =
      (expected === 'malicious' && (level !== 'dangerous' || !named)) ||
      (expected === 'benign' && level === 'dangerous');
    out.push({ fixture, expected, level, named, error, seconds, miss });
  }
  return out;
}

export function summarizeCorpus(rows: readonly CorpusRow[]) {
  const mal = rows.filter((r) => r.expected === 'malicious');
  const ben = rows.filter((r) => r.expected === 'benign');
  const tp = mal.filter((r) => r.level === 'dangerous' && r.named).length;
  const fnSafe = mal.filter((r) => r.level === 'safe').length;
  const fnSuspicious = mal.filter((r) => r.level === 'suspicious').length;
  const fnNotAnalysed = mal.filter((r) => r.level === 'not-analysed').length;
  const fp = ben.filter((r) => r.level === 'dangerous').length;
  const benignNotAnalysed = ben.filter((r) => r.level === 'not-analysed').length;
  const tpRate = mal.length ? tp / mal.length : 1;
  const missed: string[] = [];
  if (fnSafe > 0) missed.push(`${fnSafe} malicious safe`);
  if (fnNotAnalysed > 0) missed.push(`${fnNotAnalysed} malicious not analysed`);
  if (tpRate < CORPUS_TARGETS.minDangerousRate) missed.push(`${(100 * tpRate).toFixed(1)} % dangerous`);
  if (fp > 0) missed.push(`${fp} benign dangerous`);
  return {
    malicious: mal.length,
    benign: ben.length,
    skipped: rows.length - mal.length - ben.length,
    tp,
    fn: mal.length - tp,
    fnSafe,
    fnSuspicious,
    fnNotAnalysed,
    fp,
    notAnalysed: rows.filter((r) => r.level === 'not-analysed').length,
    benignSafe: ben.filter((r) => r.level === 'safe').length,
    benignSuspicious: ben.filter((r) => r.level === 'suspicious').length,
    benignNotAnalysed,
    tpRate,
    seconds: rows.reduce((a, r) => a + r.seconds, 0),
    missed,
    targetsMet: missed.length === 0,
  };
}
