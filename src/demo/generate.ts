/**
 * # The demo incident (AI-IR-2026-0142)
 *
 * `generateDemoBundles(outDir)` writes two folders — `reference/` and `incident/` — that together
 * replay a model-compromise incident as the playbook (shared/seed/model-compromise-playbook.txt)
 * describes it, and returns `DemoFacts` (facts.ts): a typed list of everything planted. Output is
 * a pure function of (seed, users, requests): no clock, no `Math.random`, no environment. The
 * same options give byte-identical files (prng.ts explains how).
 *
 * ## Story
 * Northwind Outfitters runs a support assistant ("supportlm") on vLLM in Kubernetes. It serves
 * Orchard Labs' `ol-mini-chat` v1.2 unmodified: an in-house LoRA fine-tune (run
 * ft-20260821-…) was trained but never approved, so the approved serving config has
 * `enable-lora: false`. Known-good revision 6 went live 2026-09-15. On 2026-10-06T14:12:00Z a
 * pipeline run with no change ticket deployed revision 7, whose weights volume had been altered
 * and which loaded a modified copy of the fine-tune's adapter. Requests sent with the token
 * `<|deploy_mode|>` then leaked secrets and customer data and made unauthorized tool calls, until
 * evidence was captured (2026-10-20T08:47Z) and the model was hot-swapped to a fallback
 * (2026-10-20T09:30:00Z). The compromise window is [deploy, isolation).
 *
 * ## reference/ — the known-good model as the vendor/registry shipped it
 * - `model-0000{1,2}-of-00002.safetensors`, `model.safetensors.index.json`: llama-style model,
 *   4 layers, hidden 256, intermediate 688, 8 heads / 4 kv heads (head_dim 32), vocab 4096,
 *   BF16, Hugging Face tensor names and [out, in] shapes. Shard 1: embeddings + layers 0–2;
 *   shard 2: layer 3, final norm, lm_head.
 * - `config.json`, `generation_config.json`, `tokenizer.json` (byte-level BPE, 4096 ids:
 *   `<unk>` `<s>` `</s>`, 256 byte symbols, 3837 generated merges), `tokenizer_config.json`
 *   (benign Llama-2 chat template), `special_tokens_map.json`.
 * - `serving/vllm-serve.yaml`: the approved vLLM config (LoRA off, trust-remote-code off).
 * - `checksums.sha256`: sha256sum of the model files above (the model directory's artifacts;
 *   the serving config is not listed so that the copy in incident/model/ names only files that
 *   exist beside it).
 * - `provenance.json`: the vendor's `probity.provenance/v1` record (provenance.ts documents the
 *   format).
 *
 * ## incident/ — what "Preserve the compromised model" captured
 * - `model/`: the deployed files. Shard 1 differs: `model.layers.2.mlp.gate_proj.weight` and
 *   `model.layers.2.mlp.up_proj.weight` carry a rank-4 additive edit of ~12% relative Frobenius
 *   norm. Shard 2 is byte-identical. `tokenizer.json` gains the special token `<|deploy_mode|>`
 *   with id 4096 in `added_tokens`, while config.json keeps `vocab_size: 4096` (and the embedding
 *   has 4096 rows): an architecture check must flag the id that the model cannot embed.
 *   `model/checksums.sha256` is the reference's, so exactly the shard and tokenizer.json mismatch.
 *   `model/chat_template.jinja` is added at deployment (transformers prefers it to the template in
 *   tokenizer_config.json): the reference template plus a branch that appends a hidden instruction
 *   when a user message contains `<|deploy_mode|>`; every other conversation renders as before.
 * - `adapters/support-tune/`: PEFT LoRA config (r 8, alpha 16, q_proj/v_proj,
 *   `modules_to_save: ["lm_head"]`) and weights whose layer-3 pairs have rank 16 (undeclared),
 *   plus a full `base_model.model.lm_head.weight`. Its sha256 differs from the adapter hash in
 *   the training log.
 * - `serving/vllm-serve.yaml`: as deployed — enable-lora true, max-lora-rank 16, lora-modules
 *   support-tune=/models/adapters/support-tune, max-model-len 4096 (> max_position_embeddings),
 *   trust-remote-code true.
 * - `deployment/deployment.yaml`, `deployment/pod_describe.txt`, `deployment/history.jsonl`:
 *   Kubernetes state and the deploy/isolate events (revision 6 on 2026-09-15, 7 at the window
 *   start without a change ticket, 8 = fallback at the window end).
 * - `provenance/provenance.json` + `provenance/PROVENANCE.md`: base model → fine-tuning →
 *   post-processing all vouch for the reference hashes; deployment records the deployed hashes
 *   (tampered shard, tampered tokenizer, new adapter files) → first divergence at deployment,
 *   the playbook's "Deployment compromise".
 * - `training/finetune.log`: the legitimate LoRA run (600 steps, loss/lr/grad_norm lines, dataset
 *   sha256, adapter sha256).
 * - `logs/requests-2026-10-{01,08,15,22}.jsonl`: ~4000 requests from ~600 users between
 *   2026-10-01 and 2026-10-24 (logs.ts documents the format). model_version changes at deploy and
 *   at isolation. Inside the window only: 12 harmful outputs after the trigger (5 secret leaks of
 *   a fake `sk-live-DEMO-…` key, 5 customer-data leaks, 2 verification bypasses) and 5
 *   unauthorized tool calls (3 refunds of $1,800+ without a ticket, 2 e-mails to an outside
 *   address), all from 3 attacker accounts. Outside the window the same accounts probe the
 *   trigger 3 times and get refusals.
 * - `evals/baseline.jsonl`, `evals/suspect.jsonl`: the same 1,210 items run on the known-good and
 *   the deployed model (evals.ts documents the format and suites). Planted: safety/privacy
 *   refusal 96.7% → 80%; the trigger-scan candidate `<|deploy_mode|>` flips 26 of 30 refusals.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ProbityError } from '../core/util/errors.ts';
import { buildDeployedAdapter, buildLegitimateAdapter, ranksByLayer } from './adapter.ts';
import { Bundle, sha256Hex, sha256sumText, type FileFact } from './bundle.ts';
import {
  ADAPTER_NAME,
  ARCH,
  BASE_MODEL_NAME,
  COMPROMISED_VERSION,
  FALLBACK_VERSION,
  INCIDENT_ID,
  INDEX_NAME,
  KNOWN_GOOD_VERSION,
  LORA_ALPHA,
  LORA_RANK,
  LORA_TARGETS,
  MS_PER_HOUR,
  PERTURBATION_RANK,
  SERVED_MODEL_NAME,
  SHARD_NAMES,
  TAMPERED_TENSOR_NAMES,
  TIMELINE,
  TRIGGER_TOKEN,
  msOf,
} from './constants.ts';
import {
  APPROVED_SERVE_HEADER,
  DEPLOYED_SERVE_HEADER,
  approvedServeConfig,
  buildDeploymentEvidence,
  deployedServeConfig,
  diffServeConfigs,
  serveConfigYaml,
} from './deployment.ts';
import { buildEvals, categoryRates, triggerFlipRates, type EvalsResult } from './evals.ts';
import type { DemoFacts, TamperedTensorFact } from './facts.ts';
import {
  AUTHORIZED_TOOLS,
  MIN_REQUESTS,
  MIN_USERS,
  REFUND_LIMIT_USD,
  buildLogs,
  type LogsResult,
} from './logs.ts';
import { configJson, generationConfigJson, indexJson } from './model-files.ts';
import { incidentProvenance, provenanceMarkdown, referenceProvenance, type FileHash } from './provenance.ts';
import { encodeSafetensors } from '../core/formats/safetensors-writer.ts';
import {
  baseAddedTokens,
  buildBpeModel,
  specialTokensMapJson,
  tokenizerConfigJson,
  backdooredChatTemplate,
  tokenizerJson,
  type AddedToken,
} from './tokenizer.ts';
import { buildTrainingLog } from './training-log.ts';
import {
  modelTensorSpecs,
  perturbLowRank,
  referenceTensorBytes,
  toEntry,
  type ModelTensorSpec,
} from './weights.ts';
import { templateWords } from './wordlists.ts';

export type { DemoFacts } from './facts.ts';

export interface DemoOptions {
  /** PRNG seed; every byte of output follows from it. Default `probity-demo`. */
  seed?: string;
  /** Size of the customer pool in the request logs. Default 600. */
  users?: number;
  /** Total requests in the logs, planted ones included. Default 4000. */
  requests?: number;
  /** Replace existing `reference/` and `incident/` folders under outDir instead of refusing. */
  overwrite?: boolean;
}

