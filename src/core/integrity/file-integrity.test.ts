import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectArtifact } from '../formats/index.ts';
import { ggufBytes } from '../formats/testkit.ts';
import { loadCaseFiles } from './case-files.ts';
import { checkFileIntegrity } from './file-integrity.ts';
import { loadPublicKey } from './model-signing.ts';
import type { CheckItem } from './types.ts';
import {
  caseFilesOf,
  caseFromFolder,
  f32,
  fixture,
  rmrf,
  safetensors,
  sha256,
  tempDir,
  tensor,
  workstation,
  writeTree,
} from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const dirs: string[] = [];
const { ws, cleanup } = workstation();
afterAll(() => {
  dirs.forEach(rmrf);
  cleanup();
});
function bundle(files: Record<string, string | Uint8Array>): string {
  const d = tempDir('probity-fi-');
  dirs.push(d);
  writeTree(d, files);
  return d;
}
const fx = (rel: string): Buffer => fs.readFileSync(fixture(rel));
const failing = (items: CheckItem[]): string[] =>
  items.filter((i) => i.status === 'fail').map((i) => i.summary);
// Read only where ../shared is present (the tests that use it are skipped elsewhere).
const key = withoutShared()
  ? null
  : loadPublicKey(fx('manifests/model_signing/keys/signing-key-pub.pem').toString());

function signedFolder(extra: Record<string, string> = {}): Record<string, string | Uint8Array> {
  const base = 'manifests/model_signing/v1.1.0-elliptic-key';
  return {
    'model/model.sig': fx(`${base}/model.sig`),
    'model/signme-1': fx(`${base}/signme-1`),
    'model/signme-2': fx(`${base}/signme-2`),
    'model/ignore-me': fx(`${base}/ignore-me`),
    ...extra,
  };
}

describe.skipIf(withoutShared())(
  'model_signing signatures in the evidence (real fixture, real ingest)',
  () => {
    it('every signed file matches and the signature verifies with the given key', async () => {
      const store = await caseFromFolder(ws, bundle(signedFolder()));
      try {
        const r = await checkFileIntegrity(loadCaseFiles(store), { baseline: null, signingKey: key! });
        expect(r.status).toBe('pass');
        expect(r.items.map((i) => [i.status, i.subject])).toEqual([
          ['pass', 'model/signme-1'],
          ['pass', 'model/signme-2'],
          ['pass', 'model/model.sig'],
        ]);
        expect(r.items[2]?.details.signature).toBe('verified');
      } finally {
        store.close();
      }
    });

    it('without a key the digests still count and the signature is "not checked"', async () => {
      const r = await checkFileIntegrity(await caseFilesOf(bundle(signedFolder())), {
        baseline: null,
        signingKey: null,
      });
      expect(r.status).toBe('pass');
      expect(r.items.find((i) => i.subject === 'model/model.sig')).toMatchObject({
        status: 'not-analysed',
        details: { signature: 'not-checked' },
      });
    });

    it('a modified signed file is mismatched and an unsigned file in the folder is new', async () => {
      const r = await checkFileIntegrity(
        await caseFilesOf(bundle(signedFolder({ 'model/signme-1': 'tampered', 'model/extra.bin': 'x' }))),
        { baseline: null, signingKey: key! },
      );
      expect(r.status).toBe('fail');
      expect(failing(r.items)).toEqual([
        expect.stringMatching(
          /^model\/signme-1: sha256 .* but model\/model\.sig signed bc9a717db606… \(mismatched\)$/,
        ),
        'model/extra.bin: in the signed folder but not covered by model/model.sig (new)',
      ]);
    });
  },
);

describe('checksum lists', () => {
  it.skipIf(withoutShared())(
    "llama.cpp's SHA256SUMS: matched, mismatched, missing, and placeholders not checked",
    async () => {
      const params7b =
        '{"dim": 4096, "multiple_of": 256, "n_heads": 32, "n_layers": 32, "norm_eps": 1e-06, "vocab_size": -1}';
      const cf = await caseFilesOf(
        bundle({
          SHA256SUMS: fx('manifests/llama.cpp-SHA256SUMS'),
          'models/7B/params.json': params7b,
          'models/13B/params.json': '{"dim": 1}',
        }),
      );
      const r = await checkFileIntegrity(cf, { baseline: null, signingKey: null });
      const by = (re: RegExp): CheckItem[] => r.items.filter((i) => re.test(i.summary));
      expect(r.items.find((i) => i.subject === 'models/7B/params.json')?.status).toBe('pass');
      expect(r.items.find((i) => i.subject === 'models/13B/params.json')?.details.outcome).toBe('mismatched');
      expect(by(/\(missing\)$/)).toHaveLength(40 - 12 - 2);
      expect(by(/12 placeholder digests/)[0]?.status).toBe('not-analysed');
      expect(r.status).toBe('fail');
    },
  );
});

