/**
 * The eval-format importers, by format name. Each streams its file and hands raw items to a sink;
 * behavior/import.ts applies the refusal rule, stores the items and records the import.
 */
import type { EvalFormat } from '../types';
import type { Importer } from './common';
import { importGarak } from './garak';
import { importGenericJsonl } from './generic-jsonl';
import { importInspect } from './inspect';
import { importLmEval } from './lm-eval';
import { importOpenAiEvals } from './openai-evals';
import { importPromptfoo } from './promptfoo';

export const IMPORTERS: Readonly<Record<EvalFormat, Importer>> = {
  jsonl: importGenericJsonl,
  promptfoo: importPromptfoo,
  'lm-eval': importLmEval,
  inspect: importInspect,
  garak: importGarak,
  'openai-evals': importOpenAiEvals,
};

export { detectFormat, KNOWN_FORMATS_TEXT } from './detect';
export type { ImportInput, ImportSink, Importer } from './common';
