import { afterAll, describe, expect, it } from 'vitest';
import { inspectArtifact, parseLfsPointer, type ArtifactKind } from './detect.ts';
import { fixture, scratch, safetensorsBytes, rejection, zipBytes } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe.skipIf(withoutShared())('inspectArtifact on the real fixtures', () => {
  it.each<[string, ArtifactKind, string]>([
    ['gguf/ggml-vocab-bert-bge.gguf', 'gguf', 'magic'],
    ['gguf/threatflux-gguf-rs-test_model.gguf', 'gguf', 'magic'],
    ['safetensors/hf-samples-overall.safetensors', 'safetensors', 'magic'],
    ['safetensors/candle-whisper-mel_filters.safetensors', 'safetensors', 'magic'],
    ['safetensors/malicious-fixtures/modelaudit-malicious_import.safetensors', 'safetensors', 'magic'],
    ['safetensors/lfs-pointer/izzulgod-gpt2-indo-model.safetensors', 'lfs-pointer', 'content'],
    ['pytorch/candle-test.pt', 'torch-zip', 'magic'],
    ['pytorch/malicious-fixtures/modelaudit-malicious_eval.pt', 'torch-zip', 'magic'],
    ['pytorch/logics-thinking-training_args.bin', 'torch-zip', 'magic'],
    ['peft/chinese-vicuna-chat-adapter_config.json', 'adapter-config', 'name'],
    ['peft/ollama-discollama-mlx-adapter_config.json', 'adapter-config', 'name'],
    ['peft/izzulgod-gpt2-indo-config.json', 'model-config', 'name'],
    ['peft/ollama-phi3-config.json', 'model-config', 'name'],
    ['peft/torchtune-tiny_bpe_tokenizer.json', 'tokenizer', 'name'],
    ['peft/modelaudit-malicious-ssti-tokenizer_config.json', 'tokenizer-config', 'name'],
    ['peft/phishing-analyzer-chat_template.jinja', 'chat-template', 'name'],
    ['manifests/logics-thinking-model.safetensors.index.json', 'safetensors-index', 'name'],
    ['evals/inspect-2024-11-05T13-32-37-05-00_input-task_hxs4q9azL3ySGkjJirypKZ.eval', 'unknown', 'magic'],
    ['evals/lmeval-results_2025-01-21T00-40-03.356274.json', 'unknown', 'none'],
    ['manifests/llama.cpp-SHA256SUMS', 'unknown', 'none'],
  ])('%s → %s', async (rel, kind, by) => {
    const a = await inspectArtifact(fixture(rel));
    expect(a.kind).toBe(kind);
    expect(a.detectedBy).toBe(by);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('LFS pointers: oid and size of the real object', async () => {
    const a = await inspectArtifact(fixture('safetensors/lfs-pointer/mistralxgo-adapter_model.safetensors'));
    expect(a.kind === 'lfs-pointer' && a.result).toEqual({
      format: 'lfs-pointer',
      version: 'https://git-lfs.github.com/spec/v1',
      oidAlgorithm: 'sha256',
      oid: '897ab9af62aa4f20882fa4de05cd45ac0aa610c77a91055cc777fc4b80577483',
      size: 167_832_240,
      extra: {},
      problems: [],
    });
    const b = await inspectArtifact(fixture('safetensors/lfs-pointer/izzulgod-gpt2-indo-model.safetensors'));
    expect(b.kind === 'lfs-pointer' && [b.result.oid, b.result.size]).toEqual([
      '735513aefcf7bbde917138417927e48c9e8e69280a4aa9da6302e98fe155e4b9',
      497_774_208,
    ]);
  });

  it('the malicious pickle and the SSTI template come through with their verdicts', async () => {
    const p = await inspectArtifact(fixture('pytorch/malicious-fixtures/modelaudit-malicious_eval.pt'));
    expect(p.kind === 'torch-zip' && p.result.verdict).toBe('dangerous');
    const t = await inspectArtifact(fixture('peft/modelaudit-malicious-ssti-tokenizer_config.json'));
    expect(t.kind === 'tokenizer-config' && t.result.chatTemplateSuspicious).toBe(true);
  });

  it('a corrupt GGUF propagates its named error', async () => {
    expect(
      await rejection(inspectArtifact(fixture('gguf/corrupt/ggml-vocab-bert-bge.utf8-mangled.gguf'))),
    ).toMatchObject({ name: 'ProbityError', code: 'malformed' });
  });
});

describe('inspectArtifact on generated files', () => {
  it('safetensors whose header length starts with the PROTO byte is still safetensors', async () => {
    const text = JSON.stringify({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }).padEnd(640, ' ');
    const bytes = safetensorsBytes(text, 1);
    expect([bytes[0], bytes[1]]).toEqual([0x80, 0x02]);
    const a = await inspectArtifact(tmp.write('weird.bin', bytes));
    expect(a.kind).toBe('safetensors');
  });

  it('unnamed JSON is classified by its keys; weights extensions with bad magic give named errors', async () => {
    expect((await inspectArtifact(tmp.write('x.json', '{"peft_type":"LORA","r":4}'))).kind).toBe(
      'adapter-config',
    );
    expect((await inspectArtifact(tmp.write('y.json', '{"model_type":"llama"}'))).kind).toBe('model-config');
    expect((await inspectArtifact(tmp.write('z.json', '{"weight_map":{}}'))).kind).toBe('safetensors-index');
    expect((await inspectArtifact(tmp.write('w.json', '{"hello":1}'))).kind).toBe('unknown');
    expect((await rejection(inspectArtifact(tmp.write('broken.gguf', 'not a gguf at all')))).message).toMatch(
      /bad magic/,
    );
    expect((await rejection(inspectArtifact(tmp.write('broken.pt', 'zzzz plain text')))).message).toMatch(
      /neither a zip archive nor a pickle/,
    );
    expect(
      (await inspectArtifact(tmp.write('archive.zip', zipBytes([{ name: 'a.txt', data: Buffer.from('x') }]))))
        .kind,
    ).toBe('unknown');
    expect((await inspectArtifact(tmp.write('empty', ''))).kind).toBe('unknown');
  });

  it('LFS pointer parsing is strict about oid and size', () => {
    expect(() =>
      parseLfsPointer('p', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n'),
    ).toThrow(/64/);
    expect(() =>
      parseLfsPointer(
        'p',
        'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize -1\n',
      ),
    ).toThrow(/not an integer/);
    expect(
      parseLfsPointer(
        'p',
        'version https://git-lfs.github.com/spec/v1\next-0-foo sha256:' +
          'b'.repeat(64) +
          '\noid sha256:' +
          'a'.repeat(64) +
          '\nsize 12\n',
      ),
    ).toMatchObject({ size: 12, extra: { 'ext-0-foo': 'sha256:' + 'b'.repeat(64) } });
  });
});
