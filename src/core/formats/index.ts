/**
 * Parsers for every model artifact Probity inspects. Each reads headers only, with bounded reads,
 * and returns a plain JSON-serialisable description; a malformed file is a `malformed`
 * ProbityError naming the file and the reason.
 */
export {
  readSafetensorsHeader,
  readSafetensorsIndex,
  checkShardedIndex,
  SAFETENSORS_DTYPE_BITS,
  SAFETENSORS_MAX_HEADER,
} from './safetensors.ts';
export type { SafetensorsHeader, SafetensorsTensor, SafetensorsIndex } from './safetensors.ts';
export { readGgufHeader, ggufValue, GGML_TYPES, GGUF_VALUE_TYPES } from './gguf.ts';
export type {
  GgufHeader,
  GgufKv,
  GgufValue,
  GgufArraySummary,
  GgufLongString,
  GgufTensorInfo,
  GgufValueType,
} from './gguf.ts';
export { parseAdapterConfig } from './peft.ts';
export type { AdapterConfig, TargetModules } from './peft.ts';
export { parseModelConfig } from './hfconfig.ts';
export type { ModelConfig } from './hfconfig.ts';
export { parseTokenizerJson, parseTokenizerConfig, parseChatTemplateFile } from './tokenizer.ts';
export type { TokenizerJson, TokenizerConfig, AddedToken, ChatTemplateFile } from './tokenizer.ts';
export { scanPickle, scanTorchFile, scanPickleRange, classifyGlobal } from './pickle.ts';
export type {
  PickleScanReport,
  PickleScan,
  PickleGlobal,
  PickleCall,
  PickleImportSummary,
  PickleClassification,
} from './pickle.ts';
export { inspectArtifact, parseLfsPointer, artifactVerdict } from './detect.ts';
export { summarizeScanned } from './summary.ts';
export type { ScannedResult, ScannedSummary } from './summary.ts';
export { SCANNER_RULES, PARSER_VERSIONS } from './rules.ts';
export { DANGER_TABLE, ALLOWLIST, dangerOf } from './danger.ts';
export type { Capability, DangerEntry } from './danger.ts';
export type { ScanLevel, ScanFinding, ScanVerdict, RulesId } from './verdict.ts';
export type { NumpyResult, NpyArray } from './numpy.ts';
export type { ArchiveResult } from './archives.ts';
export type { KerasResult } from './keras.ts';
export type { SavedModelResult, OnnxResult } from './protobuf.ts';
export type { TemplateConfigResult } from './templates.ts';
export type { Artifact, ArtifactKind, LfsPointer, UnknownArtifact } from './detect.ts';
export { sstiIndicators, codeIndicators, summarizeChatTemplate } from './indicators.ts';
export type { ChatTemplateSummary } from './indicators.ts';
