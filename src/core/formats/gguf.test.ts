import { afterAll, describe, expect, it } from 'vitest';
import { readGgufHeader, ggufValue, type GgufHeader } from './gguf.ts';
import { fixture, scratch, ggufBytes, rejection, type GgufSpec, type GgufTestValue } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const tmp = scratch();
afterAll(() => tmp.cleanup());
const build = (name: string, spec: GgufSpec): Promise<GgufHeader> =>
  readGgufHeader(tmp.write(name, ggufBytes(spec)));

// Facts below were read independently with a hand-written python3 struct reader.
describe.skipIf(withoutShared())('real GGUF fixtures', () => {
  it('ggml-vocab-bert-bge: vocab-only v3 bert, 20 KVs, 30522 tokens, special ids resolved', async () => {
    const h = await readGgufHeader(fixture('gguf/ggml-vocab-bert-bge.gguf'));
    expect(h).toMatchObject({
      version: 3,
      endianness: 'little',
      tensorCount: 0,
      kvCount: 20,
      architecture: 'bert',
      headerEnd: 627549,
      fileSize: 627549,
    });
    expect(h.metadata.map((m) => m.key)).toEqual([
      'general.architecture',
      'general.name',
      'bert.block_count',
      'bert.context_length',
      'bert.embedding_length',
      'bert.feed_forward_length',
      'bert.attention.head_count',
      'bert.attention.layer_norm_epsilon',
      'general.file_type',
      'bert.attention.causal',
      'tokenizer.ggml.token_type_count',
      'tokenizer.ggml.model',
      'tokenizer.ggml.pre',
      'tokenizer.ggml.tokens',
      'tokenizer.ggml.token_type',
      'tokenizer.ggml.unknown_token_id',
      'tokenizer.ggml.seperator_token_id',
      'tokenizer.ggml.padding_token_id',
      'tokenizer.ggml.cls_token_id',
      'tokenizer.ggml.mask_token_id',
    ]);
    expect(h.model).toEqual({
      blockCount: 12,
      embeddingLength: 384,
      contextLength: 512,
      feedForwardLength: 1536,
      headCount: 12,
      headCountKv: null,
      vocabSize: 30522,
    });
    expect(ggufValue(h, 'bert.attention.causal')).toBe(false);
    expect(ggufValue(h, 'tokenizer.ggml.tokens')).toEqual({
      kind: 'array',
      elementType: 'STRING',
      length: 30522,
      head: [
        '[PAD]',
        '[unused0]',
        '[unused1]',
        '[unused2]',
        '[unused3]',
        '[unused4]',
        '[unused5]',
        '[unused6]',
      ],
    });
    expect(h.tokenizer).toMatchObject({
      model: 'bert',
      pre: 'bert-bge',
      tokenCount: 30522,
      tokenTypeCounts: { normal: 30517, control: 5 },
      chatTemplates: [],
    });
    expect(h.tokenizer?.specialTokens).toEqual([
      { role: 'unknown', id: 100, text: '[UNK]' },
      { role: 'seperator', id: 102, text: '[SEP]' },
      { role: 'padding', id: 0, text: '[PAD]' },
      { role: 'cls', id: 101, text: '[CLS]' },
      { role: 'mask', id: 103, text: '[MASK]' },
    ]);
    expect(h.provenance).toMatchObject({ name: 'bert-bge', fileType: 1, fileTypeName: 'MOSTLY_F16' });
    expect(h.adapter).toBeNull();
    expect(h.problems).toEqual([]);
  });

  it('ggml-vocab-llama-spm: llama hyper-parameters, 32000 tokens, bos/eos/unk', async () => {
    const h = await readGgufHeader(fixture('gguf/ggml-vocab-llama-spm.gguf'));
    expect(h.kvCount).toBe(22);
    expect(h.model).toEqual({
      blockCount: 32,
      embeddingLength: 4096,
      contextLength: 4096,
      feedForwardLength: 11008,
      headCount: 32,
      headCountKv: 32,
      vocabSize: 32000,
    });
    expect(h.tokenizer?.specialTokens).toEqual([
      { role: 'bos', id: 1, text: '<s>' },
      { role: 'eos', id: 2, text: '</s>' },
      { role: 'unknown', id: 0, text: '<unk>' },
    ]);
    expect(h.tokenizer?.tokenTypeCounts).toEqual({ normal: 31741, byte: 256, control: 2, unknown: 1 });
    expect(ggufValue(h, 'tokenizer.ggml.add_bos_token')).toBe(true);
    expect(h.problems).toEqual([]);
  });

  it('ggml-vocab-phi-3: chat template hashed, eos is the added <|endoftext|>', async () => {
    const h = await readGgufHeader(fixture('gguf/ggml-vocab-phi-3.gguf'));
    expect(h.architecture).toBe('phi3');
    expect(h.kvCount).toBe(26);
    expect(h.model.vocabSize).toBe(32064);
    expect(h.tokenizer?.chatTemplates).toEqual([
      {
        name: 'default',
        length: 269,
        sha256: '268b6082ceb7176dc6ed80557a2f7837f9f0339592fbee677d405a553af15f88',
        suspicious: [],
      },
    ]);
    expect(h.tokenizer?.specialTokens).toContainEqual({ role: 'eos', id: 32000, text: '<|endoftext|>' });
    expect(h.tokenizer?.tokenTypeCounts).toEqual({
      normal: 31741,
      byte: 256,
      unknown: 53,
      control: 13,
      user_defined: 1,
    });
    expect(h.provenance.quantizationVersion).toBe(2);
    expect(ggufValue(h, 'phi3.rope.freq_base')).toBe(10000);
  });

  it('threatflux test_model: three F32 tensors all at offset 0 are reported as overlapping, not a crash', async () => {
    const h = await readGgufHeader(fixture('gguf/threatflux-gguf-rs-test_model.gguf'));
    expect(h).toMatchObject({
      tensorCount: 3,
      kvCount: 5,
      architecture: 'test',
      headerEnd: 414,
      dataStart: 416,
      parameterCount: 256_128,
    });
    expect(h.tensors.map((t) => [t.name, t.dims, t.typeName, t.offset, t.byteSize])).toEqual([
      ['token_embd.weight', [1000, 128], 'F32', 0, 512000],
      ['output_norm.weight', [128], 'F32', 0, 512],
      ['output.weight', [128, 1000], 'F32', 0, 512000],
    ]);
    expect(ggufValue(h, 'general.parameter_count')).toBe(1_000_000);
    expect(h.metadata.find((m) => m.key === 'general.parameter_count')?.type).toBe('UINT64');
    expect(h.problems).toEqual([
      'tensor "token_embd.weight" data [0, 512,000) overlaps tensor "output_norm.weight" [0, 512)',
      'tensor "output.weight" data [0, 512,000) overlaps tensor "token_embd.weight" [0, 512,000)',
      "512,512 bytes after the last tensor's data (from offset 512,416) belong to no tensor",
    ]);
  });

  it('the UTF-8-mangled bert copy fails at the damaged key with a named error', async () => {
    const e = await rejection(readGgufHeader(fixture('gguf/corrupt/ggml-vocab-bert-bge.utf8-mangled.gguf')));
    expect(e).toMatchObject({ name: 'ProbityError', code: 'malformed' });
    expect(e.message).toMatch(
      /utf8-mangled\.gguf: key of metadata pair 5 length at offset 212 is 1572864 bytes/,
    );
  });
});

