/**
 * The scanner's rule set, named in every scan result: the danger table, the allowlist, the
 * template constructs, the TensorFlow op registry and the parser versions. The digest is sha256 over their canonical JSON, so
 * a verdict recorded under one rule set can be told apart from (and re-judged under) a later one.
 * Bump a parser's version whenever what it reads or flags changes.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.ts';
import { ALLOWLIST, DANGER_TABLE, PY2_MODULES } from './danger.ts';
import { TEMPLATE_RULES } from './template-rules.ts';
import { TF_OP_REGISTRY } from './tf-ops.ts';
import type { RulesId } from './verdict.ts';

export const PARSER_VERSIONS: Readonly<Record<string, number>> = {
  pickle: 3,
  'torch-zip': 3,
  'torch-legacy': 3,
  zip: 1,
  tar: 1,
  '7z': 1,
  'gzip-zlib': 1,
  npy: 1,
  keras: 1,
  hdf5: 2,
  'saved-model': 2,
  onnx: 1,
  template: 1,
  safetensors: 1,
  gguf: 1,
};

const RULES_VERSION = '2026.12-3';

function digest(): string {
  const body = {
    version: RULES_VERSION,
    danger: DANGER_TABLE,
    allow: [...ALLOWLIST].sort(),
    py2: PY2_MODULES,
    templates: TEMPLATE_RULES,
    tfOps: TF_OP_REGISTRY,
    parsers: PARSER_VERSIONS,
  };
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export const SCANNER_RULES: RulesId = Object.freeze({ version: RULES_VERSION, digest: digest() });
