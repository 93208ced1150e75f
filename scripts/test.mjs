#!/usr/bin/env node
// `npm test`: every suite, then one closing line `N passed, N failed[, N skipped]` summing them all.
// Suites: unit and integration tests (vitest), then the end-to-end UI tests (Playwright against the
// browser-mode host in Debian's Chromium), which need the renderer built first.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

// 1. vitest
const vitestJson = path.join(results, 'vitest.json');
fs.rmSync(vitestJson, { force: true });
const vStatus = run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
if (fs.existsSync(vitestJson)) {
  const v = JSON.parse(fs.readFileSync(vitestJson, 'utf8'));
  totals.passed += v.numPassedTests;
  totals.failed += v.numFailedTests;
  totals.skipped += v.numPendingTests + v.numTodoTests;
  if (vStatus !== 0 && v.numFailedTests === 0) broken = true; // a suite failed to load
} else broken = true;

// 2. Playwright end-to-end
const e2eDir = path.join(root, 'e2e');
const hasE2e = fs.existsSync(path.join(root, 'playwright.config.ts')) && fs.existsSync(e2eDir);
if (hasE2e) {
  const build = run('npm', ['run', '-s', 'build:web']);
  if (build !== 0) {
    console.error('npm test: the renderer did not build; end-to-end tests not run');
    broken = true;
  } else {
    const pwJson = path.join(results, 'playwright.json');
    fs.rmSync(pwJson, { force: true });
    const pStatus = run(bin('playwright'), ['test', '--reporter=list,json'], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
    });
    if (fs.existsSync(pwJson)) {
      const s = JSON.parse(fs.readFileSync(pwJson, 'utf8')).stats;
      totals.passed += s.expected;
      totals.failed += s.unexpected + s.flaky;
      totals.skipped += s.skipped;
      if (pStatus !== 0 && s.unexpected === 0 && s.flaky === 0) broken = true;
    } else broken = true;
  }
}

if (broken) {
  console.error('npm test: a suite did not run to completion (see above)');
  totals.failed += totals.failed === 0 ? 1 : 0;
}
const line = `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`;
console.log(line);
process.exit(totals.failed > 0 ? 1 : 0);
