/**
 * ObjectWriter's kernel copy: the object stored is exactly what was hashed, progress adds up to the
 * file, a stop mid-copy leaves nothing behind, and the temp folder is private to its owner.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { ObjectWriter } from './object-writer';
import { objectPathIn } from '../store/paths';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmrf(d);
});

function store() {
  const root = tempDir('probity-objwriter-');
  dirs.push(root);
  const tmpDir = path.join(root, 'tmp');
  const objectsDir = path.join(root, 'sha256');
  fs.mkdirSync(tmpDir, { mode: 0o755 });
  fs.mkdirSync(objectsDir);
  return { root, tmpDir, objectsDir };
}

describe('ObjectWriter.copyFileHashing', () => {
  it('stores the file under the digest of the bytes it read back, with progress adding up to the size', async () => {
    const { root, tmpDir, objectsDir } = store();
    const data = randomBytes(5 * 1024 * 1024 + 3);
    const src = path.join(root, 'src.bin');
    fs.writeFileSync(src, data, { mode: 0o666 });
    const w = new ObjectWriter(tmpDir, objectsDir, 'src.bin', true);
    const steps: number[] = [];
    const read = await w.copyFileHashing(src, data.length, 1024 * 1024, (n) => steps.push(n));
    const obj = w.finish();
    expect(read).toBe(data.length);
    expect(steps.reduce((a, b) => a + b, 0)).toBe(data.length);
    const sha = createHash('sha256').update(data).digest('hex');
    expect(obj).toMatchObject({ sha256: sha, size: data.length, reused: false });
    const stored = objectPathIn(objectsDir, sha);
    expect(fs.readFileSync(stored).equals(data)).toBe(true);
    expect(fs.statSync(stored).mode & 0o777).toBe(0o444);
    expect(Buffer.from(obj.head).equals(data.subarray(0, obj.head.length))).toBe(true);
    // A world-writable source does not make the temp folder enterable by others.
    expect(fs.statSync(tmpDir).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(tmpDir)).toEqual([]);
  });

  it('an empty file is stored too', async () => {
    const { root, tmpDir, objectsDir } = store();
    const src = path.join(root, 'empty');
    fs.writeFileSync(src, '');
    const w = new ObjectWriter(tmpDir, objectsDir, 'empty', true);
    expect(await w.copyFileHashing(src, 0, 1024, () => {})).toBe(0);
    expect(w.finish().sha256).toBe(createHash('sha256').digest('hex'));
  });

  it('reports a source longer than listed by the size it stored, so the caller refuses it', async () => {
    const { root, tmpDir, objectsDir } = store();
    const src = path.join(root, 'grew.bin');
    fs.writeFileSync(src, randomBytes(3 * 1024 * 1024));
    const w = new ObjectWriter(tmpDir, objectsDir, 'grew.bin', true);
    const read = await w.copyFileHashing(src, 2 * 1024 * 1024, 1024 * 1024, () => {});
    expect(read).toBe(3 * 1024 * 1024);
    w.abort();
    expect(fs.readdirSync(tmpDir)).toEqual([]);
  });

  it('a stop mid-copy (the step throws) rejects, and abort leaves no temp file', async () => {
    const { root, tmpDir, objectsDir } = store();
    const src = path.join(root, 'big.bin');
    fs.writeFileSync(src, randomBytes(8 * 1024 * 1024));
    const w = new ObjectWriter(tmpDir, objectsDir, 'big.bin', true);
    let seen = 0;
    await expect(
      w.copyFileHashing(src, 8 * 1024 * 1024, 1024 * 1024, (n) => {
        seen += n;
        if (seen >= 2 * 1024 * 1024) throw new Error('cancelled');
      }),
    ).rejects.toThrow('cancelled');
    w.abort();
    expect(fs.readdirSync(tmpDir)).toEqual([]);
    expect(fs.readdirSync(objectsDir)).toEqual([]);
  });
});