describe('safetensors index', () => {
  const shard1 = safetensors([tensor('a', 'F32', [2], f32([1, 2]))]);
  const shard2 = safetensors([tensor('b', 'F32', [1], f32([3]))]);
  const index = JSON.stringify({
    metadata: { total_size: 12 },
    weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
  });

  it('consistent with the shards present: that item passes, but an index holds no digest — the check is not analysed', async () => {
    const cf = await caseFilesOf(
      bundle({
        'model.safetensors.index.json': index,
        'model-00001-of-00002.safetensors': shard1,
        'model-00002-of-00002.safetensors': shard2,
      }),
    );
    const r = await checkFileIntegrity(cf, { baseline: null, signingKey: null });
    expect(r.items[0]?.status).toBe('pass');
    expect(r.status).toBe('not-analysed');
    expect(r.summary).toBe('no model file was compared with a known-good value');
    expect(r.items[0]?.summary).toMatch(/weight_map \(2 tensors\) consistent with the 2 shards present/);
  });

  it('a shard holding a tensor the index does not list fails', async () => {
    const rogue = safetensors([tensor('b', 'F32', [1], f32([3])), tensor('backdoor', 'F32', [1], f32([9]))]);
    const cf = await caseFilesOf(
      bundle({
        'model.safetensors.index.json': index,
        'model-00001-of-00002.safetensors': shard1,
        'model-00002-of-00002.safetensors': rogue,
      }),
    );
    const r = await checkFileIntegrity(cf, { baseline: null, signingKey: null });
    expect(failing(r.items)).toContain(
      'model.safetensors.index.json: tensor "backdoor" in shard "model-00002-of-00002.safetensors" is not listed in the index',
    );
  });

  it.skipIf(withoutShared())(
    'the real Logics-Thinking index without its shards: four shards missing',
    async () => {
      const cf = await caseFilesOf(
        bundle({
          'model.safetensors.index.json': fx('manifests/logics-thinking-model.safetensors.index.json'),
        }),
      );
      const r = await checkFileIntegrity(cf, { baseline: null, signingKey: null });
      expect(failing(r.items).filter((s) => /is missing: /.test(s))).toHaveLength(4);
    },
  );
});

