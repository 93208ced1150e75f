/**
 * HDF5 root attributes in dense storage, in files built byte by byte per the HDF5 File Format
 * Specification 3.0 (offsets and lengths 8 bytes, base address 0):
 *
 *   0     superblock v2: signature, version 2, sizes 8/8, flags, base 0, extension UNDEF, EOF,
 *         root object header address, checksum (48 bytes)
 *   48    root object header "OHDR" v2 (flags 0x02: chunk #0 size in 4 bytes), one message:
 *         attribute info (0x15) v0 {flags 0, fractal heap address, name B-tree address};
 *         checksum after chunk #0
 *   …     fractal heap header "FRHP" v0: heap ID length 8, no filters, flags 0x02 (direct blocks
 *         checksummed), max managed object 4096, huge-object B-tree address, table width 4,
 *         starting block 512, max direct block `maxDirect`, max heap size 40 bits (heap IDs:
 *         type byte, 5-byte offset, 2-byte length), root block address and its row count
 *   …     heap blocks, by `layout`:
 *           'direct'   the root is one direct block "FHDB" (rows 0) at heap offset 0
 *           'indirect' the root is an indirect block "FHIB" of 1 row × 4 entries; the objects sit
 *                      in entry 1 (heap offset 512), the others are UNDEF
 *           'nested'   max direct block 1024, so rows 0–2 hold direct blocks and row 3 holds
 *                      indirect blocks of one row each; the objects sit in the child indirect
 *                      block of row 3 entry 0, its entry 1 (heap offset 8192 + 512)
 *         A direct block is "FHDB", version, heap header address, 5-byte heap offset, checksum,
 *         then the managed objects (attribute messages v3) from byte 22 on.
 *   …     huge objects: an attribute message too large for a managed object, stored on its own;
 *         its heap ID (type 1) holds a key found in the huge-object B-tree (type 1 records:
 *         address, length, key)
 *   …     attribute name B-tree (type 8 records: heap ID, message flags, creation order, hash):
 *         depth 0 (one leaf "BTLF") or depth 1 (an internal node "BTIN" with one record and two
 *         leaf children, pointer = address + 1-byte record count for node size 512)
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectArtifact, type Artifact } from './detect.ts';
import { readHdf5RootAttributes } from './hdf5.ts';
import { bufferSource } from './reader.ts';
import { repoRoot, scratch } from './testkit.ts';
import { withFileSource } from './reader.ts';

const tmp = scratch('probity-h5dense-');
afterAll(() => tmp.cleanup());
const inspect = (name: string, data: Buffer): Promise<Artifact> => inspectArtifact(tmp.write(name, data));
const findings = (a: Artifact): string[] => a.scan.findings.map((f) => `${f.level}: ${f.what}`);

const UNDEF = -1n;
const u8 = (n: number): Buffer => Buffer.from([n]);
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  if (typeof n === 'bigint' && n < 0n) b.writeBigInt64LE(n);
  else b.writeBigUInt64LE(BigInt(n));
  return b;
};
const uN = (n: number, bytes: number): Buffer => Buffer.from(u64(n).subarray(0, bytes));

/** An attribute message v3 holding a UTF-8 fixed-length string. */
function attrMessage(name: string, value: string): Buffer {
  const nm = Buffer.from(`${name}\0`, 'utf8');
  const val = Buffer.from(value, 'utf8');
  const dt = Buffer.concat([u8(0x13), u8(0x10), u16(0), u32(val.length)]); // class 3, UTF-8
  const ds = Buffer.from([2, 0, 0, 0]); // dataspace v2, scalar
  return Buffer.concat([
    u8(3),
    u8(0),
    u16(nm.length),
    u16(dt.length),
    u16(ds.length),
    u8(1),
    nm,
    dt,
    ds,
    val,
  ]);
}

interface Attr {
  name: string;
  value: string;
  huge?: boolean;
}

interface Spec {
  attrs: Attr[];
  layout?: 'direct' | 'indirect' | 'nested';
  depth?: 0 | 1;
  /** The name B-tree's root points at itself. */
  btreeLoop?: boolean;
  /** The root indirect block lists itself as a child. */
  heapLoop?: boolean;
}

