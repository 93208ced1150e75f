import fs from 'node:fs';
import path from 'node:path';
import { ProbityError, describeFsError } from '../util/errors';
import { indexTar } from '../io/archive/tar';
import { indexZip } from '../io/archive/zip';
import { readHead } from '../io/lines';
import { safeEntryPath } from '../io/archive/names';
import type { ObjectSource } from '../hashing/protocol';
import type { ArchiveEntry } from '../io/archive/types';

export type BundleKind = 'folder' | 'tar' | 'tar.gz' | 'zip' | 'file';

/** One thing found in a bundle, before its bytes are read. */
export interface PlannedEntry {
  /** Stable key of this entry inside its bundle, for the resume journal. */
  key: string;
  path: string;
  occurrence: number;
  rawNameHex: string | null;
  type: 'file' | 'link';
  size: number;
  mtime: string | null;
  mtimeMs: number | null;
  /** Where it came from, for the record: an absolute path, or `<archive>!/<entry>`. */
  sourcePath: string;
  linkTarget: string | null;
  source: ObjectSource | null;
}

export interface BundlePlan {
  bundle: string;
  kind: BundleKind;
  entries: PlannedEntry[];
  /** Things seen and deliberately not stored (directories are implicit), with the reason. */
  warnings: string[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

function looksLikeTar(head: Buffer): boolean {
  if (head.length < 512) return false;
  if (head.subarray(257, 262).toString('latin1') === 'ustar') return true;
  // v7 tar: no magic, but the header checksum field must match the header's bytes.
  const stored = parseInt(head.subarray(148, 156).toString('latin1').replace(/\0.*$/, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i]!;
  return sum === stored;
}

/** Decide what a bundle path is: by its content first, its name only to refuse a corrupt archive. */
export function detectBundleKind(bundle: string): BundleKind {
  let st: fs.Stats;
  try {
    st = fs.statSync(bundle);
  } catch (err) {
    throw new ProbityError('not-found', `${bundle}: cannot read the bundle: ${describeFsError(err)}`, {
      file: bundle,
    });
  }
  if (st.isDirectory()) return 'folder';
  if (!st.isFile())
    throw new ProbityError('unreadable', `${bundle}: not a folder, archive or regular file`, {
      file: bundle,
    });
  const head = readHead(bundle, bundle, 512);
  const lower = bundle.toLowerCase();
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
    if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
    throw new ProbityError(
      'usage',
      `${bundle}: a gzip file that is not named .tar.gz or .tgz; only gzipped tar bundles are read`,
      { file: bundle },
    );
  }
  if (head.subarray(0, 2).toString('latin1') === 'PK') return 'zip';
  if (looksLikeTar(head)) return 'tar';
  if (
    lower.endsWith('.tar') ||
    lower.endsWith('.tar.gz') ||
    lower.endsWith('.tgz') ||
    lower.endsWith('.zip')
  ) {
    throw new ProbityError(
      'malformed',
      `${bundle}: named like an archive but is not one (corrupt or truncated archive)`,
      { file: bundle },
    );
  }
  return 'file';
}

/** Walk a folder without following links: links are recorded as links, never read through. */
function planFolder(root: string): { entries: PlannedEntry[]; warnings: string[] } {
  const entries: PlannedEntry[] = [];
  const warnings: string[] = [];
  const rootBuf = Buffer.from(path.resolve(root));
  const walk = (dirAbs: Buffer, relParts: Buffer[]) => {
    let names: fs.Dirent<Buffer>[];
    try {
      names = fs.readdirSync(dirAbs, { encoding: 'buffer', withFileTypes: true });
    } catch (err) {
      throw new ProbityError(
        'unreadable',
        `${dirAbs.toString()}: cannot list folder: ${describeFsError(err)}`,
        {
          file: dirAbs.toString(),
        },
      );
    }
    names.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const d of names) {
      const abs = Buffer.concat([dirAbs, Buffer.from('/'), d.name]);
      const rel = [...relParts, d.name];
      const relBytes = Buffer.concat(rel.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('/'), p])));
      const { path: relPath, rawNameHex } = safeEntryPath(root, relBytes, { backslashIsSeparator: false });
      let st: fs.Stats;
      try {
        st = fs.lstatSync(abs);
      } catch (err) {
        throw new ProbityError('unreadable', `${relPath}: cannot stat: ${describeFsError(err)}`, {
          file: relPath,
        });
      }
      const common = {
        key: relPath,
        path: relPath,
        occurrence: 1,
        rawNameHex,
        mtime: st.mtime.toISOString(),
        mtimeMs: st.mtimeMs,
        sourcePath: abs.toString(),
      };
      if (st.isSymbolicLink()) {
        let target = '';
        try {
          target = fs.readlinkSync(abs).toString();
        } catch (err) {
          target = `(unreadable: ${describeFsError(err)})`;
        }
        entries.push({ ...common, type: 'link', size: 0, linkTarget: target, source: null });
      } else if (st.isDirectory()) {
        walk(abs, rel);
      } else if (st.isFile()) {
        entries.push({
          ...common,
          type: 'file',
          size: st.size,
          linkTarget: null,
          source: {
            kind: 'file',
            path: abs.toString(),
            pathBytes: rawNameHex ? new Uint8Array(abs) : null,
            expectSize: st.size,
            expectMtimeMs: st.mtimeMs,
          },
        });
      } else {
        warnings.push(`${relPath}: not stored: not a regular file (device, socket or fifo)`);
      }
    }
  };
  walk(rootBuf, []);
  return { entries, warnings };
}

