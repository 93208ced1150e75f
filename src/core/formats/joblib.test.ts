/**
 * joblib files built byte by byte the way joblib.dump writes them (joblib/numpy_pickle.py): a
 * protocol-4 pickle in which each NumPy array is a `NumpyArrayWrapper` object whose BUILD is
 * followed — outside the opcodes, after the frame is committed — by one padding-length byte, that
 * many 0xFF bytes (16-byte alignment, joblib ≥ 1.2) and the raw elements; an object array is a
 * protocol-2 pickle of its own. The scan must step over exactly those bytes and judge the rest.
 *
 * Layout of `joblibFile()` (a LinearRegression-like estimator with a float64 `coef_`):
 *
 *   PROTO 4, FRAME n
 *     sklearn.linear_model._base.LinearRegression  EMPTY_TUPLE NEWOBJ  EMPTY_DICT MARK
 *       'fit_intercept' True
 *       'coef_'  joblib.numpy_pickle.NumpyArrayWrapper EMPTY_TUPLE NEWOBJ
 *                {subclass: numpy.ndarray, shape: (k,), order: 'C',
 *                 dtype: numpy.dtype('f8', False, True) BUILD (3, '<', None, None, None, -1, -1, 0),
 *                 allow_mmap: True, numpy_array_alignment_bytes: 16} BUILD
 *   (frame ends) pad-length byte, pad × 0xFF, k × 8 bytes of float64
 *   FRAME m
 *       'intercept_' BINFLOAT <tail opcodes>  SETITEMS BUILD STOP
 */
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectArtifact, type Artifact } from './detect.ts';
import type { PickleScanReport } from './pickle.ts';
import { pickleBytes, repoRoot, sbu, scratch, tar } from './testkit.ts';

const tmp = scratch('probity-joblib-');
afterAll(() => tmp.cleanup());

const inspect = (name: string, data: Buffer): Promise<Artifact> => inspectArtifact(tmp.write(name, data));
const findings = (a: Artifact): string[] =>
  a.scan.findings.map((f) => `${f.level}: ${f.what}${f.where ? ` @ ${f.where}` : ''}`);

const M = 0x94; // MEMOIZE
const glob = (mod: string, name: string): Buffer => pickleBytes(sbu(mod), M, sbu(name), M, 0x93, M);
const i4 = (n: number): Buffer => {
  const b = Buffer.alloc(5);
  b[0] = 0x4a;
  b.writeInt32LE(n, 1);
  return b;
};
const frame = (body: Buffer): Buffer => {
  const h = Buffer.alloc(9);
  h[0] = 0x95;
  h.writeBigUInt64LE(BigInt(body.length), 1);
  return Buffer.concat([h, body]);
};
const f8 = (v: number): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = 0x47;
  b.writeDoubleBE(v, 1);
  return b;
};

interface Spec {
  /** Elements of the float64 array. */
  values?: number[];
  /** The shape written in the wrapper (defaults to the values' length). */
  shape?: Buffer;
  /** Opcodes after 'intercept_' <float>, before SETITEMS BUILD STOP. */
  tail?: Buffer;
  /** Drop the alignment key (joblib < 1.2 writes no padding). */
  noAlignment?: boolean;
  /** Put the array data inside the wrapper's frame (joblib commits the frame first). */
  dataInFrame?: boolean;
  /** An object array: dtype O8, followed by this protocol-2 pickle. */
  objectPickle?: Buffer;
  padByte?: number;
  /** The module the wrapper class is imported from. */
  wrapperModule?: string;
}