describe('generated GGUF edge cases', () => {
  const arch = (a: string): [string, { t: 'str'; v: string }] => ['general.architecture', { t: 'str', v: a }];

  it('all 13 value types, nested arrays, u64 beyond 2^53 and non-finite floats', async () => {
    const h = await build('types.gguf', {
      kvs: [
        arch('x'),
        ['u8', { t: 'u8', v: 255 }],
        ['i8', { t: 'i8', v: -128 }],
        ['u16', { t: 'u16', v: 65535 }],
        ['i16', { t: 'i16', v: -32768 }],
        ['u32', { t: 'u32', v: 4294967295 }],
        ['i32', { t: 'i32', v: -2147483648 }],
        ['f32', { t: 'f32', v: 0.5 }],
        ['bool', { t: 'bool', v: true }],
        ['str', { t: 'str', v: 'héllo' }],
        ['u64', { t: 'u64', v: 18446744073709551615n }],
        ['i64', { t: 'i64', v: -5n }],
        ['f64', { t: 'f64', v: Number.NaN }],
        [
          'nested',
          {
            t: 'arr',
            et: 9,
            items: [
              {
                t: 'arr',
                et: 4,
                items: [
                  { t: 'u32', v: 1 },
                  { t: 'u32', v: 2 },
                ],
              },
              { t: 'arr', et: 8, items: [{ t: 'str', v: 'a' }] },
            ],
          },
        ],
      ],
    });
    expect(Object.fromEntries(h.metadata.map((m) => [m.key, [m.type, m.value]]))).toEqual({
      'general.architecture': ['STRING', 'x'],
      u8: ['UINT8', 255],
      i8: ['INT8', -128],
      u16: ['UINT16', 65535],
      i16: ['INT16', -32768],
      u32: ['UINT32', 4294967295],
      i32: ['INT32', -2147483648],
      f32: ['FLOAT32', 0.5],
      bool: ['BOOL', true],
      str: ['STRING', 'héllo'],
      u64: ['UINT64', '18446744073709551615'],
      i64: ['INT64', -5],
      f64: ['FLOAT64', 'NaN'],
      nested: [
        'ARRAY',
        {
          kind: 'array',
          elementType: 'ARRAY',
          length: 2,
          head: [
            { kind: 'array', elementType: 'UINT32', length: 2, head: [1, 2] },
            { kind: 'array', elementType: 'STRING', length: 1, head: ['a'] },
          ],
        },
      ],
    });
    expect(JSON.parse(JSON.stringify(h))).toEqual(h);
  });

  it('GGUF v1 (u32 counts, lengths and dims) with a tensor', async () => {
    const h = await build('v1.gguf', {
      version: 1,
      kvs: [
        arch('llama'),
        ['llama.block_count', { t: 'u32', v: 2 }],
        [
          'tokenizer.ggml.tokens',
          {
            t: 'arr',
            et: 8,
            items: [
              { t: 'str', v: '<s>' },
              { t: 'str', v: 'a' },
            ],
          },
        ],
        ['tokenizer.ggml.bos_token_id', { t: 'u32', v: 0 }],
      ],
      tensors: [{ name: 'w', dims: [32, 2], type: 2, offset: 0 }],
      data: Buffer.alloc(36),
    });
    expect(h.version).toBe(1);
    expect(h.tensors).toEqual([
      {
        name: 'w',
        dims: [32, 2],
        type: 2,
        typeName: 'Q4_0',
        offset: 0,
        absoluteOffset: h.dataStart,
        byteSize: 36,
        params: 64,
      },
    ]);
    expect(h.model.blockCount).toBe(2);
    expect(h.tokenizer?.specialTokens).toEqual([{ role: 'bos', id: 0, text: '<s>' }]);
    expect(h.problems).toEqual([
      'GGUF version 1 (u32 lengths): llama.cpp dropped support for it in October 2023',
    ]);
  });

  it('big-endian v3 is detected by the version field and parsed', async () => {
    const h = await build('be.gguf', {
      bigEndian: true,
      kvs: [arch('llama'), ['llama.context_length', { t: 'u32', v: 4096 }]],
    });
    expect(h.endianness).toBe('big');
    expect(h.model.contextLength).toBe(4096);
    expect(h.problems[0]).toMatch(/big-endian GGUF/);
  });

  it('wrong magic, legacy magic and unknown versions are named', async () => {
    expect((await rejection(build('m.gguf', { magic: 'GGUX' }))).message).toMatch(
      /bad magic "GGUX" \(0x47475558\): not a GGUF file/,
    );
    expect((await rejection(build('m2.gguf', { magic: 'tjgg' }))).message).toMatch(/legacy GGJT model file/);
    expect((await rejection(build('m3.gguf', { version: 7 }))).message).toMatch(/unsupported GGUF version 7/);
  });

  it('absurd counts and lengths are refused before any allocation', async () => {
    expect((await rejection(build('c1.gguf', { kvCountOverride: 2n ** 62n }))).message).toMatch(
      /metadata KV count at offset 16 is 4611686018427387904 pairs/,
    );
    expect((await rejection(build('c2.gguf', { tensorCountOverride: 10_000_000n }))).message).toMatch(
      /tensor count at offset 8 is 10000000 tensors/,
    );
    expect(
      (await rejection(build('c3.gguf', { kvs: [['k', { t: 'str', v: 'v', lenOverride: 2n ** 63n }]] })))
        .message,
    ).toMatch(/value of "k" length at offset \d+ is 9223372036854775808 bytes/);
    expect(
      (
        await rejection(
          build('c4.gguf', { kvs: [['k', { t: 'arr', et: 4, items: [], lenOverride: 1_000_000n }]] }),
        )
      ).message,
    ).toMatch(/array "k" at offset \d+ claims 1,000,000 UINT32 elements but only 0 bytes remain/);
    expect(
      (await rejection(build('c5.gguf', { kvs: [['k', { t: 'arr', et: 13, items: [] }]] }))).message,
    ).toMatch(/unknown value type 13/);
    expect(
      (
        await rejection(
          build('c6.gguf', {
            tensors: [{ name: 't', dims: [1, 1, 1, 1, 1, 1, 1, 1, 1], type: 0, offset: 0 }],
          }),
        )
      ).message,
    ).toMatch(/claims 9 dimensions \(limit 8\)/);
    const deep = (n: number): GgufTestValue =>
      n === 0 ? { t: 'arr', et: 4, items: [] } : { t: 'arr', et: 9, items: [deep(n - 1)] };
    expect((await rejection(build('c7.gguf', { kvs: [['k', deep(12)]] }))).message).toMatch(
      /nested more than 8 deep/,
    );
  });

  it('truncated header is a named error', async () => {
    const full = ggufBytes({ kvs: [arch('llama'), ['general.name', { t: 'str', v: 'abcdef' }]] });
    const e = await rejection(readGgufHeader(tmp.write('trunc.gguf', full.subarray(0, full.length - 3))));
    expect(e.message).toMatch(
      /truncated: value of "general\.name" needs 6 bytes at offset \d+ but only 3 remain/,
    );
  });

  it('unaligned, out-of-file and unknown-type tensors are recorded problems', async () => {
    const h = await build('layout.gguf', {
      kvs: [arch('x'), ['general.alignment', { t: 'u32', v: 64 }]],
      tensors: [
        { name: 'a', dims: [4], type: 0, offset: 0 },
        { name: 'b', dims: [4], type: 0, offset: 70 },
        { name: 'c', dims: [8], type: 99, offset: 128 },
        { name: 'd', dims: [1000], type: 0, offset: 192 },
      ],
      data: Buffer.alloc(200),
      align: 64,
    });
    expect(h.alignment).toBe(64);
    expect(h.tensors.map((t) => t.typeName)).toEqual(['F32', 'F32', null, 'F32']);
    expect(h.tensorTypes).toEqual({ F32: 3, 'unknown(99)': 1 });
    expect(h.problems).toEqual([
      'tensor "c" has unknown ggml type 99',
      'tensor "b" offset 70 is not a multiple of the alignment 64',
      `tensor "d" data [${(h.dataStart + 192).toLocaleString('en-US')}, ${(h.dataStart + 4192).toLocaleString('en-US')}) passes the end of the ${h.fileSize.toLocaleString('en-US')}-byte file`,
    ]);
    const gap = await build('gap.gguf', {
      kvs: [arch('x')],
      tensors: [
        { name: 'a', dims: [4], type: 0, offset: 0 },
        { name: 'b', dims: [4], type: 0, offset: 96 },
      ],
      data: Buffer.alloc(112 + 100),
    });
    expect(gap.problems).toEqual([
      '80 bytes of tensor data before tensor "b" (relative offsets 16..96) belong to no tensor',
      `100 bytes after the last tensor's data (from offset ${(gap.dataStart + 112).toLocaleString('en-US')}) belong to no tensor`,
    ]);
  });

  it('bad alignment, duplicate keys, out-of-range special ids, block-size mismatch, adapter fields', async () => {
    const h = await build('misc.gguf', {
      kvs: [
        arch('llama'),
        ['general.alignment', { t: 'u32', v: 48 }],
        ['general.type', { t: 'str', v: 'adapter' }],
        ['adapter.type', { t: 'str', v: 'lora' }],
        ['adapter.lora.alpha', { t: 'f32', v: 16 }],
        ['general.base_model.count', { t: 'u32', v: 1 }],
        ['general.base_model.0.name', { t: 'str', v: 'Llama 3' }],
        ['general.base_model.0.organization', { t: 'str', v: 'Meta Llama' }],
        [
          'general.base_model.0.repo_url',
          { t: 'str', v: 'https://huggingface.co/meta-llama/Meta-Llama-3-8B' },
        ],
        ['general.quantized_by', { t: 'str', v: 'someone' }],
        ['tokenizer.ggml.tokens', { t: 'arr', et: 8, items: [{ t: 'str', v: 'a' }] }],
        ['tokenizer.ggml.eos_token_id', { t: 'u32', v: 5 }],
        [
          'tokenizer.chat_template',
          { t: 'str', v: "{{ cycler.__init__.__globals__.os.popen('id').read() }}" },
        ],
        ['general.name', { t: 'str', v: 'one' }],
        ['general.name', { t: 'str', v: 'two' }],
      ],
      tensors: [{ name: 'q', dims: [33], type: 8, offset: 0 }],
      data: Buffer.alloc(68),
    });
    expect(h.alignment).toBe(32);
    expect(h.adapter).toEqual({ type: 'lora', loraAlpha: 16 });
    expect(h.provenance.baseModels).toEqual([
      {
        name: 'Llama 3',
        organization: 'Meta Llama',
        repoUrl: 'https://huggingface.co/meta-llama/Meta-Llama-3-8B',
        version: null,
      },
    ]);
    expect(h.provenance.quantizedBy).toBe('someone');
    expect(h.provenance.name).toBe('two');
    expect(h.tokenizer?.specialTokens).toEqual([{ role: 'eos', id: 5, text: null }]);
    expect(h.tokenizer?.chatTemplates[0]?.suspicious).toEqual([
      '__globals__',
      '__init__',
      'cycler',
      'os.',
      'popen',
    ]);
    expect(h.problems).toEqual([
      'duplicate metadata key "general.name" (llama.cpp refuses the file)',
      'general.alignment 48 is not a power of two (using the default 32)',
      'tensor "q": row length 33 is not a multiple of the Q8_0 block size 32',
      'tokenizer.ggml.eos_token_id is 5, outside the 1-token vocabulary',
    ]);
  });

  it('a tokens array larger than one checkpoint resolves ids past the first block', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ t: 'str' as const, v: `tok${i}` }));
    const h = await build('tokens.gguf', {
      kvs: [
        arch('llama'),
        ['tokenizer.ggml.tokens', { t: 'arr', et: 8, items }],
        ['tokenizer.ggml.eos_token_id', { t: 'u32', v: 2049 }],
        ['tokenizer.ggml.bos_token_id', { t: 'u32', v: 1023 }],
      ],
    });
    expect(h.tokenizer?.specialTokens).toEqual([
      { role: 'eos', id: 2049, text: 'tok2049' },
      { role: 'bos', id: 1023, text: 'tok1023' },
    ]);
  });
});