/**
 * One archive member as a planned entry, or null for what is not stored (directories are implicit;
 * devices and fifos are named in a warning). Duplicate names keep every copy, numbered by
 * `occurrence`, because which copy a tool extracts is itself evidence.
 */
export function planArchiveEntry(
  bundle: string,
  e: ArchiveEntry,
  seen: Map<string, number>,
  warnings: string[],
  source: ObjectSource | null,
): PlannedEntry | null {
  if (e.type === 'directory') return null;
  if (e.type === 'other') {
    warnings.push(`${e.path}: not stored: not a regular file in the archive`);
    return null;
  }
  const occurrence = (seen.get(e.path) ?? 0) + 1;
  seen.set(e.path, occurrence);
  if (occurrence > 1) {
    warnings.push(
      `${e.path}: the archive holds this name ${occurrence} times; every copy is kept (occurrence ${occurrence})`,
    );
  }
  const isLink = e.type === 'symlink' || e.type === 'hardlink';
  return {
    key: `${e.index}:${e.path}`,
    path: e.path,
    occurrence,
    rawNameHex: e.rawNameHex,
    type: isLink ? 'link' : 'file',
    size: isLink ? 0 : e.size,
    mtime: e.mtime ? e.mtime.toISOString() : null,
    mtimeMs: e.mtime ? e.mtime.getTime() : null,
    sourcePath: `${bundle}!/${e.path}`,
    linkTarget: e.linkTarget,
    source: isLink ? null : source,
  };
}

function planArchive(
  bundle: string,
  index: Awaited<ReturnType<typeof indexTar>>,
): { entries: PlannedEntry[]; warnings: string[] } {
  const entries: PlannedEntry[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  for (const e of index.entries) {
    const source = index.sources.get(e.index) ?? null;
    if (e.type === 'file' && !source)
      throw new ProbityError('malformed', `${bundle}: entry "${e.path}" has no data`, { file: bundle });
    const planned = planArchiveEntry(bundle, e, seen, warnings, source);
    if (planned) entries.push(planned);
  }
  return { entries, warnings };
}

/** List a bundle's contents without reading file bodies (a .tar.gz is listed while it is stored). */
export async function planBundle(bundleArg: string): Promise<BundlePlan> {
  const bundle = path.resolve(bundleArg);
  const kind = detectBundleKind(bundle);
  switch (kind) {
    case 'folder':
      return { bundle, kind, ...planFolder(bundle) };
    case 'tar':
      return { bundle, kind, ...planArchive(bundle, await indexTar(bundle)) };
    case 'zip':
      return { bundle, kind, ...planArchive(bundle, await indexZip(bundle)) };
    case 'tar.gz':
      return { bundle, kind, entries: [], warnings: [] };
    case 'file': {
      const st = fs.statSync(bundle);
      const name = path.basename(bundle);
      return {
        bundle,
        kind,
        warnings: [],
        entries: [
          {
            key: name,
            path: name,
            occurrence: 1,
            rawNameHex: null,
            type: 'file',
            size: st.size,
            mtime: st.mtime.toISOString(),
            mtimeMs: st.mtimeMs,
            sourcePath: bundle,
            linkTarget: null,
            source: {
              kind: 'file',
              path: bundle,
              pathBytes: null,
              expectSize: st.size,
              expectMtimeMs: st.mtimeMs,
            },
          },
        ],
      };
    }
  }
}
