import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Workstation } from '../src/core/store/workstation';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = path.resolve(repoRoot, '../shared/fixtures/real');

/** A fresh temp folder per test, removed afterwards by the caller's cleanup. */
export function tempDir(prefix = 'probity-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function rmrf(dir: string): void {
  // Objects are read-only files; make them writable so the temp tree can be removed.
  if (!fs.existsSync(dir)) return;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        fs.chmodSync(p, 0o755);
        walk(p);
      } else if (!e.isSymbolicLink()) fs.chmodSync(p, 0o644);
    }
  };
  try {
    walk(dir);
  } catch {
    /* best effort */
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256File(file: string): string {
  return sha256(fs.readFileSync(file));
}

export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

export function newWorkstation(): { ws: Workstation; home: string; cleanup: () => void } {
  const home = tempDir('probity-home-');
  return { ws: new Workstation(home, 'test-host'), home, cleanup: () => rmrf(home) };
}
