import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ggufBytes } from '../formats/testkit.ts';
import { bf16Values, decodeInto, f16Values } from './float.ts';
import { caseModels, diffWeightFiles, pairModels, type ModelUnit } from './diff-weights.ts';
import { compareTensorNames, layerIndices, tensorPlace } from './tensor-names.ts';
import { readWeightsFile } from './tensors.ts';
import { diffTensorSets } from './weight-diff.ts';
import {
  bf16,
  caseFilesOf,
  f16,
  f32,
  fixture,
  rmrf,
  safetensors,
  tempDir,
  tensor,
  writeTree,
} from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const dir = tempDir();
afterAll(() => rmrf(dir));
const file = (name: string, data: Uint8Array): string => {
  writeTree(dir, { [name]: data });
  return path.join(dir, name);
};

describe('float decoding', () => {
  it('decodes binary16 and bfloat16 bit patterns exactly', () => {
    const h = f16Values();
    expect([h[0x3c00], h[0xc000], h[0x0001], h[0x7bff], h[0x7c00], h[0xfc00]]).toEqual([
      1,
      -2,
      2 ** -24,
      65504,
      Infinity,
      -Infinity,
    ]);
    expect(Number.isNaN(h[0x7e00])).toBe(true);
    const b = bf16Values();
    expect([b[0x3f80], b[0xc000], b[0x4049]]).toEqual([1, -2, 3.140625]);
  });

  it('reads big-endian values through a view', () => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat32(0, 1.5, false);
    new DataView(bytes.buffer).setFloat32(4, -3, false);
    const out = new Float64Array(2);
    decodeInto('F32', bytes, 0, 2, out, false);
    expect([...out]).toEqual([1.5, -3]);
  });
});

describe('tensor names', () => {
  it('finds the layer and the role in HF, PEFT and GGUF names', () => {
    expect(tensorPlace('model.layers.2.mlp.gate_proj.weight')).toEqual({ layer: 2, role: 'mlp.gate_proj' });
    expect(tensorPlace('base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight')).toEqual({
      layer: 3,
      role: 'self_attn.q_proj.lora_A',
    });
    expect(tensorPlace('blk.11.ffn_gate.weight')).toEqual({ layer: 11, role: 'ffn_gate' });
    expect(tensorPlace('transformer.h.0.attn.c_attn.bias')).toEqual({ layer: 0, role: 'attn.c_attn.bias' });
    expect(tensorPlace('model.embed_tokens.weight')).toEqual({ layer: null, role: 'model.embed_tokens' });
    expect(layerIndices(['blk.0.a', 'blk.2.a', 'blk.0.b', 'token_embd.weight'])).toEqual([0, 2]);
    expect(['l.10.x', 'l.9.x', 'l.1.x'].sort(compareTensorNames)).toEqual(['l.1.x', 'l.9.x', 'l.10.x']);
  });
});

