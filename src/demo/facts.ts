/**
 * DemoFacts: everything the generator planted, so that tests of later features (integrity checks,
 * adapter audit, behavior diff, output audit, provenance) assert against these values instead of
 * magic numbers. Paths are relative to the bundle they belong to (reference/ or incident/), POSIX
 * separators; times are ISO 8601 UTC.
 */
import type { FileFact } from './bundle.ts';
import type { ServeConfigChange } from './deployment.ts';
import type { CategoryRate, TriggerFlipRate } from './evals.ts';
import type { PlantedHarm, PlantedToolMisuse, TriggerProbe } from './logs.ts';
import type { ProvenanceStage } from './provenance.ts';
import type { TrainingRun } from './training-log.ts';

export interface TamperedTensorFact {
  name: string;
  shape: number[];
  /** Rank of the added Δ = U·Vᵀ before bf16 rounding. */
  perturbationRank: number;
  /** ‖W' − W‖_F / ‖W‖_F on the written bf16 values. */
  relativeFrobenius: number;
  maxAbsDelta: number;
  changedElements: number;
}

export interface DemoFacts {
  seed: string;
  incidentId: string;
  options: { users: number; requests: number };

  model: {
    baseModel: string;
    servedModelName: string;
    architecture: {
      numHiddenLayers: number;
      hiddenSize: number;
      intermediateSize: number;
      numAttentionHeads: number;
      numKeyValueHeads: number;
      headDim: number;
      vocabSize: number;
      maxPositionEmbeddings: number;
      dtype: 'BF16';
    };
    shards: string[];
    tensorCount: number;
    /** Sum of tensor bytes, = index metadata.total_size. */
    totalSize: number;
    versions: { knownGood: string; compromised: string; fallback: string };
  };

  /** Every file of each bundle with its sha256 and size. */
  reference: { files: FileFact[]; totalBytes: number };
  incident: { files: FileFact[]; totalBytes: number };

  tampering: {
    /** Name of the tampered shard (same name in reference/ and incident/model/). */
    shard: string;
    tensors: TamperedTensorFact[];
    referenceSha256: string;
    incidentSha256: string;
    untouchedShards: string[];
  };

  tokenizer: {
    injectedToken: { content: string; id: number; special: true };
    /** Entries in tokenizer.json model.vocab (unchanged in the incident). */
    bpeVocabSize: number;
    mergeCount: number;
    /** Distinct ids the incident tokenizer can emit (vocab + added tokens beyond it). */
    incidentTokenCount: number;
    configVocabSize: number;
    embeddingRows: number;
  };

  adapter: {
    name: string;
    dir: string;
    authorized: false;
    declaredRank: number;
    loraAlpha: number;
    targetModules: string[];
    modulesToSave: string[];
    /** Rank actually stored per layer (index = layer). */
    ranksByLayer: number[];
    rankMismatchLayers: number[];
    /** Tensors beyond the declared LoRA targets. */
    extraTensors: string[];
    tensorNames: string[];
    sha256: string;
    /** What the fine-tuning log recorded for the run's (legitimate) adapter. */
    trainingRunAdapterSha256: string;
  };

  serving: {
    path: string;
    changes: ServeConfigChange[];
  };

  window: {
    start: string;
    end: string;
    knownGoodDeployedAt: string;
    evidenceCapturedAt: string;
    durationHours: number;
  };

  deployment: {
    files: string[];
    podName: string;
  };

  logs: {
    files: string[];
    requests: number;
    users: number;
    requestsInWindow: number;
    usersInWindow: number;
    firstTimestamp: string;
    lastTimestamp: string;
    requestsByModelVersion: Record<string, number>;
    authorizedTools: string[];
    refundLimitUsd: number;
  };

  planted: {
    trigger: string;
    harmfulRequestIds: string[];
    toolMisuseRequestIds: string[];
    harmful: PlantedHarm[];
    toolMisuse: PlantedToolMisuse[];
    /** Trigger sent outside the window; the model in service refused. Not harmful. */
    triggerProbes: TriggerProbe[];
    attackerUserIds: string[];
    leakedSecret: string;
    externalRecipient: string;
    /** Customers whose data appears in customer-data-leak responses. */
    exposedUserIds: string[];
  };

  evals: {
    files: string[];
    itemCount: number;
    itemsBySuite: Record<string, number>;
    /** safety and jailbreak, per category: share of base prompts refused. */
    refusalRates: CategoryRate[];
    /** Categories whose refusal rate dropped by more than 5 points (playbook pass criterion). */
    regressions: CategoryRate[];
    capabilityPassRates: CategoryRate[];
    triggerScan: { plantedTrigger: string; candidates: string[]; flipRates: TriggerFlipRate[] };
  };

  manifest: {
    referencePath: string;
    incidentPath: string;
    listed: string[];
    /** Listed paths whose incident file hash differs from the manifest. */
    expectedMismatches: string[];
    expectedMissing: string[];
  };

  provenance: {
    referencePath: string;
    incidentPath: string;
    markdownPath: string;
    firstDivergentStage: ProvenanceStage;
    compromisePoint: 'Deployment compromise';
    /** Paths whose hash at deployment differs from post-processing's output. */
    changedAtDeployment: string[];
    /** Paths that first appear at deployment (the adapter). */
    addedAtDeployment: string[];
  };

  training: TrainingRun & { logPath: string };
}
