import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPROMISE_POINTS } from './compromise-points.ts';
import { analyseProvenance, provenanceFindings } from './provenance.ts';
import { chainFromMarkdown, chainFromRecordText } from './provenance-record.ts';
import { parseProvenanceRecord } from './provenance-schema.ts';
import { caseFilesOf, rmrf, sha256, tempDir, writeTree } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const dirs: string[] = [];
afterAll(() => dirs.forEach(rmrf));

const W0 = 'weights as released';
const CFG = '{"model_type":"llama"}';
const h = (s: string): string => sha256(s);

type Out = Record<string, string>;
const step = (stage: string, outputs: Out, inputs?: Out): Record<string, unknown> => ({
  stage,
  description: `${stage} step`,
  performedBy: 'someone',
  performedAt: '2026-01-01T00:00:00Z',
  outputs: Object.entries(outputs).map(([p, c]) => ({ path: p, sha256: h(c) })),
  ...(inputs ? { inputs: Object.entries(inputs).map(([p, c]) => ({ path: p, sha256: h(c) })) } : {}),
});
const record = (steps: Record<string, unknown>[]): string =>
  JSON.stringify({ schema: 'probity.provenance/v1', model: 'org/model', steps });

/** An evidence folder: model/ files plus provenance/provenance.json. */
async function evidence(
  model: Out,
  prov: string,
  provName = 'provenance.json',
): ReturnType<typeof caseFilesOf> {
  const dir = tempDir('probity-prov-');
  dirs.push(dir);
  writeTree(dir, {
    ...Object.fromEntries(Object.entries(model).map(([p, c]) => [`model/${p}`, c])),
    [`provenance/${provName}`]: prov,
  });
  return caseFilesOf(dir);
}

const clean: Out = { 'config.json': CFG, 'model.safetensors': W0 };

describe('provenance records', () => {
  it('validates probity.provenance/v1 with zod and names the first bad field', () => {
    expect(
      parseProvenanceRecord(record([step('base-model', clean)]), 'p.json').steps[0]?.outputs,
    ).toHaveLength(2);
    expect(() =>
      parseProvenanceRecord(
        JSON.stringify({ schema: 'probity.provenance/v1', model: 'm', steps: [{ stage: 'base-model' }] }),
        'p.json',
      ),
    ).toThrow(/p\.json: provenance record: steps\.0\.description/);
    expect(() =>
      parseProvenanceRecord(record([{ ...step('base-model', clean), stage: 'magic' }]), 'p.json'),
    ).toThrow(/steps\.0\.stage/);
    expect(() => parseProvenanceRecord('{"schema":"other"}', 'p.json')).toThrow(/no document with "schema"/);
    const yaml = `schema: probity.provenance/v1\nmodel: m\nsteps:\n  - stage: deployment\n    description: d\n    performedBy: ci\n    performedAt: 2026-01-01T00:00:00Z\n    outputs:\n      - path: a\n        sha256: ${h('a').toUpperCase()}\n`;
    expect(chainFromRecordText(yaml, 'p.yaml').steps[0]?.outputs[0]).toEqual({ path: 'a', sha256: h('a') });
  });

  it.skipIf(withoutShared('seed'))(
    "parses the playbook's own template, printed on one line, into its four stages",
    () => {
      const seed = fs.readFileSync(
        path.resolve(__dirname, '../../../../shared/seed/model-compromise-playbook.txt'),
        'utf8',
      );
      const line = seed.split('\n').find((l) => l.startsWith('## Model Provenance Chain')) ?? '';
      const chain = chainFromMarkdown(line, 'playbook');
      expect(chain.steps.map((s) => s.stage)).toEqual([
        'base-model',
        'fine-tuning',
        'post-processing',
        'deployment',
      ]);
      expect(chain.steps[1]?.title).toBe('微調');
      expect(chain.steps[0]?.fields['Downloaded by']).toBe('[person/system]');
      expect(chain.steps.every((s) => s.outputs.length === 0)).toBe(true);
    },
  );

  it('reads Markdown checksums nested as `path`: `hash`, inline bare hashes, and the verified flag', () => {
    const md = [
      '# x',
      '## Model Provenance Chain',
      '1. **Base model**: org, model, v1',
      '   - Original checksums verified: yes',
      '   - Checksums:',
      `     - \`model.safetensors\`: \`${h(W0)}\``,
      '2. **微調**: run 7',
      `   - Adapter checksum: \`${h('adapter')}\``,
      `   - 輸出 checksums: ${h(W0)}, ${h(CFG)}`,
      '## Next section',
      '1. **Deployment**: not part of the chain',
    ].join('\n');
    const c = chainFromMarkdown(md, 'P.md');
    expect(c.steps.map((s) => s.stage)).toEqual(['base-model', 'fine-tuning']);
    expect(c.steps[0]).toMatchObject({
      originalChecksumsVerified: true,
      outputs: [{ path: 'model.safetensors', sha256: h(W0) }],
    });
    expect(c.steps[1]?.outputs).toEqual([
      { path: null, sha256: h(W0) },
      { path: null, sha256: h(CFG) },
    ]);
    expect(c.steps[1]?.fields['other checksums']).toBe(h('adapter'));
  });
});

