/**
 * Writes safetensors files and converts float32 values to bfloat16.
 *
 * Layout (https://huggingface.co/docs/safetensors, "Format"):
 *   [8 bytes]  N, little-endian u64: length of the header
 *   [N bytes]  UTF-8 JSON: {"__metadata__": {...}, name: {dtype, shape, data_offsets: [begin, end]}, ...}
 *              padded with spaces (0x20) so that 8 + N is a multiple of 8, which keeps the data
 *              section 8-byte aligned as the reference writer does
 *   [rest]     tensor bytes, little-endian, contiguous, in header-offset order, offsets relative to
 *              the start of this section
 *
 * We put "__metadata__" first and tensors sorted by name, with data in the same order, so the
 * same tensors always give the same bytes.
 */

export type SafetensorsDtype = 'BF16' | 'F16' | 'F32';

export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = { BF16: 2, F16: 2, F32: 4 };

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
  /** Little-endian element bytes, `prod(shape) * DTYPE_BYTES[dtype]` long. */
  data: Uint8Array;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function encodeSafetensors(
  tensors: readonly TensorEntry[],
  metadata: Readonly<Record<string, string>> = { format: 'pt' },
): Uint8Array {
  const sorted = tensors.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = { __metadata__: { ...metadata } };
  let offset = 0;
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i] as TensorEntry;
    if (t.name === '__metadata__') throw new Error('"__metadata__" is reserved in safetensors');
    if (i > 0 && sorted[i - 1]?.name === t.name) throw new Error(`duplicate tensor name ${t.name}`);
    const expected = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== expected) {
      throw new Error(
        `${t.name}: ${t.data.byteLength} bytes for shape [${t.shape.join(', ')}] ${t.dtype} (want ${expected})`,
      );
    }
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.byteLength) / 8) * 8 - 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + padded);
  let at = 8 + padded;
  for (const t of sorted) {
    out.set(t.data, at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * float32 → bfloat16 with round-to-nearest-even (what `torch.Tensor.to(torch.bfloat16)` does),
 * written little-endian.
 */
export function float32ToBf16(values: Float32Array): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const b = bits[i] as number;
    let half: number;
    if ((b & 0x7f800000) === 0x7f800000 && (b & 0x007fffff) !== 0) {
      half = 0x7fc0; // NaN stays a quiet NaN instead of rounding into infinity
    } else {
      half = ((b + 0x7fff + ((b >>> 16) & 1)) / 65536) >>> 0;
      half &= 0xffff;
    }
    view.setUint16(i * 2, half, true);
  }
  return out;
}

/** Little-endian bfloat16 bytes → float32 values (exact: bf16 is the top half of f32). */
export function bf16ToFloat32(bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength >>> 1;
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) bits[i] = view.getUint16(i * 2, true) << 16;
  return out;
}