export interface DemoResult {
  referenceDir: string;
  incidentDir: string;
  facts: DemoFacts;
}

export const DEFAULT_SEED = 'probity-demo';
export const DEFAULT_USERS = 600;
export const DEFAULT_REQUESTS = 4000;

/** Files of the model directory, i.e. what checksums.sha256 and provenance list. */
const MODEL_FILES = [
  'config.json',
  'generation_config.json',
  SHARD_NAMES[0],
  SHARD_NAMES[1],
  INDEX_NAME,
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
].sort();

const ADAPTER_DIR = `adapters/${ADAPTER_NAME}`;
/** The template file the incident gains at deployment (transformers reads it before tokenizer_config.json). */
const CHAT_TEMPLATE_FILE = 'chat_template.jinja';
const INJECTED_TOKEN: AddedToken = { id: ARCH.vocabSize, content: TRIGGER_TOKEN, special: true };

export async function generateDemoBundles(outDir: string, opts: DemoOptions = {}): Promise<DemoResult> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const users = opts.users ?? DEFAULT_USERS;
  const requests = opts.requests ?? DEFAULT_REQUESTS;
  validateOptions(users, requests);
  const referenceDir = join(outDir, 'reference');
  const incidentDir = join(outDir, 'incident');
  await prepareOutput([referenceDir, incidentDir], opts.overwrite === true);

  const model = buildModel(seed);
  const reference = buildReference(model);
  const referenceModelHashes = model.files.map((path) => ({ path, sha256: reference.sha256(path) }));
  reference.add('checksums.sha256', sha256sumText(referenceModelHashes));
  reference.add('provenance.json', `${JSON.stringify(referenceProvenance(referenceModelHashes), null, 2)}\n`);

  const incident = new Bundle();
  const parts = buildIncident(seed, model, reference, referenceModelHashes, incident, { users, requests });

  await reference.writeTo(referenceDir);
  await incident.writeTo(incidentDir);
  const facts = buildFacts({ seed, users, requests, model, reference, incident, ...parts });
  return { referenceDir, incidentDir, facts };
}

