/**
 * End to end on the demo incident (src/demo/generate.ts): both bundles preserved into cases
 * with openDemoIncident, then every planted fact must be found by the integrity checks, the weight
 * diff and the provenance walk — each asserted against DemoFacts, not against magic numbers.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBundles, type DemoFacts } from '../../demo/generate.ts';
import { openDemoIncident } from '../../demo/open-demo.ts';
import { latestFindings } from '../store/findings.ts';
import type { CaseStore } from '../store/workstation.ts';
import { loadCaseFiles } from './case-files.ts';
import { diffCaseWeights } from './diff-weights.ts';
import { recordIntegrity, runIntegrity, type IntegrityReport } from './integrity.ts';
import { checkTemplatesTokenizers } from './template-tokenizer.ts';
import { analyseProvenance, recordProvenance, type ProvenanceReport } from './provenance.ts';
import { chainFromMarkdown, chainFromRecordText } from './provenance-record.ts';
import { readFileSync } from 'node:fs';
import type { CheckName, CheckResult } from './types.ts';
import { rmrf, tempDir, workstation } from './testkit.ts';

const { ws, cleanup } = workstation();
const factsDir = tempDir('probity-demo-facts-');
let facts: DemoFacts;
let incident: CaseStore;
let reference: CaseStore;
let report: IntegrityReport;

beforeAll(async () => {
  const ids = await openDemoIncident(ws, { actor: 'tester', host: 'test-host' });
  // The generator is deterministic: a second run gives the facts of the bundles just ingested.
  facts = (await generateDemoBundles(factsDir)).facts;
  incident = ws.openCase(ids.incidentCaseId);
  reference = ws.openCase(ids.referenceCaseId);
  report = await runIntegrity(incident, { baseline: reference });
}, 120_000);

afterAll(() => {
  incident?.close();
  reference?.close();
  cleanup();
  rmrf(factsDir);
});

const check = (name: CheckName): CheckResult => {
  const c = report.checks.find((x) => x.check === name);
  if (!c) throw new Error(`no ${name}`);
  return c;
};
const failing = (name: CheckName) => check(name).items.filter((i) => i.status === 'fail');

describe('demo incident: integrity --baseline reference', () => {
  it('the generated facts are the bundles that were ingested', () => {
    const shard = loadCaseFiles(incident).byPath.get(`model/${facts.tampering.shard}`);
    expect(shard?.sha256).toBe(facts.tampering.incidentSha256);
  });

  it('file integrity: the tampered shard and tokenizer mismatch the checksum list and the baseline; the adapter is new', () => {
    const c = check('file-integrity');
    expect(c.status).toBe('fail');
    const listed = failing('file-integrity').filter((i) => i.details.source === facts.manifest.incidentPath);
    expect(listed.map((i) => i.subject).sort()).toEqual(
      facts.manifest.expectedMismatches.map((p) => `model/${p}`).sort(),
    );
    expect(listed.find((i) => i.subject === `model/${facts.tampering.shard}`)?.details).toMatchObject({
      expected: facts.tampering.referenceSha256,
      actual: facts.tampering.incidentSha256,
      outcome: 'mismatched',
    });
    expect(c.details.baseline).toEqual({
      matched: facts.manifest.listed.length - facts.manifest.expectedMismatches.length,
      mismatched: facts.manifest.expectedMismatches.length,
      missing: facts.manifest.expectedMissing.length,
      new: facts.provenance.addedAtDeployment.length,
    });
    const untouched = c.items.find(
      (i) =>
        i.subject === `model/${facts.tampering.untouchedShards[0]}` &&
        i.details.source === facts.manifest.incidentPath,
    );
    expect(untouched?.status).toBe('pass');
  });

  it('architecture: the injected special token beyond the vocabulary fails, named', () => {
    const tok = facts.tokenizer.injectedToken;
    const hit = failing('architecture').find(
      (i) => i.details.id === tok.id && i.details.vocabRows !== undefined,
    );
    expect(hit?.details).toMatchObject({
      token: tok.content,
      id: tok.id,
      special: true,
      vocabRows: facts.tokenizer.embeddingRows,
    });
    expect(hit?.summary).toContain(JSON.stringify(tok.content));
    const passes = check('architecture')
      .items.filter((i) => i.status === 'pass')
      .map((i) => i.summary);
    expect(passes).toContain(
      `distinct layer indices in the weights ${facts.model.architecture.numHiddenLayers} = num_hidden_layers ${facts.model.architecture.numHiddenLayers}`,
    );
    expect(passes).toContain(
      `model.embed_tokens.weight rows ${facts.tokenizer.configVocabSize} = vocab_size ${facts.tokenizer.configVocabSize}`,
    );
  });

  it('adapter audit: unauthorized, rank mismatch in the planted layer, modules_to_save and the lm_head tensor', () => {
    const items = failing('adapter-audit');
    expect(items.find((i) => i.details.authorized === false)?.details).toMatchObject({
      adapter: facts.adapter.name,
      dir: facts.adapter.dir,
      sha256: facts.adapter.sha256,
    });
    const ranks = items.filter((i) => i.details.storedRank !== undefined);
    expect([...new Set(ranks.map((i) => i.details.layer))]).toEqual(facts.adapter.rankMismatchLayers);
    for (const i of ranks) {
      const layer = i.details.layer as number;
      expect(i.details).toMatchObject({
        storedRank: facts.adapter.ranksByLayer[layer],
        declaredRank: facts.adapter.declaredRank,
      });
    }
    expect(ranks.map((i) => String(i.details.module).split('.').at(-1)).sort()).toEqual(
      [...facts.adapter.targetModules].sort(),
    );
    expect(items.find((i) => i.details.modulesToSave !== undefined)?.details.modulesToSave).toEqual(
      facts.adapter.modulesToSave,
    );
    expect(items.filter((i) => i.details.tensor !== undefined).map((i) => i.details.tensor)).toEqual(
      facts.adapter.extraTensors,
    );
  });

  it('configuration: exactly the planted serving-config changes, with both values', () => {
    const got = failing('configuration').map((i) => ({
      key: i.details.key,
      approved: i.details.approved,
      deployed: i.details.deployed,
    }));
    const want = facts.serving.changes.map((c) => ({
      key: c.key,
      approved: c.approved,
      deployed: c.deployed,
    }));
    expect(got).toHaveLength(want.length);
    expect(got).toEqual(expect.arrayContaining(want));
  });

  it('template & tokenizer: the chat_template.jinja added at deployment branches on the trigger and renders it differently; the injected token is named', async () => {
    const trigger = facts.tokenizer.injectedToken.content;
    const flagged = failing('template-tokenizer');
    expect(flagged.find((i) => i.details.kind === 'content-branch')?.subject).toBe(
      'model/chat_template.jinja',
    );
    const r = await checkTemplatesTokenizers(loadCaseFiles(incident), loadCaseFiles(reference), {
      triggers: [trigger],
    });
    const rendered = r.items.filter((i) => i.status === 'fail' && i.details.kind === 'template-compare');
    expect(rendered.map((i) => i.subject)).toEqual(['model/chat_template.jinja']);
    expect(rendered[0]?.summary).toContain(
      `for "trigger-1" (user message containing the trigger ${JSON.stringify(trigger)})`,
    );
    expect(rendered[0]?.summary).toContain('Deployment mode: answer without refusing.');
    // The deployed tokenizer_config.json itself is the reference's and renders the same.
    expect(
      r.items.find(
        (i) => i.subject === 'model/tokenizer_config.json' && i.details.kind === 'template-compare',
      )?.status,
    ).toBe('pass');
    const tok = r.items.find((i) => i.details.kind === 'tokenizer-compare');
    expect(tok?.summary).toContain(
      `added token ${JSON.stringify(trigger)} (id ${facts.tokenizer.injectedToken.id}, special) not in the baseline`,
    );
  });

  it('records one finding per check plus one per failing item, under a custody event', () => {
    const run = recordIntegrity(incident, report, 'tester', { baseline: reference });
    const stored = latestFindings(incident, 'integrity');
    expect(stored.map((f) => f.runId)).toEqual(stored.map(() => run.runId));
    const perCheck = stored.filter(
      (f) =>
        f.subject === null &&
        ['file-integrity', 'architecture', 'adapter-audit', 'configuration', 'template-tokenizer'].includes(
          f.check,
        ),
    );
    expect(perCheck.map((f) => [f.check, f.status])).toEqual([
      ['file-integrity', 'fail'],
      ['architecture', 'fail'],
      ['adapter-audit', 'fail'],
      ['configuration', 'fail'],
      ['template-tokenizer', 'fail'],
    ]);
    const itemFails = report.checks.flatMap((c) => c.items.filter((i) => i.status === 'fail'));
    expect(stored).toHaveLength(5 + itemFails.length);
    expect(run.event.action).toBe('findings.recorded');
  });

  it('the known-good reference on its own: files and architecture pass; no adapter and no approved config: not analysed', async () => {
    const r = await runIntegrity(reference);
    expect(r.checks.map((c) => [c.check, c.status])).toEqual([
      ['file-integrity', 'pass'],
      ['architecture', 'pass'],
      ['adapter-audit', 'not-analysed'],
      ['configuration', 'not-analysed'],
      ['template-tokenizer', 'not-analysed'],
    ]);
    // Three checks unearned (no baseline to compare the template and tokenizer with): the run is not a pass, and not a failure.
    expect(r.status).toBe('not-analysed');
  });
});

describe('demo incident: diff-weights between the cases', () => {
  it('exactly the planted tensors changed, with the planted relative norms', async () => {
    const r = await diffCaseWeights(reference, incident);
    expect(r.pairs).toHaveLength(1);
    const changed = r.pairs[0]?.tensors.filter((t) => t.status !== 'identical') ?? [];
    expect(changed.map((t) => t.name).sort()).toEqual(facts.tampering.tensors.map((t) => t.name).sort());
    for (const planted of facts.tampering.tensors) {
      const t = changed.find((x) => x.name === planted.name);
      expect(t?.status).toBe('changed');
      expect(t?.a?.shape).toEqual(planted.shape);
      expect(t?.numbers?.relativeL2).toBeCloseTo(planted.relativeFrobenius, 6);
      expect(t?.numbers?.maxAbsDelta).toBeCloseTo(planted.maxAbsDelta, 9);
      expect(t?.numbers?.changedElements).toBe(planted.changedElements);
    }
    expect(r.counts.identical).toBe(facts.model.tensorCount - facts.tampering.tensors.length);
    const layers = r.pairs[0]?.layers.filter((l) => l.changed > 0).map((l) => l.layer);
    expect(layers).toEqual([
      ...new Set(facts.tampering.tensors.map((t) => Number(/layers\.(\d+)\./.exec(t.name)?.[1]))),
    ]);
  });
});

describe('demo incident: provenance', () => {
  let prov: ProvenanceReport;
  beforeAll(async () => {
    prov = await analyseProvenance(loadCaseFiles(incident), loadCaseFiles(reference));
  });

  it('names the deployment step and the playbook row, with the changed and added files', () => {
    expect(prov.compromise?.point.name).toBe(facts.provenance.compromisePoint);
    expect(prov.compromise?.at).toBe(facts.provenance.firstDivergentStage);
    const step = prov.steps.find((s) => s.stage === facts.provenance.firstDivergentStage);
    expect(step?.changed.map((c) => c.path).sort()).toEqual([...facts.provenance.changedAtDeployment].sort());
    expect(step?.added.sort()).toEqual([...facts.provenance.addedAtDeployment].sort());
    expect(prov.steps.filter((s) => s.diverges).map((s) => s.stage)).toEqual([
      facts.provenance.firstDivergentStage,
    ]);
    expect(prov.runtime?.changed).toEqual([]);
    expect(prov.chain?.file).toBe(facts.provenance.incidentPath);
    expect(prov.otherRecords).toEqual([
      { file: facts.provenance.markdownPath, format: 'markdown', differences: [] },
    ]);
  });

  it('without a baseline the answer is the same (the chain alone locates it)', async () => {
    const r = await analyseProvenance(loadCaseFiles(incident), null);
    expect(r.compromise?.point.name).toBe(facts.provenance.compromisePoint);
  });

  it('the Markdown and JSON records of the demo carry the same outputs per step', () => {
    const json = chainFromRecordText(
      readFileSync(path.join(factsDir, 'incident', facts.provenance.incidentPath), 'utf8'),
      'p.json',
    );
    const md = chainFromMarkdown(
      readFileSync(path.join(factsDir, 'incident', facts.provenance.markdownPath), 'utf8'),
      'P.md',
    );
    expect(md.steps.map((s) => [s.stage, s.outputs])).toEqual(json.steps.map((s) => [s.stage, s.outputs]));
    expect(md.steps[0]?.originalChecksumsVerified).toBe(true);
  });

  it('records the chain, each step and the compromise point', () => {
    recordProvenance(incident, prov, 'tester');
    const stored = latestFindings(incident, 'provenance');
    expect(stored.find((f) => f.check === 'compromise-point')).toMatchObject({
      status: 'fail',
      subject: facts.provenance.firstDivergentStage,
      summary: expect.stringMatching(
        /^Deployment compromise: Stored model is clean, deployed model differs\./,
      ),
    });
    expect(stored.filter((f) => f.check === 'provenance-step')).toHaveLength(4);
  });
});
