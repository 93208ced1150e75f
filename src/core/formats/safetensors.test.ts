import { afterAll, describe, expect, it } from 'vitest';
import {
  readSafetensorsHeader,
  readSafetensorsIndex,
  checkShardedIndex,
  type SafetensorsHeader,
} from './safetensors.ts';
import { fixture, scratch, safetensorsBytes, rejection } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const tmp = scratch();
afterAll(() => tmp.cleanup());

// Facts below were read independently with python3 (struct + json on the raw bytes).
describe.skipIf(withoutShared())('real safetensors fixtures', () => {
  it('hf-samples-overall: 9 tensors of 9 dtypes, unaligned 526-byte header, metadata test=a', async () => {
    const h = await readSafetensorsHeader(fixture('safetensors/hf-samples-overall.safetensors'));
    expect(h.fileSize).toBe(702);
    expect(h.headerLength).toBe(526);
    expect(h.metadata).toEqual({ test: 'a' });
    expect(
      h.tensors.map((t) => [t.name, t.dtype, t.shape, t.begin - h.dataStart, t.end - h.dataStart]),
    ).toEqual([
      ['B', 'U8', [6], 0, 6],
      ['H', 'U16', [6], 6, 18],
      ['I', 'U32', [6], 18, 42],
      ['b', 'I8', [6], 42, 48],
      ['d', 'F64', [6], 48, 96],
      ['e', 'F16', [6], 96, 108],
      ['f', 'F32', [6], 108, 132],
      ['h', 'I16', [6], 132, 144],
      ['i', 'I32', [6], 144, 168],
    ]);
    expect(h.parameterCount).toBe(54);
    expect(h.dtypes).toEqual({ U8: 1, U16: 1, U32: 1, I8: 1, F64: 1, F16: 1, F32: 1, I16: 1, I32: 1 });
    expect(h.problems).toEqual([]);
  });

  it('hf-samples-f: one F32 [6] tensor at absolute bytes 91..115', async () => {
    const h = await readSafetensorsHeader(fixture('safetensors/hf-samples-f.safetensors'));
    expect(h.headerLength).toBe(83);
    expect(h.tensors).toEqual([{ name: 'f', dtype: 'F32', shape: [6], begin: 91, end: 115, params: 6 }]);
    expect(h.problems).toEqual([]);
  });

  it('candle mel_filters: F32 [80, 201], space-padded 72-byte header, no metadata', async () => {
    const h = await readSafetensorsHeader(fixture('safetensors/candle-whisper-mel_filters.safetensors'));
    expect(h.headerLength).toBe(72);
    expect(h.metadata).toBeNull();
    expect(h.tensors).toEqual([
      { name: 'mel_80', dtype: 'F32', shape: [80, 201], begin: 80, end: 64400, params: 16080 },
    ]);
    expect(h.problems).toEqual([]);
  });

  it('ollama minicpm3: 15 F32 tensors in offset order', async () => {
    const h = await readSafetensorsHeader(fixture('safetensors/ollama-minicpm3-4b-model.safetensors'));
    expect(h.headerLength).toBe(1536);
    expect(h.tensors).toHaveLength(15);
    expect(h.tensors[0]).toMatchObject({
      name: 'lm_head.weight',
      shape: [100, 100],
      begin: 1544,
      end: 41544,
    });
    expect(h.tensors[14]).toMatchObject({
      name: 'model.norm.weight',
      shape: [100],
      begin: 1544 + 401600,
      end: 403544,
    });
    expect(h.parameterCount).toBe(100_500);
    expect(h.dtypes).toEqual({ F32: 15 });
    expect(h.metadata).toBeNull();
    expect(h.problems).toEqual([]);
  });

  it('modelaudit malicious_import: metadata code string is flagged, layout is clean', async () => {
    const h = await readSafetensorsHeader(
      fixture('safetensors/malicious-fixtures/modelaudit-malicious_import.safetensors'),
    );
    expect(h.metadata?.model_info).toBe("import os; os.system('echo pwned')");
    expect(h.suspiciousMetadata).toEqual([
      { key: 'model_info', matched: ['import statement', 'os.system/popen/exec'] },
    ]);
    expect(h.tensors.map((t) => [t.name, t.shape])).toEqual([
      ['bias', [256]],
      ['embeddings', [100, 768]],
      ['weights', [768, 256]],
    ]);
    expect(h.problems).toEqual([]);
  });

  it('modelaudit safe_model: same tensors, benign metadata, nothing flagged', async () => {
    const h = await readSafetensorsHeader(
      fixture('safetensors/malicious-fixtures/modelaudit-safe_model.safetensors'),
    );
    expect(h.metadata?.model_name).toBe('transformer-small');
    expect(Object.keys(h.metadata ?? {})).toHaveLength(8);
    expect(h.suspiciousMetadata).toEqual([]);
    expect(h.parameterCount).toBe(256 + 76800 + 196608);
  });

  it('an LFS pointer saved under a .safetensors name is refused with a named error', async () => {
    const e = await rejection(
      readSafetensorsHeader(fixture('safetensors/lfs-pointer/izzulgod-gpt2-indo-model.safetensors')),
    );
    expect(e.name).toBe('ProbityError');
    expect(e.code).toBe('malformed');
    expect(e.message).toMatch(
      /izzulgod-gpt2-indo-model\.safetensors: header length \d+ exceeds the 100,000,000-byte limit/,
    );
  });
});