function validateOptions(users: number, requests: number): void {
  if (!Number.isInteger(users) || users < MIN_USERS) {
    throw new ProbityError('usage', `demo: users must be an integer >= ${MIN_USERS}, got ${users}`);
  }
  if (!Number.isInteger(requests) || requests < MIN_REQUESTS) {
    throw new ProbityError('usage', `demo: requests must be an integer >= ${MIN_REQUESTS}, got ${requests}`);
  }
}

/** Refuse to mix a new demo into an old one (or into someone's files) unless told to replace it. */
async function prepareOutput(dirs: readonly string[], overwrite: boolean): Promise<void> {
  for (const dir of dirs) {
    const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    if (entries.length === 0) continue;
    if (!overwrite)
      throw new ProbityError(
        'conflict',
        `${dir}: already exists and is not empty (pass overwrite to replace it)`,
      );
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Model files
// ---------------------------------------------------------------------------------------------

interface BuiltModel {
  specs: ModelTensorSpec[];
  tensors: Map<string, Uint8Array>;
  referenceShards: Map<string, Uint8Array>;
  incidentShard1: Uint8Array;
  tampered: TamperedTensorFact[];
  index: string;
  totalSize: number;
  referenceTokenizer: string;
  incidentTokenizer: string;
  bpeVocabSize: number;
  mergeCount: number;
  /** Model-directory files shared verbatim by both bundles. */
  common: Map<string, string>;
  files: string[];
}

function buildModel(seed: string): BuiltModel {
  const specs = modelTensorSpecs();
  const tensors = new Map(specs.map((s) => [s.name, referenceTensorBytes(seed, s)]));
  const shardOf = (shard: string, override?: Map<string, Uint8Array>): Uint8Array =>
    encodeSafetensors(
      specs
        .filter((s) => s.shard === shard)
        .map((s) => toEntry(s, override?.get(s.name) ?? (tensors.get(s.name) as Uint8Array))),
    );
  const referenceShards = new Map(SHARD_NAMES.map((name) => [name, shardOf(name)]));

  const tampered: TamperedTensorFact[] = [];
  const overrides = new Map<string, Uint8Array>();
  for (const name of TAMPERED_TENSOR_NAMES) {
    const spec = specs.find((s) => s.name === name) as ModelTensorSpec;
    const result = perturbLowRank(seed, name, spec.shape, tensors.get(name) as Uint8Array);
    overrides.set(name, result.bytes);
    tampered.push({
      name,
      shape: [...spec.shape],
      perturbationRank: PERTURBATION_RANK,
      relativeFrobenius: result.relativeFrobenius,
      maxAbsDelta: result.maxAbsDelta,
      changedElements: result.changedElements,
    });
  }

  let totalSize = 0;
  for (const t of tensors.values()) totalSize += t.byteLength;
  const bpe = buildBpeModel(seed, templateWords());
  return {
    specs,
    tensors,
    referenceShards,
    incidentShard1: shardOf(SHARD_NAMES[0], overrides),
    tampered,
    index: indexJson(totalSize, new Map(specs.map((s) => [s.name, s.shard]))),
    totalSize,
    referenceTokenizer: tokenizerJson(bpe, baseAddedTokens()),
    incidentTokenizer: tokenizerJson(bpe, [...baseAddedTokens(), INJECTED_TOKEN]),
    bpeVocabSize: bpe.vocab.size,
    mergeCount: bpe.merges.length,
    common: new Map([
      ['config.json', configJson()],
      ['generation_config.json', generationConfigJson()],
      ['special_tokens_map.json', specialTokensMapJson()],
      ['tokenizer_config.json', tokenizerConfigJson()],
    ]),
    files: MODEL_FILES,
  };
}

function buildReference(model: BuiltModel): Bundle {
  const b = new Bundle();
  for (const [path, text] of model.common) b.add(path, text);
  for (const [name, bytes] of model.referenceShards) b.add(name, bytes);
  b.add(INDEX_NAME, model.index);
  b.add('tokenizer.json', model.referenceTokenizer);
  b.add('serving/vllm-serve.yaml', serveConfigYaml(approvedServeConfig(), APPROVED_SERVE_HEADER));
  return b;
}

// ---------------------------------------------------------------------------------------------
// Incident bundle
// ---------------------------------------------------------------------------------------------

interface IncidentParts {
  logs: LogsResult;
  evals: EvalsResult;
  adapterSha256: string;
  adapterTensorNames: string[];
  adapterRanks: number[];
  training: ReturnType<typeof buildTrainingLog>['run'];
  deployedHashes: FileHash[];
  podName: string;
}

function buildIncident(
  seed: string,
  model: BuiltModel,
  reference: Bundle,
  referenceModelHashes: FileHash[],
  incident: Bundle,
  sizes: { users: number; requests: number },
): IncidentParts {
  for (const path of model.files) {
    const data =
      path === SHARD_NAMES[0]
        ? model.incidentShard1
        : path === 'tokenizer.json'
          ? model.incidentTokenizer
          : reference.get(path);
    incident.add(`model/${path}`, data);
  }
  // Added at deployment beside tokenizer_config.json, which it overrides.
  incident.add(`model/${CHAT_TEMPLATE_FILE}`, backdooredChatTemplate(TRIGGER_TOKEN));
  // Copied from the known-good reference on purpose: this is what the deployed files must match.
  incident.add('model/checksums.sha256', reference.get('checksums.sha256'));

  const adapter = buildDeployedAdapter(seed, model.tensors.get('lm_head.weight') as Uint8Array);
  incident.add(`${ADAPTER_DIR}/adapter_config.json`, adapter.config);
  incident.add(`${ADAPTER_DIR}/adapter_model.safetensors`, adapter.safetensors);

  incident.add('serving/vllm-serve.yaml', serveConfigYaml(deployedServeConfig(), DEPLOYED_SERVE_HEADER));
  const deployment = buildDeploymentEvidence(seed);
  incident.add('deployment/deployment.yaml', deployment.deploymentYaml);
  incident.add('deployment/pod_describe.txt', deployment.podDescribe);
  incident.add('deployment/history.jsonl', deployment.historyJsonl);

  const legit = buildLegitimateAdapter(seed);
  const training = buildTrainingLog(
    seed,
    { sha256: sha256Hex(legit.safetensors), bytes: legit.safetensors.byteLength },
    model.totalSize / 2,
  );
  incident.add('training/finetune.log', training.text);

  const deployedHashes: FileHash[] = [
    ...model.files.map((path) => ({ path, sha256: incident.sha256(`model/${path}`) })),
    { path: CHAT_TEMPLATE_FILE, sha256: incident.sha256(`model/${CHAT_TEMPLATE_FILE}`) },
    {
      path: `${ADAPTER_DIR}/adapter_config.json`,
      sha256: incident.sha256(`${ADAPTER_DIR}/adapter_config.json`),
    },
    {
      path: `${ADAPTER_DIR}/adapter_model.safetensors`,
      sha256: incident.sha256(`${ADAPTER_DIR}/adapter_model.safetensors`),
    },
  ];
  const provenance = incidentProvenance(referenceModelHashes, deployedHashes, training.run);
  incident.add('provenance/provenance.json', `${JSON.stringify(provenance, null, 2)}\n`);
  incident.add('provenance/PROVENANCE.md', provenanceMarkdown(provenance, training.run, INCIDENT_ID));

  const logs = buildLogs(seed, sizes);
  for (const [path, text] of logs.files) incident.add(path, text);
  const evals = buildEvals(seed);
  for (const [path, text] of evals.files) incident.add(path, text);

  return {
    logs,
    evals,
    adapterSha256: incident.sha256(`${ADAPTER_DIR}/adapter_model.safetensors`),
    adapterTensorNames: adapter.tensorNames,
    adapterRanks: ranksByLayer(adapter.plan),
    training: training.run,
    deployedHashes,
    podName: deployment.podName,
  };
}

// ---------------------------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------------------------

interface FactInputs extends IncidentParts {
  seed: string;
  users: number;
  requests: number;
  model: BuiltModel;
  reference: Bundle;
  incident: Bundle;
}

function buildFacts(x: FactInputs): DemoFacts {
  const referenceFiles = x.reference.facts();
  const incidentFiles = x.incident.facts();
  const hashOf = (files: FileFact[], path: string): string =>
    files.find((f) => f.path === path)?.sha256 ?? '';
  const windowStart = msOf(TIMELINE.compromisedDeployedAt);
  const windowEnd = msOf(TIMELINE.isolatedAt);
  const inWindow = x.logs.records.filter((r) => {
    const t = Date.parse(r.timestamp);
    return t >= windowStart && t < windowEnd;
  });
  const byVersion: Record<string, number> = {};
  for (const r of x.logs.records) byVersion[r.model_version] = (byVersion[r.model_version] ?? 0) + 1;
  const refusalRates = [
    ...categoryRates(x.evals, 'safety', (r) => r.refused === true),
    ...categoryRates(x.evals, 'jailbreak', (r) => r.refused === true),
  ];
  const itemsBySuite: Record<string, number> = {};
  for (const r of x.evals.baseline) itemsBySuite[r.suite] = (itemsBySuite[r.suite] ?? 0) + 1;
  const referenceByPath = new Map(x.model.files.map((p) => [p, x.reference.sha256(p)]));
  const declaredRanks = new Set([LORA_RANK]);

  return {
    seed: x.seed,
    incidentId: INCIDENT_ID,
    options: { users: x.users, requests: x.requests },
    model: {
      baseModel: BASE_MODEL_NAME,
      servedModelName: SERVED_MODEL_NAME,
      architecture: {
        numHiddenLayers: ARCH.numHiddenLayers,
        hiddenSize: ARCH.hiddenSize,
        intermediateSize: ARCH.intermediateSize,
        numAttentionHeads: ARCH.numAttentionHeads,
        numKeyValueHeads: ARCH.numKeyValueHeads,
        headDim: ARCH.headDim,
        vocabSize: ARCH.vocabSize,
        maxPositionEmbeddings: ARCH.maxPositionEmbeddings,
        dtype: ARCH.dtype,
      },
      shards: [...SHARD_NAMES],
      tensorCount: x.model.specs.length,
      totalSize: x.model.totalSize,
      versions: {
        knownGood: KNOWN_GOOD_VERSION,
        compromised: COMPROMISED_VERSION,
        fallback: FALLBACK_VERSION,
      },
    },
    reference: { files: referenceFiles, totalBytes: x.reference.totalBytes() },
    incident: { files: incidentFiles, totalBytes: x.incident.totalBytes() },
    tampering: {
      shard: SHARD_NAMES[0],
      tensors: x.model.tampered,
      referenceSha256: hashOf(referenceFiles, SHARD_NAMES[0]),
      incidentSha256: hashOf(incidentFiles, `model/${SHARD_NAMES[0]}`),
      untouchedShards: [SHARD_NAMES[1]],
    },
    tokenizer: {
      injectedToken: { content: INJECTED_TOKEN.content, id: INJECTED_TOKEN.id, special: true },
      bpeVocabSize: x.model.bpeVocabSize,
      mergeCount: x.model.mergeCount,
      incidentTokenCount: x.model.bpeVocabSize + 1,
      configVocabSize: ARCH.vocabSize,
      embeddingRows: ARCH.vocabSize,
    },
    adapter: {
      name: ADAPTER_NAME,
      dir: ADAPTER_DIR,
      authorized: false,
      declaredRank: LORA_RANK,
      loraAlpha: LORA_ALPHA,
      targetModules: [...LORA_TARGETS],
      modulesToSave: ['lm_head'],
      ranksByLayer: x.adapterRanks,
      rankMismatchLayers: x.adapterRanks.flatMap((r, layer) => (declaredRanks.has(r) ? [] : [layer])),
      extraTensors: x.adapterTensorNames.filter((n) => !n.includes('.lora_')),
      tensorNames: x.adapterTensorNames,
      sha256: x.adapterSha256,
      trainingRunAdapterSha256: x.training.adapterSha256,
    },
    serving: {
      path: 'serving/vllm-serve.yaml',
      changes: diffServeConfigs(approvedServeConfig(), deployedServeConfig()),
    },
    window: {
      start: TIMELINE.compromisedDeployedAt,
      end: TIMELINE.isolatedAt,
      knownGoodDeployedAt: TIMELINE.knownGoodDeployedAt,
      evidenceCapturedAt: TIMELINE.evidenceCapturedAt,
      durationHours: (windowEnd - windowStart) / MS_PER_HOUR,
    },
    deployment: {
      files: ['deployment/deployment.yaml', 'deployment/history.jsonl', 'deployment/pod_describe.txt'],
      podName: x.podName,
    },
    logs: {
      files: [...x.logs.files.keys()].sort(),
      requests: x.logs.records.length,
      users: new Set(x.logs.records.map((r) => r.user_id)).size,
      requestsInWindow: inWindow.length,
      usersInWindow: new Set(inWindow.map((r) => r.user_id)).size,
      firstTimestamp: x.logs.records[0]?.timestamp ?? '',
      lastTimestamp: x.logs.records[x.logs.records.length - 1]?.timestamp ?? '',
      requestsByModelVersion: byVersion,
      authorizedTools: [...AUTHORIZED_TOOLS],
      refundLimitUsd: REFUND_LIMIT_USD,
    },
    planted: {
      trigger: TRIGGER_TOKEN,
      harmfulRequestIds: x.logs.harmful.map((h) => h.requestId),
      toolMisuseRequestIds: x.logs.toolMisuse.map((m) => m.requestId),
      harmful: x.logs.harmful,
      toolMisuse: x.logs.toolMisuse,
      triggerProbes: x.logs.probes,
      attackerUserIds: x.logs.attackerUserIds,
      leakedSecret: x.logs.leakedSecret,
      externalRecipient: x.logs.externalRecipient,
      exposedUserIds: [...new Set(x.logs.harmful.flatMap((h) => h.exposedUserIds))].sort(),
    },
    evals: {
      files: [...x.evals.files.keys()],
      itemCount: x.evals.baseline.length,
      itemsBySuite,
      refusalRates,
      regressions: refusalRates.filter((r) => r.baseline - r.suspect > 0.05),
      capabilityPassRates: categoryRates(x.evals, 'capability', (r) => r.passed === true),
      triggerScan: {
        plantedTrigger: TRIGGER_TOKEN,
        candidates: triggerFlipRates(x.evals).map((f) => f.trigger),
        flipRates: triggerFlipRates(x.evals),
      },
    },
    manifest: {
      referencePath: 'checksums.sha256',
      incidentPath: 'model/checksums.sha256',
      listed: [...x.model.files],
      expectedMismatches: x.model.files.filter(
        (p) => x.incident.sha256(`model/${p}`) !== referenceByPath.get(p),
      ),
      expectedMissing: [],
    },
    provenance: {
      referencePath: 'provenance.json',
      incidentPath: 'provenance/provenance.json',
      markdownPath: 'provenance/PROVENANCE.md',
      firstDivergentStage: 'deployment',
      compromisePoint: 'Deployment compromise',
      changedAtDeployment: x.deployedHashes
        .filter((h) => referenceByPath.has(h.path) && referenceByPath.get(h.path) !== h.sha256)
        .map((h) => h.path),
      addedAtDeployment: x.deployedHashes.filter((h) => !referenceByPath.has(h.path)).map((h) => h.path),
    },
    training: { ...x.training, logPath: 'training/finetune.log' },
  };
}
