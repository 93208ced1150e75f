import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffWeightFiles } from './diff-weights.ts';
import { rmrf, tempDir } from './testkit.ts';

const TENSORS = 50;
const ELEMENTS = 1024 * 1024; // 4 MiB of F32 per tensor: 200 MiB per file
const dir = tempDir('probity-diff-memory-');
afterAll(() => rmrf(dir));

/** Write a 200 MiB F32 safetensors file tensor by tensor, never holding more than one tensor. */
async function writeBig(file: string, changed: ReadonlySet<number>): Promise<void> {
  const header: Record<string, unknown> = {};
  for (let i = 0; i < TENSORS; i++)
    header[`model.layers.${i}.mlp.up_proj.weight`] = {
      dtype: 'F32',
      shape: [1024, 1024],
      data_offsets: [i * ELEMENTS * 4, (i + 1) * ELEMENTS * 4],
    };
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const fh = await open(file, 'w');
  try {
    await fh.write(Buffer.concat([len, Buffer.from(json)]));
    const values = new Float32Array(ELEMENTS);
    for (let i = 0; i < TENSORS; i++) {
      for (let k = 0; k < ELEMENTS; k++)
        values[k] = Math.sin(i * 7 + k) * 0.02 + (changed.has(i) && k % 3 === 0 ? 1e-3 : 0);
      await fh.write(new Uint8Array(values.buffer));
    }
  } finally {
    await fh.close();
  }
}

describe('diff-weights memory', () => {
  it('diffs two 200 MiB files with well under 100 MB of extra RSS', async () => {
    const a = path.join(dir, 'a.safetensors');
    const b = path.join(dir, 'b.safetensors');
    await writeBig(a, new Set());
    await writeBig(b, new Set([3, 17, 49]));
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const r = await diffWeightFiles(a, b);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const extraMb = (peak - before) / 1e6;
    console.log(`diff of two 200 MiB safetensors: peak extra RSS ${extraMb.toFixed(1)} MB`);
    expect(r.counts).toMatchObject({ identical: 47, changed: 3 });
    expect(r.pairs[0]?.layers.filter((l) => l.changed > 0).map((l) => l.layer)).toEqual([3, 17, 49]);
    expect(extraMb).toBeLessThan(100);
  }, 120_000);
});