describe('Git LFS pointers', () => {
  const real = 'the real adapter bytes';
  const pointer = (oid: string, size: number): string =>
    `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;

  it('against a same-named real file: matched or mismatched', async () => {
    const ok = await checkFileIntegrity(
      await caseFilesOf(
        bundle({
          'lfs/adapter.safetensors': pointer(sha256(real), real.length),
          'model/adapter.safetensors': real,
        }),
      ),
      { baseline: null, signingKey: null },
    );
    expect(ok.items[0]).toMatchObject({ status: 'pass', subject: 'model/adapter.safetensors' });
    const bad = await checkFileIntegrity(
      await caseFilesOf(
        bundle({ 'lfs/adapter.safetensors': pointer(sha256('other'), 5), 'model/adapter.safetensors': real }),
      ),
      { baseline: null, signingKey: null },
    );
    expect(bad.status).toBe('fail');
  });

  it.skipIf(withoutShared())('a real pointer with no real file: not analysed, never passed', async () => {
    const cf = await caseFilesOf(
      bundle({
        'adapter_model.safetensors': fx('safetensors/lfs-pointer/mistralxgo-adapter_model.safetensors'),
      }),
    );
    const r = await checkFileIntegrity(cf, { baseline: null, signingKey: null });
    expect(r.status).toBe('not-analysed');
    expect(r.items[0]?.summary).toMatch(/167832240 bytes\); the real file is not in the evidence/);
  });
});

describe('per-tensor digest maps (ollama convert testdata)', () => {
  const names = [
    'blk.30.attn_q.weight.lora_a',
    'blk.30.attn_q.weight.lora_b',
    'blk.30.attn_v.weight.lora_a',
    'blk.30.attn_v.weight.lora_b',
  ];
  const data = Buffer.alloc(4 * 32);
  for (let i = 0; i < data.length; i++) data[i] = i;
  const gguf = ggufBytes({
    kvs: [
      ['general.architecture', { t: 'str', v: 'llama' }],
      ['general.type', { t: 'str', v: 'adapter' }],
      ['adapter.lora.alpha', { t: 'f32', v: 16 }],
    ],
    tensors: names.map((name, i) => ({ name, dims: [8], type: 0, offset: i * 32 })),
    data,
  });

  it.skipIf(withoutShared())(
    'the real discollama map against a GGUF with those names: tensor data differs, metadata compared',
    async () => {
      const cf = await caseFilesOf(
        bundle({
          'adapter/discollama.json': fx('manifests/ollama-discollama-expected-tensor-sha256.json'),
          'adapter/discollama.gguf': gguf,
        }),
      );
      const r = await checkFileIntegrity(cf, { baseline: null, signingKey: null });
      const tensorFails = r.items.filter((i) => i.status === 'fail' && /tensor blk\.30/.test(i.summary));
      expect(tensorFails).toHaveLength(4);
      expect(r.items.find((i) => i.details.key === 'general.architecture')?.status).toBe('pass');
      expect(r.items.find((i) => i.details.key === 'adapter.lora.alpha')?.status).toBe('pass');
      expect(r.items.filter((i) => /blk\.31/.test(i.summary) && /missing/.test(i.summary))).toHaveLength(4);
    },
  );

  it('a map made from the file itself matches', async () => {
    const map = Object.fromEntries(names.map((n, i) => [n, sha256(data.subarray(i * 32, i * 32 + 32))]));
    const cf = await caseFilesOf(bundle({ 'x/expected.json': JSON.stringify(map), 'x/model.gguf': gguf }));
    const r = await checkFileIntegrity(cf, { baseline: null, signingKey: null });
    expect(r.status).toBe('pass');
    expect(r.items.filter((i) => i.status === 'pass')).toHaveLength(4);
  });
});

describe('baseline comparison and nothing to compare', () => {
  it('matched / mismatched / missing / new by path within the model folder', async () => {
    const known = await caseFilesOf(
      bundle({ 'config.json': '{"model_type":"llama"}', 'model.safetensors': 'w', 'tokenizer.json': 't' }),
    );
    const suspect = await caseFilesOf(
      bundle({
        'model/config.json': '{"model_type":"llama"}',
        'model/model.safetensors': 'w2',
        'adapters/x/adapter_config.json': '{}',
      }),
    );
    const r = await checkFileIntegrity(suspect, { baseline: known, signingKey: null });
    expect(r.details.baseline).toEqual({ matched: 1, mismatched: 1, missing: 1, new: 1 });
    expect(failing(r.items)).toEqual([
      expect.stringMatching(
        /^adapters\/x\/adapter_config\.json: not in baseline .* \(new: no known-good value\)$/,
      ),
      expect.stringMatching(/^model\/model\.safetensors: sha256 .* \(mismatched\)$/),
      expect.stringMatching(/^tokenizer\.json: in baseline .* \(missing\)$/),
    ]);
  });

  it('no checksum source and no baseline: not analysed, with the reason', async () => {
    const r = await checkFileIntegrity(await caseFilesOf(bundle({ 'model.safetensors': 'w' })), {
      baseline: null,
      signingKey: null,
    });
    expect(r.status).toBe('not-analysed');
    expect(r.reasons.join(' ')).toMatch(/no checksum source in the evidence/);
  });
});

describe('inspectArtifact name hint', () => {
  it('dispatches on the evidence name when the object path has none', async () => {
    const d = bundle({ 'objects/ab/cdef': '{"foo": 1}' });
    const object = path.join(d, 'objects/ab/cdef');
    expect((await inspectArtifact(object)).kind).toBe('unknown');
    const a = await inspectArtifact(object, 'model/config.json');
    expect(a).toMatchObject({ kind: 'model-config', detectedBy: 'name', file: object });
  });
});
