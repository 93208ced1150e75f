/**
 * `npm run bench:scan`: the artifact scanner against the peer scanners' own test corpora in
 * ../shared/fixtures/peer-scan (expected.csv: fixture, origin, expected `malicious`/`benign`/`skip`).
 *
 * Counts, over the fixtures with an expectation:
 *   TP            malicious and `dangerous` with the global or construct named
 *   FN            malicious and anything else (split: safe / suspicious / not analysed)
 *   FP            benign and `dangerous`
 *   not analysed  the scan did not reach a verdict above `not-analysed` (or the parser refused it)
 * and the wall time per file. Prints each miss. Exit 1 when a target is missed: no malicious file
 * safe or not analysed, ≥ 95 % of malicious files dangerous, no benign file dangerous.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanCorpus, CORPUS_TARGETS, summarizeCorpus } from './scan-corpus.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.resolve(here, '..', '..', 'shared', 'fixtures', 'peer-scan');

const rows = await scanCorpus(corpus);
if (rows === null) {
  process.stdout.write(`bench:scan skipped: ${corpus} is absent (the peers' corpora live in ../shared)\n`);
  process.exit(0);
}
const s = summarizeCorpus(rows);
for (const r of rows.filter((x) => x.miss))
  process.stdout.write(
    `miss  ${r.expected.padEnd(9)} ${r.level.padEnd(12)} ${r.fixture}  ${r.named ?? r.error ?? ''}\n`,
  );
process.stdout.write(
  [
    `peer-scan corpus: ${rows.length} fixtures (${s.malicious} malicious, ${s.benign} benign, ${s.skipped} skipped)`,
    `TP ${s.tp}  FN ${s.fn} (safe ${s.fnSafe}, suspicious ${s.fnSuspicious}, not analysed ${s.fnNotAnalysed})  FP ${s.fp}  not analysed ${s.notAnalysed} (malicious ${s.fnNotAnalysed}, benign ${s.benignNotAnalysed})`,
    `malicious dangerous with the global/construct named: ${(100 * s.tpRate).toFixed(1)} % (target ≥ ${100 * CORPUS_TARGETS.minDangerousRate} %)`,
    `benign: safe ${s.benignSafe}, suspicious ${s.benignSuspicious}, not analysed ${s.benignNotAnalysed}, dangerous ${s.fp}`,
    `time: ${s.seconds.toFixed(3)} s for ${rows.length} files, ${((1000 * s.seconds) / rows.length).toFixed(2)} ms per file`,
    s.targetsMet ? 'targets met' : `TARGETS MISSED: ${s.missed.join('; ')}`,
  ].join('\n') + '\n',
);
process.exit(s.targetsMet ? 0 : 1);