describe('compromise point (playbook "Identify the compromise point")', () => {
  const name = (id: string): string => COMPROMISE_POINTS.find((p) => p.id === id)?.name ?? '';

  it('no divergence anywhere: pass, and the findings say so', async () => {
    const r = await analyseProvenance(
      await evidence(
        clean,
        record([step('base-model', clean), step('post-processing', clean), step('deployment', clean)]),
      ),
      null,
    );
    expect(r.status).toBe('pass');
    expect(r.compromise).toBeNull();
    expect(provenanceFindings(r).map((f) => [f.check, f.status])).toEqual([
      ['provenance-chain', 'pass'],
      ['provenance-step', 'not-analysed'],
      ['provenance-step', 'pass'],
      ['provenance-step', 'pass'],
      ['compromise-point', 'pass'],
    ]);
  });

  it.each([
    [
      'fine-tuning',
      'ft',
      [
        step('base-model', clean),
        step('fine-tuning', { ...clean, 'model.safetensors': 'ft' }),
        step('deployment', { ...clean, 'model.safetensors': 'ft' }),
      ],
    ],
    [
      'post-processing',
      'pp',
      [
        step('base-model', clean),
        step('post-processing', { ...clean, 'model.safetensors': 'pp' }),
        step('deployment', { ...clean, 'model.safetensors': 'pp' }),
      ],
    ],
    [
      'deployment',
      'dep',
      [
        step('base-model', clean),
        step('post-processing', clean),
        step('deployment', { ...clean, 'model.safetensors': 'dep' }),
      ],
    ],
    [
      'download',
      W0,
      [
        step('base-model', clean),
        step('fine-tuning', clean, { ...clean, 'model.safetensors': 'swapped' }),
        step('deployment', clean),
      ],
    ],
  ])('%s: the first step whose outputs (or inputs) diverge', async (id, deployedWeights, steps) => {
    const r = await analyseProvenance(
      await evidence({ ...clean, 'model.safetensors': deployedWeights }, record(steps)),
      null,
    );
    expect(r.compromise?.point.name).toBe(name(id));
    expect(r.status).toBe('fail');
    expect(r.runtime?.changed).toEqual([]);
  });

  it('runtime: the evidence differs from what the deployment recorded', async () => {
    const r = await analyseProvenance(
      await evidence(
        { ...clean, 'model.safetensors': 'patched on the host' },
        record([step('base-model', clean), step('deployment', clean)]),
      ),
      null,
    );
    expect(r.compromise).toMatchObject({ at: 'runtime', point: { name: name('runtime') } });
    expect(r.compromise?.reasons[0]).toMatch(/^model\.safetensors: /);
  });

  it('a chain that stops before deployment: a deployed copy that differs is a deployment compromise', async () => {
    const r = await analyseProvenance(
      await evidence(
        { ...clean, 'model.safetensors': 'x' },
        record([step('base-model', clean), step('post-processing', clean)]),
      ),
      null,
    );
    expect(r.compromise?.point.name).toBe(name('deployment'));
  });

  it('base model vs the provider release (--baseline): provider compromise, or download tampering once verified', async () => {
    const source = await evidence(
      { ...clean, 'model.safetensors': 'what the provider published' },
      record([step('base-model', clean)]),
    );
    const ours = await evidence(clean, record([step('base-model', clean), step('deployment', clean)]));
    expect((await analyseProvenance(ours, source)).compromise?.point.name).toBe(name('provider'));
    const md = [
      '## Model Provenance Chain',
      '1. **Base model**: org/model',
      '   - Original checksums verified: yes',
      '   - Checksums:',
      ...Object.entries(clean).map(([p, c]) => `     - \`${p}\`: \`${h(c)}\``),
    ].join('\n');
    const verified = await evidence(clean, md, 'PROVENANCE.md');
    const r = await analyseProvenance(verified, source);
    expect(r.chain?.format).toBe('markdown');
    expect(r.compromise?.point).toMatchObject({
      name: name('download'),
      indicators: 'Checksums match source but not your stored copy',
    });
    expect(r.steps[0]?.outputs.find((o) => o.path === 'model.safetensors')).toMatchObject({
      evidence: 'matched',
      baseline: 'mismatched',
    });
  });

  it('no record: not analysed; an unreadable record is named', async () => {
    const r = await analyseProvenance(await evidence(clean, '{"schema":"probity.provenance/v1"}'), null);
    expect(r.status).toBe('not-analysed');
    expect(r.unreadable[0]).toMatch(/^provenance\/provenance\.json: provenance record: model/);
  });
});