function joblibFile(spec: Spec = {}): Buffer {
  const values = spec.values ?? [1.5, -2.25, 3];
  const dtype = spec.objectPickle ? 'O8' : 'f8';
  const head = pickleBytes(
    glob('sklearn.linear_model._base', 'LinearRegression'),
    0x29,
    0x81,
    M,
    0x7d,
    M,
    0x28,
    sbu('fit_intercept'),
    M,
    0x88,
    sbu('coef_'),
    M,
    glob(spec.wrapperModule ?? 'joblib.numpy_pickle', 'NumpyArrayWrapper'),
    0x29,
    0x81,
    M,
    0x7d,
    M,
    0x28,
    sbu('subclass'),
    M,
    glob('numpy', 'ndarray'),
    sbu('shape'),
    M,
    spec.shape ?? pickleBytes(0x4b, values.length, 0x85),
    M,
    sbu('order'),
    M,
    sbu('C'),
    M,
    sbu('dtype'),
    M,
    glob('numpy', 'dtype'),
    sbu(dtype),
    M,
    0x89,
    0x88,
    0x87,
    M,
    0x52,
    M,
    0x28,
    0x4b,
    3,
    sbu(spec.objectPickle ? '|' : '<'),
    M,
    0x4e,
    0x4e,
    0x4e,
    i4(-1),
    i4(-1),
    0x4b,
    spec.objectPickle ? 0x3f : 0,
    0x74,
    M,
    0x62,
    sbu('allow_mmap'),
    M,
    spec.objectPickle ? 0x89 : 0x88,
    ...(spec.noAlignment ? [] : [sbu('numpy_array_alignment_bytes'), M, pickleBytes(0x4b, 16)]),
    0x75,
    0x62,
  );
  const data = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => data.writeDoubleLE(v, i * 8));
  const rest = pickleBytes(sbu('intercept_'), M, f8(0.5), spec.tail ?? Buffer.alloc(0), 0x75, 0x62, 0x2e);
  const proto = Buffer.from([0x80, 4]);
  let array: Buffer;
  const start = proto.length + 9 + head.length;
  if (spec.objectPickle) array = spec.objectPickle;
  else if (spec.noAlignment) array = data;
  else {
    const pad = 16 - ((start + 1) % 16);
    array = Buffer.concat([Buffer.from([pad]), Buffer.alloc(pad, spec.padByte ?? 0xff), data]);
  }
  if (spec.dataInFrame) return Buffer.concat([proto, frame(Buffer.concat([head, array, rest]))]);
  return Buffer.concat([proto, frame(head), array, frame(rest)]);
}

const OS_SYSTEM = pickleBytes(glob('os', 'system'), sbu('touch /tmp/pwned'), M, 0x85, M, 0x52, M, 0x30);

const report = (a: Artifact): PickleScanReport => {
  if (a.kind !== 'pickle') throw new Error(`kind ${a.kind}`);
  return a.result;
};