const LAMBDA = JSON.stringify({
  class_name: 'Sequential',
  config: {
    name: 'seq',
    layers: [
      { class_name: 'Dense', config: { name: 'd', units: 2 }, module: 'keras.layers' },
      {
        class_name: 'Lambda',
        config: { name: 'evil', function: { class_name: '__lambda__', config: { code: 'YmFzZTY0' } } },
        module: 'keras.layers',
      },
    ],
  },
  padding: 'x'.repeat(6000), // larger than a managed object (4096): a huge object
});
const BENIGN = JSON.stringify({
  class_name: 'Sequential',
  config: { name: 'seq', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2 } }] },
  padding: 'y'.repeat(6000),
});

function denseH5(spec: Spec): Buffer {
  const layout = spec.layout ?? 'direct';
  const maxDirect = layout === 'nested' ? 1024 : 65536;
  const parts: Buffer[] = [];
  let end = 0;
  const put = (b: Buffer): number => {
    const at = end;
    parts.push(b);
    end += b.length;
    return at;
  };
  const patch = (at: number, b: Buffer): void => {
    let off = 0;
    for (const p of parts) {
      if (at < off + p.length) {
        b.copy(p, at - off);
        return;
      }
      off += p.length;
    }
  };
  // Superblock v2, root object header, attribute info message (addresses patched below).
  const sb = put(
    Buffer.concat([
      Buffer.from('894844460d0a1a0a', 'hex'),
      u8(2),
      u8(8),
      u8(8),
      u8(0),
      u64(0),
      u64(UNDEF),
      u64(0),
      u64(48),
      u32(0),
    ]),
  );
  void sb;
  const info = Buffer.concat([u8(0), u8(0), u64(0), u64(0)]);
  const msg = Buffer.concat([u8(0x15), u16(info.length), u8(0), info]);
  const ohdr = put(Buffer.concat([Buffer.from('OHDR'), u8(2), u8(0x02), u32(msg.length), msg, u32(0)]));
  const infoAt = ohdr + 4 + 1 + 1 + 4 + 4;
  // Fractal heap header.
  const fixed = (rootAddr: number, rootRows: number, hugeTree: number): Buffer =>
    Buffer.concat([
      Buffer.from('FRHP'),
      u8(0),
      u16(8),
      u16(0),
      u8(0x02),
      u32(4096),
      u64(1),
      u64(hugeTree < 0 ? UNDEF : hugeTree),
      u64(0),
      u64(UNDEF),
      u64(0),
      u64(0),
      u64(0),
      u64(spec.attrs.length),
      u64(0),
      u64(0),
      u64(0),
      u64(0),
      u16(4),
      u64(512),
      u64(maxDirect),
      u16(40),
      u16(1),
      u64(rootAddr),
      u16(rootRows),
      u32(0),
    ]);
  const heapAt = put(fixed(0, 0, -1));
  // The one direct block that holds the managed objects, and where it sits in the heap.
  const blockHeapOffset = layout === 'direct' ? 0 : layout === 'indirect' ? 512 : 8192 + 512;
  const block = Buffer.alloc(512);
  Buffer.concat([Buffer.from('FHDB'), u8(0), u64(heapAt), uN(blockHeapOffset, 5), u32(0)]).copy(block);
  let fill = 22;
  const ids: Buffer[] = [];
  const hugeRecords: Buffer[] = [];
  const hugeBodies: { key: number; body: Buffer }[] = [];
  spec.attrs.forEach((a, i) => {
    const body = attrMessage(a.name, a.value);
    if (a.huge) {
      hugeBodies.push({ key: i + 1, body });
      ids.push(Buffer.concat([u8(0x10), uN(i + 1, 7)]));
    } else {
      if (fill + body.length > 512) throw new Error('test attributes do not fit one block');
      body.copy(block, fill);
      ids.push(Buffer.concat([u8(0x00), uN(blockHeapOffset + fill, 5), u16(body.length)]));
      fill += body.length;
    }
  });
  const blockAt = put(block);
  let rootAddr = blockAt;
  let rootRows = 0;
  const iblock = (heapOffset: number, entries: bigint[]): Buffer =>
    Buffer.concat([
      Buffer.from('FHIB'),
      u8(0),
      u64(heapAt),
      uN(heapOffset, 5),
      ...entries.map((e) => u64(e)),
      u32(0),
    ]);
  if (layout === 'indirect') {
    rootRows = 1;
    rootAddr = end;
    put(iblock(0, [UNDEF, BigInt(blockAt), spec.heapLoop ? BigInt(end) : UNDEF, UNDEF]));
  } else if (layout === 'nested') {
    const child = put(iblock(8192, [UNDEF, BigInt(blockAt), UNDEF, UNDEF]));
    rootRows = 4;
    rootAddr = end;
    // Rows 0–2: direct blocks (UNDEF here); row 3: indirect blocks.
    const entries: bigint[] = Array.from({ length: 12 }, () => UNDEF);
    entries.push(BigInt(child), spec.heapLoop ? BigInt(end) : UNDEF, UNDEF, UNDEF);
    put(iblock(0, entries));
  }
  for (const h of hugeBodies) {
    const at = put(h.body);
    hugeRecords.push(Buffer.concat([u64(at), u64(h.body.length), u64(h.key)]));
  }
  const btree = (type: number, recSize: number, records: Buffer[], depth: 0 | 1): number => {
    const node = (sig: string, body: Buffer): Buffer => {
      const n = Buffer.alloc(512);
      Buffer.concat([Buffer.from(sig), u8(0), u8(type), body]).copy(n);
      return n;
    };
    let root: number;
    let rootRecs: number;
    if (depth === 0) {
      root = end;
      rootRecs = records.length;
      put(node('BTLF', Buffer.concat(records)));
      if (spec.btreeLoop) throw new Error('a loop needs depth 1');
    } else {
      const [first, middle, ...rest] = records;
      const left = put(node('BTLF', first!));
      const right = put(node('BTLF', Buffer.concat(rest)));
      root = end;
      rootRecs = 1;
      const leftPtr = spec.btreeLoop ? end : left;
      put(node('BTIN', Buffer.concat([middle!, u64(leftPtr), u8(1), u64(right), u8(rest.length)])));
    }
    return put(
      Buffer.concat([
        Buffer.from('BTHD'),
        u8(0),
        u8(type),
        u32(512),
        u16(recSize),
        u16(depth),
        u8(100),
        u8(40),
        u64(root),
        u16(rootRecs),
        u64(records.length),
        u32(0),
      ]),
    );
  };
  const hugeTree = hugeRecords.length ? btree(1, 24, hugeRecords, 0) : -1;
  const names = btree(
    8,
    17,
    ids.map((id, i) => Buffer.concat([id, u8(0), u32(i), u32(0)])),
    spec.depth ?? 0,
  );
  patch(heapAt, fixed(rootAddr, rootRows, hugeTree));
  patch(infoAt + 2, u64(heapAt));
  patch(infoAt + 10, u64(names));
  patch(28, u64(end)); // end of file
  return Buffer.concat(parts);
}

