import { afterAll, describe, expect, it } from 'vitest';
import { parseTokenizerJson, parseTokenizerConfig, parseChatTemplateFile } from './tokenizer.ts';
import { sstiIndicators } from './indicators.ts';
import { fixture, scratch, rejection } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe('tokenizer.json', () => {
  it.skipIf(withoutShared())(
    'torchtune tiny BPE: 2000 vocab, 1904 merges, 3 Qwen-style added tokens',
    async () => {
      const t = await parseTokenizerJson(fixture('peft/torchtune-tiny_bpe_tokenizer.json'));
      expect(t).toMatchObject({
        version: '1.0',
        modelType: 'BPE',
        vocabSize: 2000,
        mergeCount: 1904,
        maxTokenId: 2002,
        addedTokenCount: 3,
        normalizer: 'NFC',
        preTokenizer: 'Sequence(Split, ByteLevel)',
        postProcessor: 'ByteLevel',
        decoder: 'ByteLevel',
        byteFallback: false,
        truncation: false,
        padding: false,
      });
      expect(t.addedTokens).toEqual([
        { id: 2000, content: '<|endoftext|>', special: true },
        { id: 2001, content: '<|im_start|>', special: true },
        { id: 2002, content: '<|im_end|>', special: true },
      ]);
      expect(t.problems).toEqual([]);
    },
  );

  it('Unigram (array vocab), WordPiece inference, id collisions and shadowing', async () => {
    const u = await parseTokenizerJson(
      tmp.write(
        'u.json',
        JSON.stringify({
          model: {
            type: 'Unigram',
            vocab: [
              ['<unk>', 0],
              ['a', -1.5],
              ['b', -2],
            ],
          },
          added_tokens: [],
        }),
      ),
    );
    expect(u).toMatchObject({ modelType: 'Unigram', vocabSize: 3, maxTokenId: 2 });
    const w = await parseTokenizerJson(
      tmp.write(
        'w.json',
        JSON.stringify({
          model: { vocab: { '[UNK]': 0, a: 1, b: 1, c: 5 }, continuing_subword_prefix: '##' },
          added_tokens: [
            { id: 0, content: '<evil>', special: true },
            { id: 9, content: '<evil>', special: false },
          ],
        }),
      ),
    );
    expect(w.modelType).toBe('WordPiece');
    expect(w.problems).toEqual([
      'vocabulary id 1 is assigned to more than one token (one of them is "a")',
      'added token 0 "<evil>" shadows vocabulary token "[UNK]" with the same id',
      'added token "<evil>" appears with ids 0 and 9',
    ]);
  });

  it('refuses a non-object model', async () => {
    expect((await rejection(parseTokenizerJson(tmp.write('bad.json', '{"model": 3}')))).message).toMatch(
      /"model" is a number, not an object/,
    );
  });
});