describe('generated safetensors edge cases', () => {
  const t = (dtype: string, shape: number[], b: number, e: number): object => ({
    dtype,
    shape,
    data_offsets: [b, e],
  });
  const read = (name: string, buf: Buffer): Promise<SafetensorsHeader> =>
    readSafetensorsHeader(tmp.write(name, buf));

  it('the example error line: header length 2^63-1', async () => {
    const e = await rejection(read('model.safetensors', safetensorsBytes({}, 0, 9223372036854775807n)));
    expect(e.message).toBe(
      `${tmp.dir}/model.safetensors: header length 9223372036854775807 exceeds the 100,000,000-byte limit`,
    );
  });

  it('header length larger than the file', async () => {
    const e = await rejection(read('long.safetensors', safetensorsBytes({}, 0, 5000n)));
    expect(e.message).toMatch(/header length 5,000 exceeds the \d+ bytes after the length field/);
  });

  it('file shorter than 8 bytes', async () => {
    const e = await rejection(read('short.safetensors', Buffer.from([1, 2, 3])));
    expect(e.message).toMatch(/too short/);
  });

  it('header that is not JSON, not an object, not UTF-8, or has no "{"', async () => {
    expect((await rejection(read('j1.safetensors', safetensorsBytes('{"a": ')))).message).toMatch(
      /j1\.safetensors: invalid header JSON at line 1 column 7: unexpected end of input/,
    );
    expect((await rejection(read('j2.safetensors', safetensorsBytes('[1, 2]')))).message).toMatch(
      /header does not begin with "\{"/,
    );
    expect(
      (
        await rejection(
          read('j3.safetensors', safetensorsBytes(Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1'))),
        )
      ).message,
    ).toMatch(/not valid UTF-8|invalid header JSON/);
    const bad = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xc3, 0x7d])]);
    expect((await rejection(read('j4.safetensors', bad))).message).toMatch(
      /header is not valid UTF-8 \(bad byte at offset 1\)/,
    );
  });

  it('unknown dtype, bad shape and bad offsets are fatal and named', async () => {
    expect(
      await rejection(read('d.safetensors', safetensorsBytes({ x: t('F128', [1], 0, 16) }, 16))),
    ).toMatchObject({
      code: 'malformed',
      message: expect.stringMatching(/d\.safetensors: tensor "x": unknown dtype "F128"$/),
    });
    expect(
      (await rejection(read('s.safetensors', safetensorsBytes({ x: t('F32', [-1], 0, 4) }, 4)))).message,
    ).toMatch(/shape entry -1 is not a non-negative integer/);
    expect(
      (
        await rejection(
          read('s2.safetensors', safetensorsBytes({ x: t('F32', [2 ** 40, 2 ** 40], 0, 4) }, 4)),
        )
      ).message,
    ).toMatch(/more than 2\^53 elements/);
    expect(
      (await rejection(read('o.safetensors', safetensorsBytes({ x: t('F32', [1], 8, 4) }, 8)))).message,
    ).toMatch(/begin 8 is after end 4/);
    expect(
      (
        await rejection(
          read('o2.safetensors', safetensorsBytes({ x: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4)),
        )
      ).message,
    ).toMatch(/not a \[begin, end\] pair/);
  });

  it('a gap is recorded and the tensors are still listed', async () => {
    const h = await read(
      'gap.safetensors',
      safetensorsBytes({ a: t('F32', [1], 0, 4), b: t('F32', [1], 8, 12) }, 12),
    );
    expect(h.tensors.map((x) => x.name)).toEqual(['a', 'b']);
    expect(h.problems).toEqual(['gap of 4 unreferenced bytes before tensor "b" (data offsets 4..8)']);
  });

  it('an overlap is recorded', async () => {
    const h = await read(
      'overlap.safetensors',
      safetensorsBytes({ a: t('F32', [2], 0, 8), b: t('F32', [2], 4, 12) }, 12),
    );
    expect(h.problems).toEqual(['tensor "b" (data offsets 4..12) overlaps tensor "a" (0..8)']);
  });

  it('size mismatch, trailing bytes and truncation are recorded', async () => {
    const h = await read('size.safetensors', safetensorsBytes({ a: t('F32', [3], 0, 8) }, 20));
    expect(h.problems).toEqual([
      'tensor "a": F32 [3] needs 12 bytes but data_offsets span 8',
      expect.stringMatching(/^12 trailing bytes after the last tensor/),
    ]);
    const tr = await read('trunc.safetensors', safetensorsBytes({ a: t('F32', [4], 0, 16) }, 10));
    expect(tr.problems).toEqual([
      expect.stringMatching(/tensor "a" ends at byte \d+, 6 bytes past the end/),
      expect.stringMatching(/file is truncated/),
    ]);
  });

  it('empty tensors, sub-byte dtypes and leading whitespace', async () => {
    const h = await read(
      'misc.safetensors',
      safetensorsBytes({ e: t('F16', [0, 5], 0, 0), f4: t('F4', [4], 0, 2), f6: t('F6_E2M3', [3], 2, 5) }, 5),
    );
    expect(h.problems).toEqual(['tensor "f6": 3 × 6-bit F6_E2M3 elements do not fill whole bytes']);
    expect(h.tensors.map((x) => [x.name, x.params])).toEqual([
      ['e', 0],
      ['f4', 4],
      ['f6', 3],
    ]);
    const ws = await read('ws.safetensors', safetensorsBytes('  {}  '));
    expect(ws.problems).toEqual([
      'header JSON does not begin with "{" (leading whitespace; the spec requires "{" first)',
    ]);
  });

  it('duplicate keys, odd metadata and unexpected keys are recorded', async () => {
    const text =
      '{"__metadata__":{"format":"pt","n":3},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const h = await read('dup.safetensors', safetensorsBytes(text, 4));
    expect(h.metadata).toEqual({ format: 'pt', n: '3' });
    expect(h.problems).toEqual([
      'duplicate header key /a: loaders disagree on which entry wins',
      '__metadata__.n is a number, not a string (the reference loader rejects the file)',
    ]);
    const proto = await read(
      'proto.safetensors',
      safetensorsBytes(
        '{"__metadata__":{"__proto__":"x"},"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
        1,
      ),
    );
    expect(proto.tensors[0]?.name).toBe('__proto__');
    expect(Object.getPrototypeOf(proto.metadata)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(proto.metadata))).toEqual(JSON.parse('{"__proto__":"x"}'));
  });

  it('a directory and a missing file are named errors', async () => {
    expect(await rejection(readSafetensorsHeader(tmp.dir))).toMatchObject({ code: 'unreadable' });
    expect(await rejection(readSafetensorsHeader(`${tmp.dir}/nope.safetensors`))).toMatchObject({
      code: 'not-found',
    });
  });
});