describe('diffTensorSets on generated safetensors', () => {
  const a = file(
    'a.safetensors',
    safetensors([
      tensor('model.layers.0.mlp.up_proj.weight', 'F32', [2, 2], f32([1, 2, 3, 4])),
      tensor('model.layers.0.same.weight', 'F16', [3], f16([0.5, -1, 2])),
      tensor('model.layers.1.shape.weight', 'F32', [2], f32([1, 1])),
      tensor('model.layers.1.dtype.weight', 'F32', [2], f32([1.5, -2])),
      tensor('only.a', 'BF16', [1], bf16([1])),
    ]),
  );
  const b = file(
    'b.safetensors',
    safetensors([
      tensor('model.layers.0.mlp.up_proj.weight', 'F32', [2, 2], f32([1, 2, 3, 5])),
      tensor('model.layers.0.same.weight', 'F16', [3], f16([0.5, -1, 2])),
      tensor('model.layers.1.shape.weight', 'F32', [1, 2], f32([1, 1])),
      tensor('model.layers.1.dtype.weight', 'BF16', [2], bf16([1.5, -2])),
      tensor('only.b', 'BF16', [1], bf16([1])),
    ]),
  );

  it('classifies every tensor and computes the float statistics', async () => {
    const r = await diffWeightFiles(a, b);
    const p = r.pairs[0];
    if (!p) throw new Error('no pair');
    const by = new Map(p.tensors.map((t) => [t.name, t]));
    expect(Object.fromEntries(p.tensors.map((t) => [t.name, t.status]))).toEqual({
      'model.layers.0.mlp.up_proj.weight': 'changed',
      'model.layers.0.same.weight': 'identical',
      'model.layers.1.dtype.weight': 'dtype-changed',
      'model.layers.1.shape.weight': 'shape-changed',
      'only.a': 'only-in-a',
      'only.b': 'only-in-b',
    });
    const n = by.get('model.layers.0.mlp.up_proj.weight')?.numbers;
    // a = [1,2,3,4], b = [1,2,3,5]: Δ = [0,0,0,1]; ‖a‖ = √30, ‖b‖ = √39, a·b = 34.
    expect(n).toMatchObject({ elements: 4, changedElements: 1, maxAbsDelta: 1, l2Delta: 1, nonFinite: 0 });
    expect(n?.relativeL2).toBeCloseTo(1 / Math.sqrt(30), 12);
    expect(n?.cosine).toBeCloseTo(34 / Math.sqrt(30 * 39), 12);
    expect(by.get('model.layers.0.mlp.up_proj.weight')?.firstDifferenceAt).toBe(14); // 4.0f 00 00 80 40 vs 5.0f 00 00 a0 40
    // F32 → BF16 of exactly representable values: same values, so Δ = 0 and cosine 1.
    expect(by.get('model.layers.1.dtype.weight')?.numbers).toMatchObject({
      l2Delta: 0,
      changedElements: 0,
      cosine: 1,
    });
    expect(by.get('model.layers.1.shape.weight')?.note).toBe('shape [2] → [1, 2]');
    expect(r.identical).toBe(false);
    expect(p.layers.map((l) => [l.layer, l.tensors, l.changed, l.structural, l.changedRoles])).toEqual([
      [null, 2, 0, 2, ['only.a', 'only.b']],
      [0, 2, 1, 0, ['mlp.up_proj']],
      [1, 2, 0, 2, ['dtype', 'shape']],
    ]);
  });

  it('gives the same numbers whatever the chunk size (prefix re-read, chunk boundaries)', async () => {
    const n = 10_000;
    const va = Array.from({ length: n }, (_, i) => Math.sin(i) * 0.02);
    const vb = va.map((v, i) => (i > 7_000 ? v + 0.001 * Math.cos(i) : v));
    const fa = file('big-a.safetensors', safetensors([tensor('w', 'BF16', [100, 100], bf16(va))]));
    const fb = file('big-b.safetensors', safetensors([tensor('w', 'BF16', [100, 100], bf16(vb))]));
    const [wa, wb] = [await readWeightsFile(fa), await readWeightsFile(fb)];
    const whole = await diffTensorSets(wa.tensors, wb.tensors);
    for (const chunkBytes of [64, 1000, 4096])
      expect((await diffTensorSets(wa.tensors, wb.tensors, { chunkBytes })).tensors[0]?.numbers).toEqual(
        whole.tensors[0]?.numbers,
      );
    const m = whole.tensors[0]?.numbers;
    expect(m?.changedElements).toBeGreaterThan(2_000);
    expect(m?.changedElements).toBeLessThanOrEqual(2_999);
  });

  it('counts non-finite elements apart and leaves them out of the norms', async () => {
    const fa = file('nf-a.safetensors', safetensors([tensor('w', 'F32', [3], f32([1, Number.NaN, 2]))]));
    const fb = file('nf-b.safetensors', safetensors([tensor('w', 'F32', [3], f32([1, 5, 3]))]));
    const t = (await diffWeightFiles(fa, fb)).pairs[0]?.tensors[0];
    expect(t?.numbers).toMatchObject({ nonFinite: 1, changedElements: 1, l2Delta: 1, maxAbsDelta: 1 });
  });
});