describe('joblib: arrays written inline after NumpyArrayWrapper', () => {
  it('a scikit-learn-like estimator with a float64 array is read to the end and safe', async () => {
    const a = await inspect('model.joblib', joblibFile());
    expect(findings(a)).toEqual([]);
    expect(a.scan.level).toBe('safe');
    const p = report(a).pickles[0]!;
    expect(p.complete).toBe(true);
    expect(p.joblibArrays).toHaveLength(1);
    expect(p.joblibArrays[0]).toMatchObject({ shape: [3], dtype: 'f8', order: 'C', allowMmap: true });
    expect(p.joblibArrays[0]!.dataBytes).toBe(24);
    expect(p.joblibArrays[0]!.dataOffset % 16).toBe(0); // joblib aligns the data to 16 bytes in the stream
  });

  it('joblib < 1.2 (no alignment padding) is read as well', async () => {
    const a = await inspect('old.joblib', joblibFile({ noAlignment: true }));
    expect(a.scan.level).toBe('safe');
    expect(report(a).pickles[0]!.joblibArrays[0]!.padding).toBeNull();
  });

  it('the copy of joblib vendored in scikit-learn < 0.23 is read the same way', async () => {
    const a = await inspect(
      'old-sklearn.pkl',
      joblibFile({ wrapperModule: 'sklearn.externals.joblib.numpy_pickle' }),
    );
    expect(findings(a)).toEqual([]);
    expect(report(a).pickles[0]!.joblibArrays).toHaveLength(1);
    // Another module's class of the same name is no joblib wrapper: its "array" is not skipped.
    const other = await inspect('other.pkl', joblibFile({ wrapperModule: 'mypkg.numpy_pickle' }));
    expect(other.scan.level).not.toBe('safe');
    expect(report(other).pickles[0]!.joblibArrays).toHaveLength(0);
  });

  it('os.system after the array is found: dangerous', async () => {
    const a = await inspect('model.joblib', joblibFile({ tail: OS_SYSTEM }));
    expect(a.scan.level).toBe('dangerous');
    expect(findings(a).join('\n')).toMatch(/os\.system/);
  });

  it('array data whose bytes look like opcodes is skipped, not decoded', async () => {
    // 0x63 'c' GLOBAL bytes spelling os/system inside the float data: data, not code.
    const bytes = Buffer.from("cos\nsystem\n(S'x'\ntR.\0\0\0\0\0", 'latin1');
    const values = [0, 1, 2].map((i) => bytes.readDoubleLE(i * 8));
    const a = await inspect('model.joblib', joblibFile({ values }));
    expect(findings(a)).toEqual([]);
    expect(a.scan.level).toBe('safe');
  });

  it('an array that claims more bytes than the file holds is never safe', async () => {
    const a = await inspect(
      'lie.joblib',
      joblibFile({ shape: pickleBytes(0x4a, Buffer.from([0x40, 0x42, 0x0f, 0x00]), 0x85) }),
    );
    expect(a.scan.level).not.toBe('safe');
    expect(['suspicious', 'not-analysed']).toContain(a.scan.level);
    expect(findings(a).join('\n')).toMatch(/claims 8000000 bytes of data but only \d+ remain/);
  });

  it('a shape that is not literal caps the verdict and is named', async () => {
    // shape = os.getcwd()-like call result: the length of what follows cannot be known.
    const shape = pickleBytes(glob('builtins', 'len'), 0x29, 0x52);
    const a = await inspect('computed.joblib', joblibFile({ shape }));
    expect(a.scan.level).not.toBe('safe');
    expect(findings(a).join('\n')).toMatch(
      /shape (.* )?is not a literal tuple|shape .* is not made of literal integers/,
    );
  });

  it('array data inside the wrapper frame (opcodes and data would diverge) is suspicious', async () => {
    const a = await inspect('frame.joblib', joblibFile({ dataInFrame: true }));
    expect(a.scan.level).not.toBe('safe');
    expect(findings(a).join('\n')).toMatch(/inside its frame/);
  });

  it('padding that is not 0xFF is reported', async () => {
    const a = await inspect('pad.joblib', joblibFile({ padByte: 0x41 }));
    expect(a.scan.level).toBe('suspicious');
    expect(findings(a).join('\n')).toMatch(/padding holds bytes other than 0xFF/);
  });

  it('an object array is a pickle of its own: scanned, and the stream goes on after its STOP', async () => {
    const inner = pickleBytes([0x80, 2], 'cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.');
    const bad = await inspect('obj.joblib', joblibFile({ objectPickle: inner }));
    expect(bad.scan.level).toBe('dangerous');
    expect(findings(bad).join('\n')).toMatch(/posix\.system.*joblib object array/);
    const benignInner = pickleBytes([0x80, 2], ']q\x00(K\x01K\x02e.');
    const ok = await inspect('obj.joblib', joblibFile({ objectPickle: benignInner }));
    expect(findings(ok)).toEqual([]);
    const evilAfter = await inspect('obj.joblib', joblibFile({ objectPickle: benignInner, tail: OS_SYSTEM }));
    expect(evilAfter.scan.level).toBe('dangerous');
  });
});

