/**
 * Provenance records: provenance.json (machine-readable) and PROVENANCE.md (the playbook's
 * "Model Provenance Chain" in Markdown).
 *
 * ## Format `probity.provenance/v1`
 *
 * ```ts
 * {
 *   "schema": "probity.provenance/v1",
 *   "model": string,                       // what the chain describes, e.g. "supportlm"
 *   "steps": [                             // in chain order: earliest first
 *     {
 *       "stage": "base-model" | "fine-tuning" | "post-processing" | "deployment",
 *       "description": string,             // one line a human reads first
 *       "source"?: string,                 // URL or registry reference the stage read from
 *       "performedBy": string,             // person or system account
 *       "performedAt": string,             // ISO 8601 UTC
 *       "tools"?: [{ "name": string, "version": string }],
 *       "inputs"?: [{ "path": string, "sha256": string }],
 *       "outputs": [{ "path": string, "sha256": string }],   // what the stage produced or vouched for
 *       "notes"?: string
 *     }
 *   ]
 * }
 * ```
 *
 * Paths are relative to the model directory (`model-00001-of-00002.safetensors`, `tokenizer.json`);
 * adapters are `adapters/<name>/<file>`. sha256 values are 64 lower-case hex digits. A stage's
 * `outputs` are the checksums it recorded at the time; comparing each stage's outputs with the
 * previous stage's (and with the files actually preserved) locates the compromise point in the
 * playbook's table: the first stage whose outputs diverge for a path carried over from the stage
 * before is where the modification happened.
 */
import {
  ADAPTER_NAME,
  BASE_MODEL_NAME,
  BASE_MODEL_RELEASE,
  BASE_MODEL_RELEASED_ON,
  BASE_MODEL_SOURCE,
  COMPROMISED_VERSION,
  MODEL_MOUNT_PATH,
  SERVED_MODEL_NAME,
  TIMELINE,
  VENDOR,
} from './constants.ts';
import type { TrainingRun } from './training-log.ts';

export const PROVENANCE_SCHEMA = 'probity.provenance/v1';

export type ProvenanceStage = 'base-model' | 'fine-tuning' | 'post-processing' | 'deployment';

export interface FileHash {
  path: string;
  sha256: string;
}

export interface ProvenanceStep {
  stage: ProvenanceStage;
  description: string;
  source?: string;
  performedBy: string;
  performedAt: string;
  tools?: { name: string; version: string }[];
  inputs?: FileHash[];
  outputs: FileHash[];
  notes?: string;
}

export interface ProvenanceRecord {
  schema: typeof PROVENANCE_SCHEMA;
  model: string;
  steps: ProvenanceStep[];
}

function baseModelStep(referenceFiles: FileHash[]): ProvenanceStep {
  return {
    stage: 'base-model',
    description: `${VENDOR} ${BASE_MODEL_NAME} ${BASE_MODEL_RELEASE} (released ${BASE_MODEL_RELEASED_ON}), llama-style 4-layer chat model, safetensors bf16`,
    source: BASE_MODEL_SOURCE,
    performedBy: 'mlplatform-sync (svc), requested by m.okafor',
    performedAt: TIMELINE.baseDownloadedAt,
    tools: [{ name: 'huggingface_hub', version: '0.35.3' }],
    outputs: referenceFiles,
    notes: "Checksums verified against the vendor's published checksums.sha256 at download time.",
  };
}

/** The provider's own record, shipped with the reference bundle. */
export function referenceProvenance(referenceFiles: FileHash[]): ProvenanceRecord {
  return {
    schema: PROVENANCE_SCHEMA,
    model: BASE_MODEL_NAME,
    steps: [
      {
        ...baseModelStep(referenceFiles),
        performedBy: `${VENDOR} release engineering`,
        performedAt: `${BASE_MODEL_RELEASED_ON}T12:00:00Z`,
        description: `${BASE_MODEL_NAME} ${BASE_MODEL_RELEASE} release artifacts`,
        tools: [
          { name: 'transformers', version: '4.57.1' },
          { name: 'safetensors', version: '0.6.2' },
        ],
        notes: 'Published with checksums.sha256; weights and tokenizer are final for this release.',
      },
    ],
  };
}

/**
 * The organisation's chain for the production model. Stages 1–3 all vouch for the reference
 * hashes: the fine-tune trained an adapter that was never merged or approved, and the
 * post-processing only re-verified and packaged the registry copy. Stage 4 records what is
 * actually deployed, which is where the hashes first diverge → "Deployment compromise".
 */
