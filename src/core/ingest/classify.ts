import path from 'node:path';
import type { EvidenceKind } from '../../shared/domain';

const WEIGHT_EXT = new Set([
  '.safetensors',
  '.gguf',
  '.bin',
  '.pt',
  '.pth',
  '.ckpt',
  '.onnx',
  '.h5',
  '.msgpack',
]);
const TOKENIZER_NAMES = new Set([
  'tokenizer.json',
  'tokenizer_config.json',
  'tokenizer.model',
  'special_tokens_map.json',
  'merges.txt',
  'added_tokens.json',
]);
const MODEL_CONFIG_NAMES = new Set(['config.json', 'generation_config.json']);

function headText(head: Uint8Array | null): string {
  if (!head || head.length === 0) return '';
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
}

/** Is this a checksum list (sha256sum/BSD output, SHA256SUMS, checksums.*)? */
export function isChecksumName(name: string): boolean {
  const base = name.toLowerCase();
  return (
    base.endsWith('.sha256') ||
    base.endsWith('.sha256sum') ||
    base === 'sha256sums' ||
    base.startsWith('sha256sums.') ||
    base.startsWith('checksums.') ||
    base === 'checksums' ||
    base === 'checksums.txt'
  );
}

/**
 * Classify an evidence file by its name, its folder and, for text files whose name is ambiguous,
 * its first bytes. Order matters: the most specific rule wins (adapter_model.safetensors is an
 * adapter before it is weights).
 */
export function classifyKind(bundlePath: string, head: Uint8Array | null): EvidenceKind {
  const lower = bundlePath.toLowerCase();
  const base = path.posix.basename(lower);
  const ext = path.posix.extname(base);
  const dirs = lower.split('/').slice(0, -1);
  const inDir = (...names: string[]) => dirs.some((d) => names.some((n) => d === n || d.startsWith(n)));

  if (isChecksumName(base)) return 'checksums';
  if (base === 'adapter_config.json' || base.startsWith('adapter_model.')) return 'adapter';
  if (
    TOKENIZER_NAMES.has(base) ||
    /^vocab\.[a-z]+$/.test(base) ||
    base.endsWith('.tiktoken') ||
    base === 'spiece.model'
  )
    return 'tokenizer';
  if (MODEL_CONFIG_NAMES.has(base)) return 'model-config';
  if (base.endsWith('.safetensors.index.json') || base === 'pytorch_model.bin.index.json') return 'weights';
  if (base.startsWith('training_args') || base === 'trainer_state.json') return 'training-log';
  if (WEIGHT_EXT.has(ext)) return 'weights';
  if (base.includes('provenance') || inDir('provenance')) return 'provenance';

  const text = [
    '.yaml',
    '.yml',
    '.json',
    '.jsonl',
    '.txt',
    '.log',
    '.md',
    '.toml',
    '.cfg',
    '.ini',
    '.conf',
    '.eval',
    '',
  ].includes(ext)
    ? headText(head)
    : '';

  if (ext === '.eval' || base.endsWith('.report.jsonl') || inDir('eval', 'evals', 'benchmark'))
    return 'eval-results';
  if (/^results[_-].*\.json$/.test(base) || base.startsWith('samples_')) return 'eval-results';

  if (ext === '.yaml' || ext === '.yml' || ext === '.json') {
    if (/^\s*apiVersion:\s*\S+/m.test(text) && /^\s*kind:\s*\S+/m.test(text)) {
      return /kind:\s*(InferenceService|LLMInferenceService|ServingRuntime)/.test(text)
        ? 'serving-config'
        : 'deployment-manifest';
    }
    if (/serv(e|ing)|vllm|tgi|triton|runtime/.test(base) || inDir('serving')) return 'serving-config';
    if (
      /deploy|manifest|kustomiz|helm|values/.test(base) ||
      inDir('deployment', 'deploy', 'k8s', 'kubernetes')
    )
      return 'deployment-manifest';
  }
  if (/pod[_-]?describe/.test(base) || (/^Name:\s+\S+/m.test(text) && /^Namespace:\s+\S+/m.test(text)))
    return 'deployment-manifest';
  if (inDir('deployment', 'deploy', 'k8s', 'kubernetes')) return 'deployment-manifest';
  if (inDir('serving')) return 'serving-config';

  if (
    ext === '.log' ||
    /train|finetune|fine-tune|fine_tune|sft|lora_run/.test(base) ||
    inDir('training', 'train', 'finetune')
  ) {
    if (ext === '.jsonl' && looksLikeOutputLog(text)) return 'output-log';
    if (
      ext === '.log' ||
      ext === '.txt' ||
      ext === '.jsonl' ||
      ext === '.json' ||
      inDir('training', 'train', 'finetune')
    )
      return 'training-log';
  }
  if ((ext === '.jsonl' || ext === '.json') && looksLikeOutputLog(text)) return 'output-log';
  if (inDir('logs', 'log') && (ext === '.jsonl' || ext === '.json')) return 'output-log';
  return 'other';
}

function looksLikeOutputLog(text: string): boolean {
  return /"(request_id|custom_id|messages|response|completion|choices|gen_ai\.)"?/.test(text);
}
