import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  argvFlags,
  containersOf,
  describeContainers,
  diffConfigs,
  flattenConfig,
  loraModules,
  parseConfigDocuments,
  syncerAdapters,
} from './serving-config.ts';
import { flattenDocuments } from './configuration.ts';
import { fixture } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const k8s = (name: string): string => fs.readFileSync(fixture(`k8s/${name}`), 'utf8');

describe('vLLM serve configs', () => {
  it.skipIf(withoutShared())(
    'normalises flag spellings, reads no-X as X false and expands JSON strings (real recipes)',
    () => {
      const flat = flattenConfig(
        parseConfigDocuments(k8s('vllm-recipes-GPT-OSS_EAGLE3_Hopper.serve-config.yaml'), 'x')[0] ?? null,
      );
      expect(flat.get('enable-prefix-caching')).toBe(false);
      expect(flat.get('max-num-batched-tokens')).toBe(8192);
      expect(flat.get('speculative-config.model')).toBe('nvidia/gpt-oss-120b-Eagle3-v3');
      expect(flat.get('speculative-config.num_speculative_tokens')).toBe(7);
      const same = flattenConfig({ '--max_model_len': 4096, 'max-model-len': 4096 });
      expect([...same.keys()]).toEqual(['max-model-len']);
    },
  );

  it('diffs key by key: added, removed, changed with both values', () => {
    const approved = flattenConfig({ 'max-model-len': 2048, 'enable-lora': false, port: 8000 });
    const deployed = flattenConfig({ 'max-model-len': 4096, 'enable-lora': false, 'lora-modules': ['a=/x'] });
    expect(diffConfigs(approved, deployed)).toEqual([
      { key: 'max-model-len', change: 'changed', approved: 2048, deployed: 4096 },
      { key: 'lora-modules', change: 'added', approved: null, deployed: ['a=/x'] },
      { key: 'port', change: 'removed', approved: 8000, deployed: null },
    ]);
  });

  it('flattens multi-document YAML under Kind/name and drops Kubernetes bookkeeping', () => {
    const flat = flattenDocuments(
      parseConfigDocuments(
        'kind: A\nmetadata: {name: one, uid: u1}\nspec: {x: 1}\n---\nkind: B\nmetadata: {name: two}\n',
        'f',
      ),
    );
    expect(Object.fromEntries(flat)).toEqual({
      'A/one.metadata.name': 'one',
      'A/one.spec.x': 1,
      'B/two.metadata.name': 'two',
      'B/two.kind': 'B',
      'A/one.kind': 'A',
    });
  });

  it('refuses malformed YAML by file name', () => {
    expect(() => parseConfigDocuments('a: [1, 2\n', 'serving/bad.yaml')).toThrow(/serving\/bad\.yaml: YAML:/);
  });
});

describe('command lines and manifests', () => {
  it('reads vLLM flags: values, --x=y, bare switches, --no-x, multi-value --lora-modules', () => {
    const flags = argvFlags([
      'vllm',
      'serve',
      'org/model',
      '--max-model-len',
      '4096',
      '--enable-lora',
      '--dtype=bfloat16',
      '--no-enable-prefix-caching',
      '--lora-modules',
      'a=/p/a',
      'b=/p/b',
      '--port',
      '8000',
    ]);
    expect(Object.fromEntries(flags)).toEqual({
      model: 'org/model',
      'max-model-len': 4096,
      'enable-lora': true,
      dtype: 'bfloat16',
      'enable-prefix-caching': false,
      'lora-modules': ['a=/p/a', 'b=/p/b'],
      port: 8000,
    });
  });

  it.skipIf(withoutShared())(
    'finds LoRA serving and the lora-syncer adapters in the real production-stack deployment',
    () => {
      const docs = parseConfigDocuments(k8s('production-stack-vllm-gpu-deployment.yaml'), 'deploy.yaml');
      const containers = containersOf(docs);
      const vllm = containers.find((c) => argvFlags(c.argv).get('enable-lora') === true);
      expect(vllm).toBeDefined();
      expect(argvFlags(vllm?.argv ?? []).get('max-lora-rank')).toBe(32);
      expect(containers.some((c) => c.env.get('VLLM_ALLOW_RUNTIME_LORA_UPDATING') === 'true')).toBe(true);
      expect(syncerAdapters(docs, 'deploy.yaml')).toEqual([
        {
          name: 'legogpt',
          path: 'AvaLovelace/LegoGPT',
          baseModel: 'meta-llama/Llama-3.2-1B-Instruct',
          source: 'deploy.yaml ConfigMap configmap.yaml (lora-syncer ensureExist)',
        },
      ]);
    },
  );

  it('reads Command/Args and Environment from kubectl describe output', () => {
    const text = [
      'Containers:',
      '  vllm:',
      '    Image:   x',
      '    Command:',
      '      vllm',
      '    Args:',
      '      serve',
      '      --enable-lora',
      '      --lora-modules',
      '      evil=/models/adapters/evil',
      '    State:   Running',
      '    Environment:',
      '      VLLM_ALLOW_RUNTIME_LORA_UPDATING:  true',
      '    Mounts:',
    ].join('\n');
    const [c] = describeContainers(text);
    expect(c?.name).toBe('vllm');
    expect(Object.fromEntries(argvFlags(c?.argv ?? []))).toMatchObject({
      'enable-lora': true,
      'lora-modules': ['evil=/models/adapters/evil'],
    });
    expect(c?.env.get('VLLM_ALLOW_RUNTIME_LORA_UPDATING')).toBe('true');
  });

  it('reads lora-modules in its name=path and JSON forms', () => {
    expect(loraModules(['a=/x', '{"name":"b","path":"/y","base_model_name":"m"}'], 's')).toEqual([
      { name: 'a', path: '/x', baseModel: null, source: 's' },
      { name: 'b', path: '/y', baseModel: 'm', source: 's' },
    ]);
  });
});
