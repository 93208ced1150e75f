/**
 * NumPy `.npy` and `.npz` (numpy/lib/format.py, NEP 1): magic `\x93NUMPY`, major/minor version, a
 * little-endian header length (2 bytes in 1.0, 4 bytes in 2.0/3.0), then a Python dict literal
 * with `descr`, `fortran_order` and `shape`, padded with spaces and a newline. Numeric arrays
 * follow as raw bytes; an array whose dtype holds objects (`'|O'`, or a structured dtype with an
 * `O` field) is stored as a pickle, which `np.load(allow_pickle=True)` runs: that pickle is
 * scanned like any other. `.npz` is a zip of `.npy` members.
 */
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { bufferSource, fmt, malformed, q, type ByteSource } from './reader.ts';
import { scanPickleRange, type PickleScanReport } from './pickle.ts';
import { FindingList, type ScanFinding } from './verdict.ts';
import { readZipDirectory, entryDataOffset, inflateEntry, type ZipEntry } from '../io/archive/zip.ts';
import { ProbityError } from '../util/errors.ts';

export const NPY_MAGIC = Buffer.from('\x93NUMPY', 'latin1');
const NPY_MAX_HEADER = 1024 * 1024;
const NPZ_MAX_MEMBERS = 10_000;
const MAX_INFLATED = 256 * 1024 * 1024;

export interface NpyArray {
  member: string | null;
  version: string;
  descr: string;
  fortranOrder: boolean | null;
  shape: number[] | null;
  /** True when the dtype holds Python objects: the data is a pickle. */
  objectDtype: boolean;
  pickle: PickleScanReport | null;
}

export interface NumpyResult {
  format: 'npy' | 'npz';
  arrays: NpyArray[];
  findings: ScanFinding[];
  problems: string[];
}