const KERAS_ATTRS = (config: string): Attr[] => [
  { name: 'backend', value: 'tensorflow' },
  { name: 'keras_version', value: '2.15.0' },
  { name: 'model_config', value: config, huge: true },
];

describe('HDF5 attributes in dense storage', () => {
  it('reads every attribute through the name B-tree: managed objects and a huge model_config', async () => {
    const r = await readHdf5RootAttributes(bufferSource('m.h5', denseH5({ attrs: KERAS_ATTRS(LAMBDA) })));
    expect(r.unread).toEqual([]);
    expect(r.superblockVersion).toBe(2);
    expect(r.attributes.map((a) => [a.name, a.text?.length])).toEqual([
      ['backend', 10],
      ['keras_version', 6],
      ['model_config', LAMBDA.length],
    ]);
  });

  it('a Lambda layer in a dense model_config is dangerous; the benign one is safe', async () => {
    const bad = await inspect('model.h5', denseH5({ attrs: KERAS_ATTRS(LAMBDA) }));
    expect(bad.kind).toBe('keras');
    expect(bad.scan.level).toBe('dangerous');
    expect(findings(bad).join('\n')).toMatch(/Lambda layer "evil"/);
    const ok = await inspect('model.h5', denseH5({ attrs: KERAS_ATTRS(BENIGN) }));
    expect(findings(ok)).toEqual([]);
    expect(ok.scan.level).toBe('safe');
  });

  it('a model_config small enough to be a managed object, through an indirect root block', async () => {
    const small = JSON.parse(LAMBDA) as Record<string, unknown>;
    delete small.padding;
    const attrs = [{ name: 'model_config', value: JSON.stringify(small) }];
    const a = await inspect('model.h5', denseH5({ attrs, layout: 'indirect' }));
    expect(a.scan.level).toBe('dangerous');
  });

  it('nested indirect blocks and a depth-1 name B-tree', async () => {
    const attrs = [
      { name: 'backend', value: 'tensorflow' },
      { name: 'keras_version', value: '2.15.0' },
      ...KERAS_ATTRS(LAMBDA).slice(2),
    ];
    const r = await readHdf5RootAttributes(
      bufferSource(
        'm.h5',
        denseH5({ attrs: [...attrs, { name: 'training_config', value: '{}' }], layout: 'nested', depth: 1 }),
      ),
    );
    expect(r.unread).toEqual([]);
    expect(r.attributes.map((a) => a.name).sort()).toEqual([
      'backend',
      'keras_version',
      'model_config',
      'training_config',
    ]);
    const a = await inspect(
      'model.h5',
      denseH5({ attrs: [...attrs, { name: 'x', value: 'y' }], layout: 'nested', depth: 1 }),
    );
    expect(a.scan.level).toBe('dangerous');
  });

  it('a B-tree that loops back on itself ends, named, and is never safe', async () => {
    const attrs = [
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
      { name: 'c', value: '3' },
    ];
    const a = await inspect('loop.h5', denseH5({ attrs, depth: 1, btreeLoop: true }));
    expect(a.scan.level).not.toBe('safe');
    expect(findings(a).join('\n')).toMatch(/reached twice \(a loop\)/);
  });

  it('a heap whose indirect block lists itself ends, named, and is never safe', async () => {
    const a = await inspect(
      'loop.h5',
      denseH5({ attrs: [{ name: 'model_config', value: '{}' }], layout: 'indirect', heapLoop: true }),
    );
    expect(a.scan.level).not.toBe('safe');
    expect(findings(a).join('\n')).toMatch(/reached twice \(a loop\)/);
  });

  it('every truncation of the file ends without reading out of bounds and is never safe', async () => {
    const full = denseH5({ attrs: KERAS_ATTRS(BENIGN), layout: 'indirect', depth: 1 });
    // Cut inside the object header, the heap header, the blocks, the huge object and the B-trees:
    // either a named malformed-file error or a verdict that is not safe, never a crash or a hang.
    let rejected = 0;
    let judged = 0;
    for (let cut = 60; cut < full.length; cut += 97) {
      let a: Artifact;
      try {
        a = await inspect('cut.h5', full.subarray(0, cut));
      } catch (err) {
        expect(err).toMatchObject({ name: 'ProbityError', code: 'malformed' });
        expect((err as Error).message).toMatch(/cut\.h5: .*passes the end of the file/);
        rejected++;
        continue;
      }
      expect(a.scan.level, `cut at ${cut}`).not.toBe('safe');
      expect(findings(a).join('\n'), `cut at ${cut}`).toMatch(/dense storage could not all be read/);
      judged++;
    }
    // Cuts past the object header reach the dense-storage reader itself.
    expect(judged).toBeGreaterThan(50);
    expect(rejected).toBeLessThan(3);
  });
});

