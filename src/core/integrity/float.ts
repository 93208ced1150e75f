/**
 * Decoding float tensor bytes to float32 values, a block at a time, into a caller's scratch array.
 *
 * F16 is IEEE 754 binary16 (1 sign, 5 exponent, 10 fraction bits); BF16 is the top half of an
 * IEEE 754 binary32 (1, 8, 7), which is why a BF16 pattern `h` is exactly the float32 `h << 16`.
 * Both are decoded through a 65,536-entry table built once (256 KiB each). F32 and F64 are read
 * through typed-array views. Byte order follows the file: safetensors is little-endian
 * (huggingface/safetensors docs, "Format"); GGUF v3 may be big-endian (ggml docs/gguf.md).
 */

export type NumericDtype = 'F32' | 'F16' | 'BF16' | 'F64';

export const NUMERIC_BYTES: Readonly<Record<NumericDtype, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

export function isNumericDtype(dtype: string): dtype is NumericDtype {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16' || dtype === 'F64';
}

let f16Table: Float32Array | null = null;
let bf16Table: Float32Array | null = null;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function f16Values(): Float32Array {
  if (f16Table === null) {
    const t = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) t[h] = halfToFloat(h);
    f16Table = t;
  }
  return f16Table;
}

export function bf16Values(): Float32Array {
  if (bf16Table === null) {
    const t = new Float32Array(65536);
    const bits = new Uint32Array(t.buffer);
    for (let h = 0; h < 65536; h++) bits[h] = h << 16;
    bf16Table = t;
  }
  return bf16Table;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decode `count` elements of `dtype` starting at element `first` of `bytes` into `out[0..count)`.
 * `bytes` must start on an element boundary of its ArrayBuffer (the diff allocates its buffers
 * itself, so they do). Non-native byte order is handled by reading through a DataView.
 */
export function decodeInto(
  dtype: NumericDtype,
  bytes: Uint8Array,
  first: number,
  count: number,
  out: Float32Array | Float64Array,
  littleEndian = true,
): void {
  const size = NUMERIC_BYTES[dtype];
  const offset = bytes.byteOffset + first * size;
  if (littleEndian !== HOST_LITTLE_ENDIAN || offset % size !== 0) {
    decodeWithView(dtype, new DataView(bytes.buffer, offset, count * size), count, out, littleEndian);
    return;
  }
  switch (dtype) {
    case 'F32':
      out.set(new Float32Array(bytes.buffer, offset, count));
      return;
    case 'F64':
      out.set(new Float64Array(bytes.buffer, offset, count));
      return;
    case 'F16':
    case 'BF16': {
      const table = dtype === 'F16' ? f16Values() : bf16Values();
      const src = new Uint16Array(bytes.buffer, offset, count);
      for (let i = 0; i < count; i++) out[i] = table[src[i] as number] as number;
      return;
    }
  }
}

function decodeWithView(
  dtype: NumericDtype,
  view: DataView,
  count: number,
  out: Float32Array | Float64Array,
  le: boolean,
): void {
  if (dtype === 'F32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, le);
  else if (dtype === 'F64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, le);
  else {
    const table = dtype === 'F16' ? f16Values() : bf16Values();
    for (let i = 0; i < count; i++) out[i] = table[view.getUint16(i * 2, le)] as number;
  }
}