describe('joblib compressed files', () => {
  it('zlib (joblib compress=True): inflated and scanned', async () => {
    const ok = await inspect('model.joblib', deflateSync(joblibFile()));
    expect(ok.scan.level).toBe('safe');
    const bad = await inspect('model.joblib', deflateSync(joblibFile({ tail: OS_SYSTEM })));
    expect(bad.scan.level).toBe('dangerous');
    expect(findings(bad).join('\n')).toMatch(/os\.system/);
  });

  it('gzip: decompressed and scanned', async () => {
    const bad = await inspect('model.joblib.gz', gzipSync(joblibFile({ tail: OS_SYSTEM })));
    expect(bad.scan.level).toBe('dangerous');
  });

  it('gzip of a tar (model.tar.gz): its members are walked and a pickle among them scanned', async () => {
    const bad = gzipSync(
      tar([
        { name: 'model/config.json', data: Buffer.from('{}') },
        { name: 'model/model.joblib', data: joblibFile({ tail: OS_SYSTEM }) },
      ]),
    );
    const a = await inspect('model.tar.gz', bad);
    expect(a.scan.level).toBe('dangerous');
    expect(findings(a).join('\n')).toMatch(/os\.system.*gzip content/);
    const ok = await inspect('model.tar.gz', gzipSync(tar([{ name: 'model.joblib', data: joblibFile() }])));
    expect(ok.scan.level).toBe('safe');
  });

  it('gzip content that is neither a pickle nor a tar is not analysed, and says so', async () => {
    const a = await inspect('notes.gz', gzipSync(Buffer.from('plain text, not a model\n'.repeat(40))));
    expect(a.scan.level).toBe('not-analysed');
    expect(findings(a).join('\n')).toMatch(/content is neither a pickle nor a tar/);
  });

  it('a zlib stream that does not inflate is not analysed', async () => {
    const z = deflateSync(joblibFile({ tail: OS_SYSTEM }));
    const cut = z.subarray(0, z.length - 40);
    const a = await inspect('cut.joblib', cut);
    expect(a.scan.level).not.toBe('safe');
  });

  it('bz2, lzma, xz, lz4: not analysed, with the reason', async () => {
    for (const [name, head] of [
      ['m.joblib.bz2', Buffer.from('BZh91AY&SY', 'latin1')],
      ['m.joblib.lzma', Buffer.from('5d0000800000', 'hex')],
      ['m.joblib.xz', Buffer.from('fd377a585a000004e6d6b446', 'hex')],
      ['m.joblib.lz4', Buffer.from('04224d18644070b9', 'hex')],
    ] as const) {
      const a = await inspect(name, Buffer.concat([head, Buffer.alloc(64, 7)]));
      expect(a.scan.level, name).toBe('not-analysed');
      expect(findings(a).join('\n'), name).toMatch(/does not decompress/);
    }
  });
});

describe('files written by joblib.dump itself (test/fixtures/joblib, made by make.py)', () => {
  // joblib 1.2.0, numpy 1.24: float64 (4, 6), int32 (4,), object (6,) and float64 (4,) arrays.
  const real = (name: string) => inspectArtifact(path.join(repoRoot, 'test/fixtures/joblib', name));

  it('the estimator is read to the end, each array stepped over where joblib.load reads it: safe', async () => {
    const a = await real('estimator.joblib');
    expect(findings(a)).toEqual([]);
    expect(a.scan.level).toBe('safe');
    const arrays = report(a).pickles[0]!.joblibArrays;
    expect(arrays.map((x) => [x.dtype, x.shape, x.dataBytes, x.objectPickle])).toEqual([
      ['f8', [4, 6], 192, false],
      ['i4', [4], 16, false],
      ['O8', [6], 242, true],
      ['f8', [4], 32, false],
    ]);
    // Numeric data starts 16-byte aligned in the file, as joblib ≥ 1.2 writes it.
    for (const x of arrays.filter((y) => !y.objectPickle)) expect(x.dataOffset % 16).toBe(0);
    for (const name of ['estimator.joblib.z', 'estimator.joblib.gz'])
      expect((await real(name)).scan.level, name).toBe('safe');
  });

  it('os.system reached after the arrays is dangerous, plain and zlib-compressed', async () => {
    for (const name of ['estimator-os-system.joblib', 'estimator-os-system.joblib.z']) {
      const a = await real(name);
      expect(a.scan.level, name).toBe('dangerous');
      expect(findings(a).join('\n'), name).toMatch(/posix\.system/);
    }
  });
});
