import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../test/helpers';
import { loadReportCss } from '../core/report/html';
import { CSP, REPORT_STYLE_HASH } from './csp';

describe('the UI content-security policy', () => {
  it("allows report.html's stylesheet by the hash of resources/report.css as report.html inlines it", () => {
    const digest = createHash('sha256').update(`\n${loadReportCss()}\n`, 'utf8').digest('base64');
    expect(REPORT_STYLE_HASH, 'resources/report.css changed: update REPORT_STYLE_HASH and index.html').toBe(
      `'sha256-${digest}'`,
    );
  });

  it('gives the renderer meta policy the same hash and no inline style in general', () => {
    const html = fs.readFileSync(path.join(repoRoot, 'src/renderer/index.html'), 'utf8');
    expect(html).toContain(REPORT_STYLE_HASH);
    expect(html).not.toContain("'unsafe-inline'");
    expect(CSP).not.toContain("'unsafe-inline'");
    expect(CSP).toContain("script-src 'self';");
  });
});
