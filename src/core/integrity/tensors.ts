/**
 * One list of tensors for both weight formats, with each tensor's absolute byte range, so the
 * weight diff and the architecture check read safetensors and GGUF the same way.
 *
 * safetensors: shapes are PyTorch order, data little-endian, ranges from `data_offsets`
 * (huggingface/safetensors docs, "Format"). GGUF: `dims[0]` is the fastest-varying dimension
 * (ggml docs/gguf.md), so the shape is reversed into PyTorch order; data starts at the aligned end
 * of the tensor infos; a big-endian v3 file stores values big-endian. GGUF block-quantized types
 * (Q4_K, IQ2_XS, …) have no per-element float value without dequantizing, so they are compared as
 * bytes only.
 */
import { inspectArtifact, type Artifact, type GgufHeader, type SafetensorsHeader } from '../formats/index.ts';
import { fileError } from '../util/errors.ts';
import { isNumericDtype, type NumericDtype } from './float.ts';
import { withLabel } from './relabel.ts';

export interface TensorRef {
  name: string;
  /** Path read from (an evidence object or a file given on the command line). */
  file: string;
  /** Path shown to people (the evidence path inside the bundle, or the path as given). */
  label: string;
  /** safetensors dtype or ggml type name (`unknown(N)` for an id the reader does not know). */
  dtype: string;
  /** PyTorch order ([out, in] for a linear layer). */
  shape: number[];
  /** Absolute byte offsets in `file`, [begin, end). */
  begin: number;
  end: number;
  /** Bytes prod(shape) × element size says the tensor needs, or null when that is not known. */
  expectedBytes: number | null;
  elements: number;
  /** Set when values can be compared as floats. */
  numeric: NumericDtype | null;
  /** Why values cannot be compared as floats (quantized or integer type), or null. */
  bytesOnlyReason: string | null;
  littleEndian: boolean;
}

export type WeightsFile = { file: string; label: string; tensors: TensorRef[] } & (
  { format: 'safetensors'; header: SafetensorsHeader } | { format: 'gguf'; header: GgufHeader }
);

const INTEGER_TYPES = new Set(['I8', 'I16', 'I32', 'I64', 'U8', 'U16', 'U32', 'U64', 'BOOL']);

function bytesOnlyReason(dtype: string, gguf: boolean): string | null {
  if (isNumericDtype(dtype)) return null;
  if (INTEGER_TYPES.has(dtype)) return `not analysed numerically (integer type ${dtype})`;
  if (gguf) return `not analysed numerically (quantized type ${dtype})`;
  return `not analysed numerically (type ${dtype})`;
}

export function safetensorsTensors(file: string, label: string, h: SafetensorsHeader): TensorRef[] {
  return h.tensors.map((t) => ({
    name: t.name,
    file,
    label,
    dtype: t.dtype,
    shape: [...t.shape],
    begin: t.begin,
    end: t.end,
    expectedBytes: expectedSafetensorsBytes(t.dtype, t.params),
    elements: t.params,
    numeric: isNumericDtype(t.dtype) ? t.dtype : null,
    bytesOnlyReason: bytesOnlyReason(t.dtype, false),
    littleEndian: true,
  }));
}

const SAFETENSORS_ELEMENT_BITS: Readonly<Record<string, number>> = {
  F64: 64,
  F32: 32,
  F16: 16,
  BF16: 16,
  I64: 64,
  I32: 32,
  I16: 16,
  I8: 8,
  U64: 64,
  U32: 32,
  U16: 16,
  U8: 8,
  BOOL: 8,
};

function expectedSafetensorsBytes(dtype: string, elements: number): number | null {
  const bits = SAFETENSORS_ELEMENT_BITS[dtype];
  return bits === undefined ? null : (elements * bits) / 8;
}

export function ggufTensors(file: string, label: string, h: GgufHeader): TensorRef[] {
  return h.tensors.map((t) => {
    const dtype = t.typeName ?? `unknown(${t.type})`;
    return {
      name: t.name,
      file,
      label,
      dtype,
      shape: [...t.dims].reverse(),
      begin: t.absoluteOffset,
      end: t.absoluteOffset + (t.byteSize ?? 0),
      expectedBytes: t.byteSize,
      elements: t.params,
      numeric: isNumericDtype(dtype) ? dtype : null,
      bytesOnlyReason: bytesOnlyReason(dtype, true),
      littleEndian: h.endianness === 'little',
    };
  });
}

/** The tensors of a parsed artifact, or null when it is not a weights file. */
export function weightsFromArtifact(file: string, label: string, a: Artifact): WeightsFile | null {
  if (a.kind === 'safetensors')
    return {
      format: 'safetensors',
      file,
      label,
      header: a.result,
      tensors: safetensorsTensors(file, label, a.result),
    };
  if (a.kind === 'gguf')
    return { format: 'gguf', file, label, header: a.result, tensors: ggufTensors(file, label, a.result) };
  return null;
}

/**
 * Open a weights file given by path (or an evidence object with its bundle path as `label`).
 * Anything but safetensors or GGUF is a `malformed` error naming the file and what it is instead.
 */
export async function readWeightsFile(file: string, label = file): Promise<WeightsFile> {
  const artifact = await withLabel(file, label, () => inspectArtifact(file, label));
  const w = weightsFromArtifact(file, label, artifact);
  if (w) return w;
  const what =
    artifact.kind === 'lfs-pointer'
      ? `a Git LFS pointer (oid sha256:${artifact.result.oid}, ${artifact.result.size} bytes), not the weights themselves`
      : artifact.kind === 'unknown'
        ? `not a weights file (${artifact.result.reason})`
        : `a ${artifact.kind} file, not safetensors or GGUF weights`;
  throw fileError('malformed', label, what);
}