describe('tokenizer_config.json', () => {
  it.skipIf(withoutShared())(
    'modelaudit SSTI fixture: chat template flagged, 1e30 model_max_length kept exactly',
    async () => {
      const c = await parseTokenizerConfig(fixture('peft/modelaudit-malicious-ssti-tokenizer_config.json'));
      expect(c.tokenizerClass).toBe('LlamaTokenizer');
      expect(c.chatTemplateSuspicious).toBe(true);
      expect(c.chatTemplates).toEqual([
        {
          name: 'default',
          length: 195,
          sha256: 'e884cfc0e08b64ef19ecb40ebecf0575a2eea64807e71a9a37f1ef1252d65fc5',
          suspicious: ['__class__', '__builtins__', '__subclasses__', '__import__', '__base__', '.system('],
        },
      ]);
      expect(c.modelMaxLength).toBe(1e30);
      expect(c.modelMaxLengthText).toBe('1000000000000000019884624838656');
      expect(c).toMatchObject({ bosToken: '<s>', eosToken: '</s>', unkToken: '<unk>', padToken: null });
      expect(c.addedTokensDecoder).toEqual([
        { id: 0, content: '<unk>', special: true },
        { id: 1, content: '<s>', special: true },
      ]);
      expect(c.problems).toContain(
        'chat template "default" contains Jinja sandbox-escape constructs: __class__, __builtins__, __subclasses__, __import__, __base__, .system(',
      );
    },
  );

  it.skipIf(withoutShared())('MiniCPM3: large benign tool-calling template is not flagged', async () => {
    const c = await parseTokenizerConfig(fixture('peft/ollama-minicpm3-4b-tokenizer_config.json'));
    expect(c.chatTemplates).toEqual([
      {
        name: 'default',
        length: 7597,
        sha256: 'dbd75fe18b14711fa5968600a6f5c974d7d3e63e75fe163ecb99a1e5f94c38c9',
        suspicious: [],
      },
    ]);
    expect(c.chatTemplateSuspicious).toBe(false);
    expect(c.addedTokensDecoderCount).toBe(11);
    expect(c.addedTokensDecoder.at(-1)?.id).toBe(73447);
    expect(c.additionalSpecialTokens).toEqual([
      '<|im_end|>',
      '<|im_start|>',
      '<|tool_call|>',
      '<|execute_start|>',
      '<|execute_end|>',
      '<|fim_prefix|>',
      '<|fim_middle|>',
      '<|fim_suffix|>',
    ]);
    expect(c.eosToken).toBe('<|im_end|>');
  });

  it.skipIf(withoutShared())(
    'Qwen2 (phishing analyzer): 22 added tokens from 151643, no template, null bos/unk',
    async () => {
      const c = await parseTokenizerConfig(fixture('peft/phishing-analyzer-tokenizer_config.json'));
      expect(c).toMatchObject({
        tokenizerClass: 'Qwen2Tokenizer',
        addedTokensDecoderCount: 22,
        bosToken: null,
        unkToken: null,
        eosToken: '<|im_end|>',
        padToken: '<|vision_pad|>',
        modelMaxLength: 32768,
        modelMaxLengthText: null,
        chatTemplates: [],
      });
      expect(c.addedTokensDecoder[0]).toEqual({ id: 151643, content: '<|endoftext|>', special: true });
      expect(c.addedTokensDecoder.at(-1)?.id).toBe(151664);
    },
  );

  it.skipIf(withoutShared())('Phi-3 and GPT-2 configs', async () => {
    const p = await parseTokenizerConfig(fixture('peft/ollama-phi3-tokenizer_config.json'));
    expect(p.addedTokensDecoder.map((t) => [t.id, t.content, t.special])).toEqual([
      [0, '<unk>', true],
      [1, '<s>', true],
      [2, '</s>', false],
      [32000, '<|endoftext|>', true],
    ]);
    const g = await parseTokenizerConfig(fixture('peft/izzulgod-gpt2-indo-tokenizer_config.json'));
    expect(g).toMatchObject({
      tokenizerClass: 'GPT2Tokenizer',
      modelMaxLength: 512,
      bosToken: '<|endoftext|>',
      chatTemplates: [],
    });
  });

  it('template lists, AddedToken objects and auto_map', async () => {
    const c = await parseTokenizerConfig(
      tmp.write(
        'tc.json',
        JSON.stringify({
          bos_token: { content: '<s>', special: true },
          chat_template: [
            { name: 'default', template: 'hi' },
            { name: 'tool_use', template: "{{ lipsum.__globals__['os'].popen('id') }}" },
          ],
          auto_map: { AutoTokenizer: ['tok.MyTok', null] },
        }),
      ),
    );
    expect(c.bosToken).toBe('<s>');
    expect(c.chatTemplates.map((t) => [t.name, t.suspicious])).toEqual([
      ['default', []],
      ['tool_use', ['__globals__', 'lipsum', 'popen']],
    ]);
    expect(c.remoteCode).toEqual({ AutoTokenizer: '["tok.MyTok",null]' });
  });

  it.skipIf(withoutShared())('stand-alone chat_template.jinja is hashed like the file', async () => {
    const t = await parseChatTemplateFile(fixture('peft/phishing-analyzer-chat_template.jinja'));
    expect(t.template).toEqual({
      name: 'default',
      length: 2507,
      sha256: 'cd8e9439f0570856fd70470bf8889ebd8b5d1107207f67a5efb46e342330527f',
      suspicious: [],
    });
  });
});

describe('SSTI indicators', () => {
  it.each([
    ["{{ ''.__class__.__mro__[1].__subclasses__() }}", ['__class__', '__subclasses__', '__mro__']],
    [
      '{{ cycler.__init__.__globals__.os.popen("id").read() }}',
      ['__globals__', '__init__', 'cycler', 'os.', 'popen'],
    ],
    ['{{ joiner.__init__.__globals__ }}', ['__globals__', '__init__', 'joiner']],
    ['{{ namespace.__init__.__globals__ }}', ['__globals__', '__init__', 'namespace.__init__']],
    ['{{ self.__init__.__globals__.__builtins__ }}', ['__globals__', '__builtins__', '__init__', 'self.__']],
    ["{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", ['|attr(', 'escaped underscore']],
    ["{% set ns = namespace(x=1) %}{{ messages[0]['content'] | tojson }}{{ raise_exception('no') }}", []],
  ])('%s', (tpl, expected) => {
    expect(sstiIndicators(tpl)).toEqual(expected);
  });
});