describe('sharded index', () => {
  it.skipIf(withoutShared())(
    'reads the Logics-Thinking index: 1205 tensors over 4 shards, total_size 18938237760',
    async () => {
      const idx = await readSafetensorsIndex(
        fixture('manifests/logics-thinking-model.safetensors.index.json'),
      );
      expect(idx.totalSize).toBe(18_938_237_760);
      expect(idx.tensorCount).toBe(1205);
      expect(Object.fromEntries(idx.shards.map((s) => [s.name, s.tensorCount]))).toEqual({
        'model-00001-of-00004.safetensors': 108,
        'model-00002-of-00004.safetensors': 142,
        'model-00003-of-00004.safetensors': 140,
        'model-00004-of-00004.safetensors': 815,
      });
      expect(idx.problems).toEqual([]);
    },
  );

  it('cross-checks shards: missing shard, unlisted tensor, misplaced tensor, total_size', async () => {
    const s1 = tmp.write(
      's1.safetensors',
      safetensorsBytes(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          x: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        12,
      ),
    );
    const s2 = tmp.write(
      's2.safetensors',
      safetensorsBytes({ c: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4),
    );
    const idxFile = tmp.write(
      'model.safetensors.index.json',
      JSON.stringify({
        metadata: { total_size: 100 },
        weight_map: { a: 's1.safetensors', b: 's1.safetensors', c: 's2.safetensors', d: 's3.safetensors' },
      }),
    );
    const idx = await readSafetensorsIndex(idxFile);
    const shards = new Map([
      ['s1.safetensors', await readSafetensorsHeader(s1)],
      ['s2.safetensors', await readSafetensorsHeader(s2)],
    ]);
    expect(checkShardedIndex(idx, shards)).toEqual([
      'tensor "b" is mapped to "s1.safetensors" but that shard does not hold it',
      'tensor "x" in shard "s1.safetensors" is not listed in the index',
      'shard "s3.safetensors" is missing: 1 tensors are mapped to it ("d")',
    ]);
    shards.set(
      's3.safetensors',
      await readSafetensorsHeader(
        tmp.write(
          's3.safetensors',
          safetensorsBytes({ d: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, 1),
        ),
      ),
    );
    expect(checkShardedIndex(idx, shards)).toContain(
      "metadata.total_size is 100 but the shards' tensors total 17 bytes",
    );
  });

  it('reports path-like shard names and refuses an index without weight_map', async () => {
    const idx = await readSafetensorsIndex(
      tmp.write(
        'evil.index.json',
        JSON.stringify({ metadata: { total_size: 1 }, weight_map: { a: '../../etc/passwd' } }),
      ),
    );
    expect(idx.problems).toEqual([
      'shard name "../../etc/passwd" is a path, not a file name beside the index (path traversal?)',
    ]);
    expect(
      (await rejection(readSafetensorsIndex(tmp.write('bad.index.json', '{"metadata":{}}')))).message,
    ).toMatch(/weight_map is missing/);
  });
});
