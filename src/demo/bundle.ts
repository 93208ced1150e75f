/**
 * An in-memory bundle (relative path → bytes) with sha256sum-style manifests, written to disk in
 * one go. Everything is built in memory first (a few tens of MB) so that hashes for manifests and
 * provenance come from the exact bytes that get written.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface FileFact {
  path: string;
  sha256: string;
  size: number;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export class Bundle {
  private readonly files = new Map<string, Uint8Array>();

  add(path: string, data: Uint8Array | string): void {
    if (path.startsWith('/') || path.split('/').includes('..'))
      throw new Error(`bundle path must be relative: ${path}`);
    if (this.files.has(path)) throw new Error(`bundle already has ${path}`);
    this.files.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }

  get(path: string): Uint8Array {
    const data = this.files.get(path);
    if (data === undefined) throw new Error(`bundle has no ${path}`);
    return data;
  }

  sha256(path: string): string {
    return sha256Hex(this.get(path));
  }

  /** Sorted by path, so facts and manifests list files in one stable order. */
  facts(): FileFact[] {
    return [...this.files.keys()]
      .sort()
      .map((path) => ({ path, sha256: this.sha256(path), size: this.get(path).byteLength }));
  }

  totalBytes(): number {
    let n = 0;
    for (const data of this.files.values()) n += data.byteLength;
    return n;
  }

  async writeTo(dir: string): Promise<void> {
    const paths = [...this.files.keys()].sort();
    const dirs = new Set(paths.map((p) => dirname(join(dir, p))));
    for (const d of [...dirs].sort()) await mkdir(d, { recursive: true });
    await Promise.all(paths.map((p) => writeFile(join(dir, p), this.get(p))));
  }
}

/** `sha256sum` output: `<64 hex>  <path>` per line (two spaces = text mode), in the order given. */
export function sha256sumText(entries: readonly { path: string; sha256: string }[]): string {
  return entries.map((e) => `${e.sha256}  ${e.path}\n`).join('');
}
