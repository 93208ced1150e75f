/**
 * Playbook, Integrity Verification, row "Configuration verification": "Verify all serving
 * configuration parameters — Pass criteria: matches approved configuration".
 *
 * The serving configurations in the evidence (kind serving-config: vLLM serve configs, KServe
 * resources) are compared key by key (serving-config.ts flattens and normalises them) against the
 * approved one: the file given with `--approved-config`, else the baseline case's serving config
 * at the same path within the bundle (or its only one). Every difference is listed as added,
 * removed or changed, with both values. Without an approved configuration the check is not
 * analysed: the deployed values alone say nothing about what was approved.
 */
import { basename, readEvidenceText, type CaseFile, type CaseFiles } from './case-files.ts';
import { reasonOf } from './relabel.ts';
import {
  diffConfigs,
  flattenConfig,
  formatValue,
  isMapping,
  parseConfigDocuments,
  withoutVolatile,
  type ConfigChange,
  type ConfigValue,
  type FlatConfig,
} from './serving-config.ts';
import { CHECK_TITLES, item, n, statusOf, type CheckItem, type CheckResult } from './types.ts';

export interface ApprovedConfig {
  label: string;
  flat: FlatConfig;
}

function docPrefix(doc: ConfigValue, i: number): string {
  if (isMapping(doc) && typeof doc.kind === 'string') {
    const name =
      isMapping(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : `#${i}`;
    return `${doc.kind}/${name}`;
  }
  return `#${i}`;
}

/** Flatten a serving config's documents: one document as is, several under `Kind/name.` prefixes. */
export function flattenDocuments(docs: readonly ConfigValue[]): FlatConfig {
  if (docs.length === 1 && docs[0] !== undefined) return withoutVolatile(flattenConfig(docs[0]));
  const out: FlatConfig = new Map();
  docs.forEach((d, i) => {
    for (const [k, v] of withoutVolatile(flattenConfig(d))) out.set(`${docPrefix(d, i)}.${k}`, v);
  });
  return out;
}

export async function readServingConfig(f: CaseFile): Promise<FlatConfig> {
  const text = await readEvidenceText(f, 16 * 1024 * 1024);
  return flattenDocuments(parseConfigDocuments(text, f.path));
}

export function servingConfigs(cf: CaseFiles): CaseFile[] {
  return cf.files.filter((f) => f.kind === 'serving-config');
}

function changeItem(file: string, approvedLabel: string, c: ConfigChange): CheckItem {
  const summary =
    c.change === 'added'
      ? `${file}: ${c.key} = ${formatValue(c.deployed)} (added; not in ${approvedLabel})`
      : c.change === 'removed'
        ? `${file}: ${c.key} removed (${approvedLabel} has ${formatValue(c.approved)})`
        : `${file}: ${c.key} = ${formatValue(c.deployed)}, approved ${formatValue(c.approved)}`;
  return item('fail', `${file}#${c.key}`, summary, { file, approvedSource: approvedLabel, ...c });
}

/** The approved counterpart of one deployed serving config among the baseline's. */
function baselineCounterpart(f: CaseFile, candidates: readonly CaseFile[]): CaseFile | null {
  return (
    candidates.find((c) => c.path === f.path) ??
    candidates.find((c) => basename(c.path) === basename(f.path)) ??
    (candidates.length === 1 ? (candidates[0] ?? null) : null)
  );
}

async function approvedFor(
  f: CaseFile,
  approved: ApprovedConfig | null,
  baseline: CaseFiles | null,
): Promise<ApprovedConfig | string> {
  if (approved) return approved;
  if (!baseline) return 'no approved configuration (give --approved-config FILE or --baseline CASE)';
  const b = baselineCounterpart(f, servingConfigs(baseline));
  if (!b) return `baseline ${baseline.caseId} has no serving configuration to compare ${f.path} with`;
  try {
    return { label: `${baseline.caseId}:${b.path}`, flat: await readServingConfig(b) };
  } catch (err) {
    return `baseline ${baseline.caseId}: ${reasonOf(err)}`;
  }
}

/** Notable values regardless of approval: what widens what the served model can do. */
function riskNotes(file: string, flat: FlatConfig, maxPositions: number | null): CheckItem[] {
  const notes: CheckItem[] = [];
  const len = flat.get('max-model-len');
  if (typeof len === 'number' && maxPositions !== null && len > maxPositions)
    notes.push(
      item(
        'info',
        `${file}#max-model-len`,
        `${file}: max-model-len ${len} exceeds the model's max_position_embeddings ${maxPositions}`,
        {
          maxModelLen: len,
          maxPositionEmbeddings: maxPositions,
        },
      ),
    );
  if (flat.get('trust-remote-code') === true)
    notes.push(
      item(
        'info',
        `${file}#trust-remote-code`,
        `${file}: trust-remote-code is on: Python code shipped with the model runs at load`,
        {},
      ),
    );
  if (flat.get('enable-lora') === true)
    notes.push(item('info', `${file}#enable-lora`, `${file}: LoRA adapters can be served (enable-lora)`, {}));
  return notes;
}

export async function checkConfiguration(
  cf: CaseFiles,
  approved: ApprovedConfig | null,
  baseline: CaseFiles | null,
  maxPositionEmbeddings: number | null = null,
): Promise<CheckResult> {
  const items: CheckItem[] = [];
  const reasons: string[] = [];
  const compared: { file: string; approved: string; changes: ConfigChange[]; keys: number }[] = [];
  const configs = servingConfigs(cf);
  if (configs.length === 0) reasons.push('no serving configuration in the evidence');
  for (const f of configs) {
    let flat: FlatConfig;
    try {
      flat = await readServingConfig(f);
    } catch (err) {
      items.push(item('not-analysed', f.path, reasonOf(err), {}));
      continue;
    }
    const ref = await approvedFor(f, approved, baseline);
    if (typeof ref === 'string') {
      items.push(item('not-analysed', f.path, `${f.path}: ${ref}`, {}));
      reasons.push(ref);
      continue;
    }
    const changes = diffConfigs(ref.flat, flat);
    compared.push({ file: f.path, approved: ref.label, changes, keys: flat.size });
    reasons.push(`${f.path} (${n(flat.size, 'key')}) against ${ref.label} (${n(ref.flat.size, 'key')})`);
    items.push(...changes.map((c) => changeItem(f.path, ref.label, c)));
    if (changes.length === 0)
      items.push(item('pass', f.path, `${f.path}: all ${n(flat.size, 'key')} match ${ref.label}`, {}));
    items.push(...riskNotes(f.path, flat, maxPositionEmbeddings));
  }
  const status = statusOf(
    items,
    compared.map((c) => c.file),
  );
  const changes = compared.flatMap((c) => c.changes);
  const by = (k: ConfigChange['change']): number => changes.filter((c) => c.change === k).length;
  return {
    check: 'configuration',
    title: CHECK_TITLES.configuration,
    status,
    summary:
      status === 'not-analysed'
        ? 'no serving configuration compared with an approved one'
        : changes.length === 0
          ? 'serving configuration matches the approved configuration'
          : `${n(changes.length, 'difference')} from the approved configuration (${by('changed')} changed, ${by('added')} added, ${by('removed')} removed)`,
    reasons,
    items,
    details: { compared },
  };
}
