/**
 * A few labelled lines per artifact kind that has no dedicated view: NumPy arrays, archives,
 * Keras models, SavedModels, ONNX models and templated configs. The inspector and `probity
 * inspect` print them above the findings.
 */
import type { NumpyResult } from './numpy.ts';
import type { ArchiveResult } from './archives.ts';
import type { KerasResult } from './keras.ts';
import type { SavedModelResult, OnnxResult } from './protobuf.ts';
import type { TemplateConfigResult } from './templates.ts';

export type ScannedResult =
  NumpyResult | ArchiveResult | KerasResult | SavedModelResult | OnnxResult | TemplateConfigResult;

export interface ScannedSummary {
  format: string;
  fields: [string, string | number | null][];
  problems: string[];
}

function top(map: Record<string, number>, n = 12): string {
  const e = Object.entries(map).sort((a, b) => b[1] - a[1]);
  const s = e
    .slice(0, n)
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
  return e.length > n ? `${s}, … (${e.length} distinct)` : s;
}

export function summarizeScanned(r: ScannedResult): ScannedSummary {
  switch (r.format) {
    case 'npy':
    case 'npz':
      return {
        format: r.format === 'npy' ? 'NumPy array (.npy)' : 'NumPy archive (.npz)',
        fields: [
          ['arrays', r.arrays.length],
          ['object arrays (pickled)', r.arrays.filter((a) => a.objectDtype).length],
          ['dtypes', [...new Set(r.arrays.map((a) => a.descr))].slice(0, 10).join(', ')],
          [
            'shapes',
            r.arrays
              .slice(0, 5)
              .map((a) => `(${a.shape?.join(', ') ?? '?'})`)
              .join(' '),
          ],
        ],
        problems: r.problems,
      };
    case 'tar':
    case '7z':
    case 'gzip':
    case 'zlib':
    case 'bzip2':
    case 'xz':
    case 'lzma':
    case 'lz4':
    case 'zstd':
    case 'rar':
      return {
        format: `${r.format} archive`,
        fields: [
          ['members listed', r.members.length || null],
          ['pickles scanned', r.pickles.length],
        ],
        problems: r.problems,
      };
    case 'keras':
    case 'keras-h5':
      return {
        format: r.format === 'keras' ? 'Keras model (.keras)' : 'Keras model (HDF5 .h5)',
        fields: [
          ['keras version', r.kerasVersion],
          ['model class', r.modelClass],
          ['layers', r.layerCount],
          ['layer classes', top(r.layerClasses) || null],
          ['custom objects', r.customObjects.join(', ') || null],
        ],
        problems: r.problems,
      };
    case 'saved-model':
      return {
        format: 'TensorFlow SavedModel (saved_model.pb)',
        fields: [
          ['meta graphs', r.metaGraphs],
          ['tags', r.tags.join(', ') || null],
          ['tensorflow version', r.tensorflowVersion],
          ['nodes', r.nodeCount],
          ['functions', r.functionCount],
          ['ops', top(r.ops) || null],
        ],
        problems: r.problems,
      };
    case 'onnx':
      return {
        format: 'ONNX model',
        fields: [
          ['ir version', r.irVersion],
          ['producer', r.producer],
          ['opsets', r.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ') || null],
          ['nodes', r.nodeCount],
          ['ops', top(r.ops) || null],
          ['external data', r.externalData.slice(0, 10).join(', ') || null],
        ],
        problems: r.problems,
      };
    case 'yaml':
    case 'text-template':
      return {
        format: r.format === 'yaml' ? 'YAML config' : 'text template',
        fields: [
          ['Jinja blocks', r.blockCount],
          ['constructs', r.constructs.join(', ') || 'none'],
        ],
        problems: r.problems,
      };
  }
}
