import { describe, expect, it } from 'vitest';
import { bf16ToFloat32, encodeSafetensors, float32ToBf16 } from './safetensors-writer.ts';

const u16 = (bytes: Uint8Array, i: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset).getUint16(i * 2, true);

describe('float32ToBf16', () => {
  it('rounds to nearest, ties to even, and keeps NaN a NaN', () => {
    const tieDown = new Float32Array(new Uint32Array([0x3f808000]).buffer)[0] as number; // halfway, even below
    const tieUp = new Float32Array(new Uint32Array([0x3f818000]).buffer)[0] as number; // halfway, odd below
    const out = float32ToBf16(
      new Float32Array([1, -2, 0, tieDown, tieUp, Number.NaN, Number.POSITIVE_INFINITY]),
    );
    expect(Array.from({ length: 7 }, (_, i) => u16(out, i))).toEqual([
      0x3f80, 0xc000, 0x0000, 0x3f80, 0x3f82, 0x7fc0, 0x7f80,
    ]);
    expect(Array.from(bf16ToFloat32(out).slice(0, 3))).toEqual([1, -2, 0]);
  });
});

describe('encodeSafetensors', () => {
  it('pads the header to 8 bytes and lays data out in sorted-name order', () => {
    const file = encodeSafetensors([
      { name: 'b', dtype: 'F32', shape: [1], data: new Uint8Array([1, 2, 3, 4]) },
      { name: 'a', dtype: 'BF16', shape: [2], data: new Uint8Array([5, 6, 7, 8]) },
    ]);
    const view = new DataView(file.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<
      string,
      { data_offsets: number[] }
    >;
    expect(Object.keys(header)).toEqual(['__metadata__', 'a', 'b']);
    expect(header.a?.data_offsets).toEqual([0, 4]);
    expect(header.b?.data_offsets).toEqual([4, 8]);
    expect(Array.from(file.subarray(8 + n))).toEqual([5, 6, 7, 8, 1, 2, 3, 4]);
  });

  it('rejects data that does not match the shape', () => {
    expect(() =>
      encodeSafetensors([{ name: 'x', dtype: 'BF16', shape: [3], data: new Uint8Array(4) }]),
    ).toThrow(/want 6/);
  });
});
