import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, rmrf, tempDir } from '../../test/helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/**
 * Run the CLI with a file-size limit of `kib` KiB (SIGXFSZ ignored, so a write past it fails with
 * EFBIG the way a full disk fails with ENOSPC): SQLite then meets an I/O error at open.
 */
function cliWithSmallDisk(kib: number, home: string, ...args: string[]) {
  const bin = path.join(repoRoot, 'bin/probity.js');
  const quoted = [process.execPath, bin, ...args, '--home', home].map((a) => `'${a.replace(/'/g, `'\\''`)}'`);
  const r = spawnSync('sh', ['-c', `trap '' XFSZ; ulimit -f ${kib * 2}; exec ${quoted.join(' ')}`], {
    encoding: 'utf8',
  });
  return { code: r.status, stderr: r.stderr };
}

describe('SQLite failures at open', () => {
  it('name the case database and the reason, never "internal error" with a stack', () => {
    const home = tempDir('probity-disk-');
    cleanups.push(() => rmrf(home));
    const created = cliWithSmallDisk(4, home, 'case', 'create', '--title', 'Full disk');
    expect(created.code).toBe(2);
    expect(created.stderr).toMatch(
      /^probity case create: \/.*\/cases\/AI-IR-\d{4}-0001\/case\.db: cannot open the case database: input\/output error \(SQLITE_IOERR\w*\): failing disk or medium, or the disk is full\n$/,
    );
    expect(created.stderr).not.toMatch(/internal error|\n\s+at /);
    // Nothing half-made is left behind.
    expect(fs.readdirSync(path.join(home, 'cases'))).toEqual([]);
  });

  it('name a case.db that is not a database', () => {
    const home = tempDir('probity-disk-');
    cleanups.push(() => rmrf(home));
    const dir = path.join(home, 'cases', 'AI-IR-2026-0001');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'case.db'), 'x'.repeat(4096));
    const r = cliWithSmallDisk(1024, home, 'verify', 'AI-IR-2026-0001');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `probity verify: ${path.join(dir, 'case.db')}: cannot open the case database: not an SQLite database\n`,
    );
  });
});
