import path from 'node:path';
import type { ManifestCheck, ManifestStatus } from '../../shared/domain';

export interface ChecksumLine {
  line: number;
  algorithm: 'sha256' | 'sha1' | 'md5' | 'sha512' | 'unknown';
  hex: string;
  listedPath: string;
}

export interface ParsedChecksums {
  entries: ChecksumLine[];
  /** Lines that are neither blank, a comment, nor a checksum line, and lines in other digests. */
  skipped: { line: number; reason: string }[];
}

const BY_LENGTH: Record<number, ChecksumLine['algorithm']> = {
  32: 'md5',
  40: 'sha1',
  64: 'sha256',
  128: 'sha512',
};

/**
 * Parse the checksum list formats custodians meet:
 *  - GNU coreutils `sha256sum`: `<hex>  <path>` (text mode) or `<hex> *<path>` (binary mode), with
 *    the `\` prefix escaping of names containing newlines or backslashes;
 *  - BSD / `sha256sum --tag` / openssl: `SHA256 (<path>) = <hex>`.
 * Only SHA-256 lines can be checked against Probity's custody digest; others are reported skipped.
 */
export function parseChecksumFile(text: string): ParsedChecksums {
  const entries: ChecksumLine[] = [];
  const skipped: ParsedChecksums['skipped'] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replace(/^\uFEFF/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const bsd = /^(SHA256|SHA1|MD5|SHA512|SHA2-256)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$/.exec(line);
    if (bsd) {
      const algo = bsd[1]!.toUpperCase().replace('SHA2-256', 'SHA256');
      push(lineNo, bsd[3]!, bsd[2]!, algo.toLowerCase() as ChecksumLine['algorithm']);
      return;
    }
    let escaped = false;
    let body = line;
    if (body.startsWith('\\')) {
      escaped = true;
      body = body.slice(1);
    }
    const gnu = /^([0-9a-fA-F]{32,128}) ([ *])(.+)$/.exec(body);
    if (gnu) {
      let p = gnu[3]!;
      if (escaped)
        p = p.replace(/\\(\\|n|r)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
      push(lineNo, gnu[1]!, p, BY_LENGTH[gnu[1]!.length] ?? 'unknown');
      return;
    }
    skipped.push({ line: lineNo, reason: 'not a checksum line' });
  });
  return { entries, skipped };

  function push(lineNo: number, hex: string, listedPath: string, algorithm: ChecksumLine['algorithm']) {
    if (algorithm !== 'sha256' || hex.length !== 64) {
      skipped.push({
        line: lineNo,
        reason: `${algorithm === 'unknown' ? 'unrecognised' : algorithm} digest: only SHA-256 is checked`,
      });
      return;
    }
    entries.push({ line: lineNo, algorithm, hex: hex.toLowerCase(), listedPath });
  }
}

export interface BundleFile {
  path: string; // POSIX path inside the bundle
  sha256: string;
}

/**
 * Check one checksum file against the files of its bundle, the way `sha256sum -c` run in the
 * checksum file's folder would, and hashdeep's audit words for the outcome. A listed path that is
 * absolute (the playbook writes "$EVIDENCE_DIR"/* into its list) is matched by its longest trailing
 * run of path components that names a file below that folder.
 * Returns a check per listed file, and the files below the folder that no line lists ("new").
 */
export function checkManifest(
  manifestPath: string,
  parsed: ParsedChecksums,
  files: BundleFile[],
  isManifest: (p: string) => boolean,
): { checks: ManifestCheck[]; unlisted: string[] } {
  const dir = path.posix.dirname(manifestPath);
  const prefix = dir === '.' ? '' : `${dir}/`;
  const below = files.filter((f) => f.path.startsWith(prefix));
  const byRel = new Map<string, BundleFile>();
  for (const f of below) byRel.set(f.path.slice(prefix.length), f);

  const resolve = (listed: string): string | null => {
    const norm = listed.replace(/\\/g, '/').replace(/^\.\//, '');
    if (!norm.startsWith('/') && !/^[A-Za-z]:\//.test(norm)) {
      return path.posix.normalize(norm);
    }
    const parts = norm.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const tail = parts.slice(i).join('/');
      if (byRel.has(tail)) return tail;
    }
    return parts.at(-1) ?? norm;
  };

  const listed = new Set<string>();
  const checks: ManifestCheck[] = parsed.entries.map((e) => {
    const rel = resolve(e.listedPath);
    const f = rel === null ? undefined : byRel.get(rel);
    if (rel !== null) listed.add(rel);
    const bundlePath = rel === null ? e.listedPath : prefix + rel;
    if (!f)
      return {
        manifestPath,
        listedPath: bundlePath,
        expected: e.hex,
        actual: null,
        status: 'missing' as const,
      };
    return {
      manifestPath,
      listedPath: bundlePath,
      expected: e.hex,
      actual: f.sha256,
      status: f.sha256 === e.hex ? ('matched' as const) : ('mismatched' as const),
    };
  });
  const unlisted = below
    .filter((f) => !listed.has(f.path.slice(prefix.length)) && f.path !== manifestPath && !isManifest(f.path))
    .map((f) => f.path);
  return { checks, unlisted };
}

/** The outcome of every checksum list of a bundle checked against the files stored from it. */
export interface ChecksumListsOutcome {
  /** One check per listed line, list by list in the order given. */
  checks: ManifestCheck[];
  /**
   * Per bundle path, what the lists say of it: its worst outcome over every list that names it
   * (a mismatch wins), or "new" for a file below a list's folder that no list names.
   */
  byPath: Map<string, { status: ManifestStatus; expected: string | null }>;
  /** Listed lines matched, mismatched and missing; files no list names ("new"). */
  counts: { matched: number; mismatched: number; missing: number; new: number };
}

/**
 * Check every checksum list of a bundle against its files (checkManifest, list by list) and sum
 * the outcome. `isChecksumList` names every checksum list of the bundle, checked or not: a list is
 * never reported as a file the other lists forgot.
 */
export function checkChecksumLists(
  lists: readonly { path: string; parsed: ParsedChecksums }[],
  files: BundleFile[],
  isChecksumList: (p: string) => boolean,
): ChecksumListsOutcome {
  const checks: ManifestCheck[] = [];
  const unlisted = new Set<string>();
  for (const list of lists) {
    const res = checkManifest(list.path, list.parsed, files, isChecksumList);
    checks.push(...res.checks);
    for (const u of res.unlisted) unlisted.add(u);
  }
  const byPath = new Map<string, { status: ManifestStatus; expected: string | null }>();
  for (const c of checks) {
    const prev = byPath.get(c.listedPath);
    if (!prev || c.status === 'mismatched')
      byPath.set(c.listedPath, { status: c.status, expected: c.expected });
  }
  for (const p of unlisted) if (!byPath.has(p)) byPath.set(p, { status: 'new', expected: null });
  const counts = {
    matched: 0,
    mismatched: 0,
    missing: 0,
    new: [...byPath.values()].filter((v) => v.status === 'new').length,
  };
  for (const c of checks) counts[c.status]++;
  return { checks, byPath, counts };
}