function itemSize(descr: string): number | null {
  const m = /^[<>|=]?([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) return null;
  const n = Number(m[2]);
  if (m[1] === 'U') return n * 4;
  return n;
}

/** Parse the header dict of an .npy at `start`; returns the array description and where data begins. */
async function readNpyHeader(
  src: ByteSource,
  start: number,
  end: number,
  label: string,
): Promise<{ arr: Omit<NpyArray, 'pickle' | 'member'>; dataStart: number }> {
  if (end - start < 10) throw malformed(src.name, `${label}: too short for an .npy header`);
  const pre = await src.read(start, 12 > end - start ? end - start : 12);
  if (!pre.subarray(0, 6).equals(NPY_MAGIC)) throw malformed(src.name, `${label}: no \\x93NUMPY magic`);
  const major = pre[6] ?? 0;
  const minor = pre[7] ?? 0;
  if (major < 1 || major > 3)
    throw malformed(src.name, `${label}: unsupported .npy version ${major}.${minor}`);
  const lenBytes = major === 1 ? 2 : 4;
  const hlen = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
  const hstart = start + 8 + lenBytes;
  if (hlen > NPY_MAX_HEADER || hstart + hlen > end)
    throw malformed(
      src.name,
      `${label}: header length ${fmt(hlen)} passes the end or the ${fmt(NPY_MAX_HEADER)}-byte limit`,
    );
  const header = (await src.read(hstart, hlen)).toString(major === 3 ? 'utf8' : 'latin1');
  const descrM = /['"]descr['"]\s*:\s*('([^']*)'|"([^"]*)"|\[)/.exec(header);
  if (!descrM) throw malformed(src.name, `${label}: header has no 'descr' (${q(header, 80)})`);
  const descr = descrM[1] === '[' ? header.slice(descrM.index) : (descrM[2] ?? descrM[3] ?? '');
  const fo = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  const sh = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  let shape: number[] | null = null;
  if (sh) {
    const parts = (sh[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    shape = parts.every((p) => /^\d+L?$/.test(p)) ? parts.map((p) => Number(p.replace(/L$/, ''))) : null;
  }
  // 'O' as the type code of the dtype, or of any field of a structured dtype.
  const objectDtype = descrM[1] === '[' ? /['"][<>|=]?O\d*['"]/.test(descr) : /^[<>|=]?O\d*$/.test(descr);
  return {
    arr: {
      version: `${major}.${minor}`,
      descr: descr.slice(0, 200),
      fortranOrder: fo ? fo[1] === 'True' : null,
      shape,
      objectDtype,
    },
    dataStart: hstart + hlen,
  };
}

/** Scan one .npy held in `[start, end)` of `src`. */
export async function scanNpyRange(
  src: ByteSource,
  start: number,
  end: number,
  member: string | null,
  findings: FindingList,
): Promise<NpyArray> {
  const label = member ? `member ${q(member)}` : 'file';
  const { arr, dataStart } = await readNpyHeader(src, start, end, label);
  const where = member ? `member ${q(member)}` : null;
  let pickle: PickleScanReport | null = null;
  if (arr.objectDtype) {
    if (dataStart >= end) findings.add('not-analysed', 'object array with no data after its header', where);
    else {
      try {
        pickle = await scanPickleRange(src, dataStart, end, member);
        for (const f of pickle.findings)
          findings.add(
            f.level,
            f.what,
            [where, 'object-array pickle', f.where].filter(Boolean).join(', '),
            f.capability,
          );
      } catch (err) {
        if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
        findings.add('not-analysed', `object array data is not a readable pickle: ${err.message}`, where);
      }
    }
  } else {
    const size = itemSize(arr.descr);
    if (arr.shape && size !== null) {
      const count = arr.shape.reduce((a, b) => a * b, 1);
      const want = count * size;
      if (Number.isSafeInteger(want) && want !== end - dataStart)
        findings.add(
          'suspicious',
          `array of shape (${arr.shape.join(', ')}) and dtype ${arr.descr} needs ${fmt(want)} bytes but ${fmt(end - dataStart)} follow the header`,
          where,
        );
    } else if (!arr.shape) findings.add('suspicious', `header shape is not a tuple of integers`, where);
  }
  return { member, ...arr, pickle };
}

export async function scanNpy(src: ByteSource): Promise<NumpyResult> {
  const findings = new FindingList();
  const a = await scanNpyRange(src, 0, src.size, null, findings);
  return { format: 'npy', arrays: [a], findings: findings.toArray(), problems: [] };
}

/** The first bytes of a zip member (a deflated one: a prefix inflated without finishing the stream). */
export async function zipMemberHead(src: ByteSource, e: ZipEntry, start: number, n = 4096): Promise<Buffer> {
  if (e.method === 0) return src.read(start, Math.min(e.compressedSize, n));
  if (e.method !== 8) return Buffer.alloc(0);
  const raw = await src.read(start, Math.min(e.compressedSize, n * 4));
  try {
    return inflateRawSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, n);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Is this zip an .npz: every member an .npy by content? */
export async function zipIsNpz(src: ByteSource, entries: readonly ZipEntry[]): Promise<boolean> {
  const files = entries.filter((e) => !e.name.endsWith('/'));
  if (files.length === 0 || files.length > NPZ_MAX_MEMBERS) return false;
  for (const e of files.slice(0, 16)) {
    if (e.flags & 1) return false;
    const start = await entryDataOffset(src, e, []);
    const head = await zipMemberHead(src, e, start, 8);
    if (!head.subarray(0, 6).equals(NPY_MAGIC)) return false;
  }
  return true;
}

export async function scanNpz(src: ByteSource): Promise<NumpyResult> {
  const dir = await readZipDirectory(src);
  const findings = new FindingList();
  const arrays: NpyArray[] = [];
  for (const e of dir.entries) {
    if (e.name.endsWith('/')) continue;
    const where = `member ${q(e.name)}`;
    try {
      const start = await entryDataOffset(src, e, []);
      const head = await zipMemberHead(src, e, start, 8);
      if (!head.subarray(0, 6).equals(NPY_MAGIC)) {
        findings.add('suspicious', 'member of an .npz that is not an .npy array', where);
        continue;
      }
      let s: ByteSource = src;
      let a = start;
      let b = start + e.compressedSize;
      if (e.method === 8) {
        const data = await inflateEntry(src, e, start, MAX_INFLATED);
        s = bufferSource(src.name, data);
        a = 0;
        b = data.length;
      } else if (e.method !== 0) {
        findings.add('not-analysed', `compression method ${e.method} is not read`, where);
        continue;
      }
      arrays.push(await scanNpyRange(s, a, b, e.name, findings));
    } catch (err) {
      if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
      findings.add('not-analysed', err.message, where);
    }
  }
  return { format: 'npz', arrays, findings: findings.toArray(), problems: dir.problems };
}
