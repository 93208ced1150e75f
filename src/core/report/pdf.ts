/**
 * report.pdf: report.html printed by the system's Chromium in headless mode. Chromium runs with a
 * throw-away profile and its background networking off, so printing makes no request either.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProbityError } from '../util/errors';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** PROBITY_CHROMIUM if set (it must exist), else the first system Chromium found, else null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const override = env.PROBITY_CHROMIUM;
  if (override !== undefined && override !== '') return fs.existsSync(override) ? override : null;
  return CANDIDATES.find((c) => fs.existsSync(c)) ?? null;
}

export function chromiumNotFound(env: NodeJS.ProcessEnv = process.env): ProbityError {
  const looked = env.PROBITY_CHROMIUM ? env.PROBITY_CHROMIUM : CANDIDATES.join(' or ');
  return new ProbityError(
    'not-found',
    `report.pdf: Chromium not found (looked for ${looked}); install chromium, set PROBITY_CHROMIUM, or leave pdf out of --format`,
  );
}

export function chromiumArgs(htmlFile: string, pdfFile: string, profileDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-pdf-header-footer',
    `--user-data-dir=${profileDir}`,
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    `--print-to-pdf=${pdfFile}`,
    pathToFileURL(htmlFile).href,
  ];
}

/** Print `htmlFile` to `pdfFile`; a clear one-line error if Chromium fails or writes nothing. */
export async function printPdf(
  chromium: string,
  htmlFile: string,
  pdfFile: string,
  timeoutMs = 120_000,
): Promise<void> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-chromium-'));
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(chromium, chromiumArgs(htmlFile, pdfFile, profile), {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: timeoutMs,
      });
      let err = '';
      child.stderr.on('data', (c: Buffer) => {
        err = (err + c.toString()).slice(-4000);
      });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    const st = fs.statSync(pdfFile, { throwIfNoEntry: false });
    if (code !== 0 || !st || st.size === 0) {
      const last = stderr.trim().split('\n').pop() ?? '';
      throw new ProbityError(
        'internal',
        `report.pdf: ${chromium} could not print the report (exit ${code ?? 'killed'}${last ? `: ${last}` : ''})`,
      );
    }
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