describe('GGUF tensors', () => {
  const ggufWith = (q4: Buffer, values: number[], bigEndian = false): Buffer => {
    const data = Buffer.alloc(32 + 144);
    values.forEach((v, i) => (bigEndian ? data.writeFloatBE(v, i * 4) : data.writeFloatLE(v, i * 4)));
    q4.copy(data, 32);
    return ggufBytes({
      bigEndian,
      kvs: [['general.architecture', { t: 'str', v: 'llama' }]],
      tensors: [
        { name: 'blk.0.attn_norm.weight', dims: [8], type: 0, offset: 0 },
        { name: 'blk.0.ffn_down.weight', dims: [256], type: 12, offset: 32 },
      ],
      data,
    });
  };

  it('compares quantized tensors as bytes and floats numerically, in either byte order', async () => {
    const q = Buffer.alloc(144, 7);
    const q2 = Buffer.from(q);
    q2[100] = 8;
    const a = file('a.gguf', ggufWith(q, [1, 2, 3, 4, 5, 6, 7, 8]));
    const b = file('b.gguf', ggufWith(q2, [1, 2, 3, 4, 5, 6, 7, 9]));
    const r = await diffWeightFiles(a, b);
    const [norm, down] = r.pairs[0]?.tensors ?? [];
    expect(down).toMatchObject({
      name: 'blk.0.ffn_down.weight',
      status: 'changed',
      numbers: null,
      note: 'not analysed numerically (quantized type Q4_K)',
      firstDifferenceAt: 100,
    });
    expect(norm).toMatchObject({
      status: 'changed',
      numbers: { maxAbsDelta: 1, l2Delta: 1 },
      layer: 0,
      role: 'attn_norm',
    });
    const be = file('be.gguf', ggufWith(q, [1, 2, 3, 4, 5, 6, 7, 9], true));
    const r2 = await diffWeightFiles(b, be);
    const [n2, q2t] = r2.pairs[0]?.tensors ?? [];
    expect(n2).toMatchObject({
      status: 'dtype-changed',
      note: 'byte order little-endian → big-endian',
      numbers: { l2Delta: 0 },
    });
    expect(q2t).toMatchObject({ status: 'dtype-changed', numbers: null });
  });
});

describe.skipIf(withoutShared())('real fixtures', () => {
  it('a safetensors file against itself is identical', async () => {
    const f = fixture('safetensors/hf-samples-overall.safetensors');
    const r = await diffWeightFiles(f, f);
    expect(r.identical).toBe(true);
    expect(r.counts.identical).toBe(9);
  });

  it('modelaudit safe vs malicious-metadata fixture: same tensors, different metadata only', async () => {
    const r = await diffWeightFiles(
      fixture('safetensors/malicious-fixtures/modelaudit-safe_model.safetensors'),
      fixture('safetensors/malicious-fixtures/modelaudit-malicious_import.safetensors'),
    );
    expect(r.pairs[0]?.tensors.length).toBe(3);
    expect(r.pairs[0]?.tensors.every((t) => t.a?.dtype === 'F32')).toBe(true);
  });

  it('refuses an LFS pointer and a corrupt GGUF by name', async () => {
    const ptr = fixture('safetensors/lfs-pointer/izzulgod-gpt2-indo-model.safetensors');
    await expect(diffWeightFiles(ptr, ptr)).rejects.toThrow(
      /izzulgod-gpt2-indo-model\.safetensors: a Git LFS pointer/,
    );
    const bad = fixture('gguf/corrupt/ggml-vocab-bert-bge.utf8-mangled.gguf');
    await expect(diffWeightFiles(bad, bad)).rejects.toThrow(/utf8-mangled\.gguf: key of metadata pair 5/);
  });
});

describe('pairing the models of two cases', () => {
  it('shards of a folder form one model keyed by its path within the model folder; pointers are skipped', async () => {
    const d = tempDir('probity-pair-');
    writeTree(d, {
      'model/config.json': '{"model_type":"llama"}',
      'model/model-00001-of-00002.safetensors': safetensors([tensor('a', 'F32', [1], f32([1]))]),
      'model/model-00002-of-00002.safetensors': safetensors([tensor('b', 'F32', [1], f32([2]))]),
      'model/q4.gguf': ggufBytes({ kvs: [['general.architecture', { t: 'str', v: 'llama' }]] }),
      'lfs/big.safetensors': `version https://git-lfs.github.com/spec/v1\noid sha256:${'a'.repeat(64)}\nsize 99\n`,
    });
    try {
      const { units, skipped } = await caseModels(await caseFilesOf(d));
      expect(units.map((u) => [u.key, u.files.length, u.tensors.map((t) => t.name)])).toEqual([
        ['/', 2, ['a', 'b']],
        ['q4.gguf', 1, []],
      ]);
      expect(skipped).toEqual([expect.stringMatching(/^lfs\/big\.safetensors: a Git LFS pointer/)]);
      const p = pairModels(units, [{ ...(units[0] as ModelUnit), key: 'elsewhere/' }]);
      expect(p.pairs.map((x) => [x.a.key, x.b.key, x.by])).toEqual([]);
      expect(p.unpairedA).toHaveLength(2);
      const q = pairModels([units[0] as ModelUnit], [{ ...(units[0] as ModelUnit), key: 'elsewhere/' }]);
      expect(q.pairs.map((x) => [x.a.key, x.b.key, x.by])).toEqual([['/', 'elsewhere/', 'only-remaining']]);
    } finally {
      rmrf(d);
    }
  });
});