export function incidentProvenance(
  referenceFiles: FileHash[],
  deployedFiles: FileHash[],
  run: TrainingRun,
): ProvenanceRecord {
  return {
    schema: PROVENANCE_SCHEMA,
    model: SERVED_MODEL_NAME,
    steps: [
      baseModelStep(referenceFiles),
      {
        stage: 'fine-tuning',
        description: `Support-domain LoRA fine-tune, run ${run.runId} (adapter evaluated, not merged, not approved for serving)`,
        source: run.datasetPath,
        performedBy: 'l.chen (ML engineering) on gpu-train-03',
        performedAt: run.startedAt,
        tools: [
          { name: 'transformers', version: '4.57.1' },
          { name: 'peft', version: '0.17.1' },
          { name: 'torch', version: '2.8.0' },
        ],
        inputs: referenceFiles,
        outputs: referenceFiles,
        notes: `Training data sha256 ${run.datasetSha256} (${run.examples} examples). Adapter artifact sha256 ${run.adapterSha256} archived under /mnt/runs/${run.runId}/adapter; promotion pending review MG-114. Base weights unchanged.`,
      },
      {
        stage: 'post-processing',
        description:
          'Registry packaging: re-verified shards and tokenizer, built read-only weights volume supportlm-weights-r6',
        source: 'registry.northwind.example/models/supportlm@r6',
        performedBy: 'mlplatform-ci (svc)',
        performedAt: TIMELINE.postProcessedAt,
        tools: [
          { name: 'safetensors', version: '0.6.2' },
          { name: 'model-packager', version: '2.3.0' },
        ],
        inputs: referenceFiles,
        outputs: referenceFiles,
        notes: 'No conversion or quantization: bf16 safetensors kept as shipped.',
      },
      {
        stage: 'deployment',
        description: `Deployment of ${COMPROMISED_VERSION} to model-service (namespace ml-serving)`,
        source: 'registry.northwind.example/models/supportlm@r7',
        performedBy: 'ci-deploy-bot (pipeline run 88412, triggered by svc-release@build-runner-07)',
        performedAt: TIMELINE.compromisedDeployedAt,
        tools: [
          { name: 'argocd', version: '2.14.8' },
          { name: 'vllm', version: '0.11.2' },
        ],
        inputs: referenceFiles,
        outputs: deployedFiles,
        notes: `Hashes computed on ${MODEL_MOUNT_PATH} and /models/adapters/${ADAPTER_NAME} in the running pod at evidence capture (${TIMELINE.evidenceCapturedAt}).`,
      },
    ],
  };
}

function hashList(files: readonly FileHash[], indent: string): string[] {
  return files.map((f) => `${indent}- \`${f.path}\`: \`${f.sha256}\``);
}

/** The same facts in the playbook's Markdown form. */
export function provenanceMarkdown(record: ProvenanceRecord, run: TrainingRun, incidentId: string): string {
  const step = (stage: ProvenanceStage): ProvenanceStep => {
    const s = record.steps.find((x) => x.stage === stage);
    if (s === undefined) throw new Error(`provenance has no ${stage} step`);
    return s;
  };
  const base = step('base-model');
  const ft = step('fine-tuning');
  const post = step('post-processing');
  const dep = step('deployment');
  const tools = (s: ProvenanceStep): string =>
    (s.tools ?? []).map((t) => `${t.name} ${t.version}`).join(', ');
  const lines = [
    `# Model Provenance — ${record.model} (${incidentId})`,
    '',
    `Machine-readable copy: provenance.json (schema \`${record.schema}\`).`,
    '',
    '## Model Provenance Chain',
    '',
    `1. **Base model**: ${VENDOR}, ${BASE_MODEL_NAME}, ${BASE_MODEL_RELEASE}, released ${BASE_MODEL_RELEASED_ON}`,
    `   - Source: ${base.source ?? 'unknown'}`,
    `   - Downloaded by: ${base.performedBy}`,
    `   - Downloaded on: ${base.performedAt.slice(0, 10)}`,
    '   - Original checksums verified: yes',
    '   - Checksums:',
    ...hashList(base.outputs, '     '),
    `2. **Fine-tuning**: ${ft.description}`,
    `   - Training data: ${run.datasetPath} (sha256 \`${run.datasetSha256}\`, ${run.examples} examples of support transcripts)`,
    '   - Training infrastructure: gpu-train-03 (on-prem, 1x L4); access: ML engineering group',
    `   - Training job ID: ${run.runId}`,
    `   - Adapter checksum: \`${run.adapterSha256}\` (not merged, not approved for serving)`,
    '   - Output checksums (base weights unchanged):',
    ...hashList(ft.outputs, '     '),
    `3. **Post-processing**: ${post.description}`,
    `   - Process: ${post.notes ?? ''}`,
    `   - Tools used: ${tools(post)}`,
    `   - Who performed: ${post.performedBy}`,
    '   - Output checksums:',
    ...hashList(post.outputs, '     '),
    '4. **Deployment**:',
    `   - Deployed by: ${dep.performedBy}`,
    `   - Deployed on: ${dep.performedAt}`,
    `   - Deployment method: Argo CD sync of model-service, image tag from ${dep.source ?? 'unknown'}`,
    '   - Runtime configuration: vLLM 0.11.2, see serving/vllm-serve.yaml (LoRA enabled with adapter support-tune)',
    '   - Output checksums (as deployed):',
    ...hashList(dep.outputs, '     '),
    '',
  ];
  return lines.join('\n');
}