describe('HDF5 dense attributes written by libhdf5 itself (test/fixtures/hdf5, made by make.py)', () => {
  // h5py 3.7.0 on HDF5 1.10.8, libver='latest': 203 root attributes in dense storage, a name B-tree
  // of depth 1, a fractal heap whose root is an indirect block of 4 rows (starting block 1024), and a
  // model_config of ~6 KB stored as a huge object found through the heap's huge-object B-tree.
  const real = (name: string) => path.join(repoRoot, 'test/fixtures/hdf5', name);

  it('every attribute is read; the Lambda config is dangerous and the benign one safe', async () => {
    const r = await withFileSource(real('keras-dense-lambda.h5'), (s) => readHdf5RootAttributes(s));
    expect(r.unread).toEqual([]);
    expect(r.attributes).toHaveLength(203);
    expect(r.attributes.find((a) => a.name === 'keras_version')?.text).toBe('2.15.0');
    expect(r.attributes.find((a) => a.name === 'model_config')?.text).toMatch(/"class_name": "Lambda"/);
    const bad = await inspectArtifact(real('keras-dense-lambda.h5'));
    expect(bad.scan.level).toBe('dangerous');
    expect(findings(bad).join('\n')).toMatch(/Lambda layer "evil"/);
    const ok = await inspectArtifact(real('keras-dense-benign.h5'));
    expect(findings(ok)).toEqual([]);
    expect(ok.scan.level).toBe('safe');
  });

  it('700 attributes under a name B-tree of depth 2: each read once, with its own value', async () => {
    const r = await withFileSource(real('many-attributes.h5'), (s) => readHdf5RootAttributes(s));
    expect(r.unread).toEqual([]);
    expect(r.attributes).toHaveLength(700);
    expect(new Set(r.attributes.map((a) => a.name)).size).toBe(700);
    for (const a of r.attributes) expect(a.text).toBe(`v${Number(a.name.slice(1))}`);
  });
});
