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

/** Root can mount a small tmpfs and fill it: a real ENOSPC, not a stand-in. */
const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
if (!canMount) console.log('skipped: the full-disk test mounts a small tmpfs and needs root');

describe.skipIf(!canMount)('a full disk at open', () => {
  it('ingest and verify name the case database and the reason when the disk is full', () => {
    const mnt = tempDir('probity-full-');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    if (mounted.status !== 0) throw new Error(`mount: ${mounted.stderr}`);
    cleanups.push(() => {
      spawnSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    });
    const bin = path.join(repoRoot, 'bin/probity.js');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args, '--home', mnt], { encoding: 'utf8' });
    const created = cli('case', 'create', '--title', 'Small disk', '--json');
    expect(created.status, created.stderr).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    // Fill every byte that is left.
    const fd = fs.openSync(path.join(mnt, 'filler'), 'w');
    const block = Buffer.alloc(4096);
    try {
      for (;;) fs.writeSync(fd, block);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const bundle = tempDir('probity-full-bundle-');
    cleanups.push(() => rmrf(bundle));
    fs.writeFileSync(path.join(bundle, 'w.bin'), Buffer.alloc(64 * 1024, 7));
    for (const args of [
      ['ingest', id, bundle],
      ['verify', id],
    ]) {
      const r = cli(...args);
      expect(r.status, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/case\.db|objects/);
      expect(lines[0]).toMatch(/disk is full|no space left/i);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});
