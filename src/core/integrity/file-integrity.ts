/**
 * Playbook, Integrity Verification, row "File integrity": "Compare all model file checksums
 * against known-good values — Pass criteria: 100% match".
 *
 * Known-good values come from every checksum source in the evidence (checksum-sources.ts,
 * signature-check.ts) and, with `--baseline`, from the known-good case itself: each model file
 * (weights, adapters, tokenizer, configs) is compared by its path within the model folder, with
 * hashdeep's audit words — matched, mismatched, missing (in the baseline, not here) and new (here,
 * not in the baseline: an artifact nobody vouched for).
 */
import type { KeyObject } from 'node:crypto';
import type { EvidenceKind } from '../../shared/domain';
import { rel, type CaseFiles } from './case-files.ts';
import {
  checkChecksumList,
  checkIndex,
  checkLfsPointers,
  checkTensorDigestMap,
  findTensorDigestMaps,
  isChecksumList,
} from './checksum-sources.ts';
import type { SignatureTrust } from './model-signing.ts';
import { checkSignatureFile, isSignatureName } from './signature-check.ts';
import {
  CHECK_TITLES,
  countByStatus,
  item,
  n,
  short,
  statusOf,
  type CheckItem,
  type CheckResult,
} from './types.ts';

const MODEL_KINDS: ReadonlySet<EvidenceKind> = new Set(['weights', 'adapter', 'tokenizer', 'model-config']);

export interface FileIntegrityOptions {
  baseline: CaseFiles | null;
  signingKey: KeyObject | null;
  /** The signing key's certificate and the trust roots, when the examiner gave them. */
  trust?: SignatureTrust | null;
}

type Outcome = 'matched' | 'mismatched' | 'missing' | 'new';

/** Model files of the case against the baseline case, by path within the model folder. */
export function compareWithBaseline(cf: CaseFiles, base: CaseFiles): CheckItem[] {
  const mine = new Map(cf.files.filter((f) => MODEL_KINDS.has(f.kind)).map((f) => [rel(cf, f.path), f]));
  const theirs = new Map(
    base.files.filter((f) => MODEL_KINDS.has(f.kind)).map((f) => [rel(base, f.path), f]),
  );
  const keys = [...new Set([...mine.keys(), ...theirs.keys()])].sort();
  return keys.map((k) => {
    const f = mine.get(k);
    const b = theirs.get(k);
    const outcome: Outcome = !f ? 'missing' : !b ? 'new' : f.sha256 === b.sha256 ? 'matched' : 'mismatched';
    const subject = f?.path ?? k;
    const details = {
      source: `baseline ${base.caseId}`,
      outcome,
      path: k,
      expected: b?.sha256 ?? null,
      actual: f?.sha256 ?? null,
      baselinePath: b?.path ?? null,
    };
    switch (outcome) {
      case 'matched':
        return item('pass', subject, `${subject}: matches baseline ${base.caseId} (${b?.path})`, details);
      case 'mismatched':
        return item(
          'fail',
          subject,
          `${subject}: sha256 ${short(f?.sha256)} but baseline ${base.caseId} ${b?.path} is ${short(b?.sha256)} (mismatched)`,
          details,
        );
      case 'missing':
        return item(
          'fail',
          subject,
          `${k}: in baseline ${base.caseId} (${b?.path}), not in the evidence (missing)`,
          details,
        );
      case 'new':
        return item(
          'fail',
          subject,
          `${subject}: not in baseline ${base.caseId} (new: no known-good value)`,
          details,
        );
    }
  });
}

function baselineCounts(items: readonly CheckItem[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { matched: 0, mismatched: 0, missing: 0, new: 0 };
  for (const i of items) counts[i.details.outcome as Outcome]++;
  return counts;
}

interface Sources {
  lists: string[];
  indexes: string[];
  lfsPointers: string[];
  signatures: string[];
  tensorMaps: string[];
}

/** Every checksum source in the evidence, each checked against the evidence. */
async function checkSources(
  cf: CaseFiles,
  signingKey: SignatureTrust | KeyObject | null,
): Promise<{ items: CheckItem[]; sources: Sources }> {
  const items: CheckItem[] = [];
  const sources: Sources = { lists: [], indexes: [], lfsPointers: [], signatures: [], tensorMaps: [] };
  for (const list of cf.files.filter(isChecksumList)) {
    sources.lists.push(list.path);
    items.push(...(await checkChecksumList(cf, list)));
  }
  for (const idx of cf.files.filter((f) => f.path.toLowerCase().endsWith('.safetensors.index.json'))) {
    sources.indexes.push(idx.path);
    items.push(...(await checkIndex(cf, idx)));
  }
  const lfs = await checkLfsPointers(cf);
  sources.lfsPointers = [...new Set(lfs.map((i) => String(i.details.source)))];
  items.push(...lfs);
  for (const sig of cf.files.filter((f) => isSignatureName(f.path) && f.size < 16 * 1024 * 1024)) {
    sources.signatures.push(sig.path);
    items.push(...(await checkSignatureFile(cf, sig, signingKey)));
  }
  for (const { file, map } of await findTensorDigestMaps(cf)) {
    sources.tensorMaps.push(file.path);
    items.push(...(await checkTensorDigestMap(cf, file, map)));
  }
  return { items, sources };
}

/**
 * The model files a passing comparison vouched for: weights, adapters, tokenizer and configs —
 * or any file a model_signing signature signs (the signature defines the model folder) — named as
 * the comparison's subject (`file` or `file#tensor`), or holding the digest it matched. A source
 * agreeing with itself (an index consistent with its shards, a signature verdict) vouches for no
 * file, and a matching README vouches for no model.
 */
function modelFilesVouchedFor(cf: CaseFiles, items: readonly CheckItem[]): string[] {
  const passed = items.filter((i) => i.status === 'pass' && i.subject !== i.details.source);
  const subjectOf = (i: CheckItem): string | null => i.subject?.replace(/#.*$/, '') ?? null;
  const subjects = new Set(passed.map(subjectOf).filter((x): x is string => x !== null));
  const signed = new Set(
    passed
      .filter((i) => i.details.resource !== undefined)
      .map(subjectOf)
      .filter((x): x is string => x !== null),
  );
  const digests = new Set(
    passed.map((i) => i.details.actual).filter((x): x is string => typeof x === 'string'),
  );
  return cf.files
    .filter((f) => MODEL_KINDS.has(f.kind) || signed.has(f.path))
    .filter((f) => subjects.has(f.path) || subjects.has(rel(cf, f.path)) || digests.has(f.sha256))
    .map((f) => f.path);
}

export async function checkFileIntegrity(cf: CaseFiles, opts: FileIntegrityOptions): Promise<CheckResult> {
  const { items, sources } = await checkSources(cf, opts.trust ?? opts.signingKey);
  const reasons: string[] = [];
  const found = Object.values(sources).reduce((s: number, l: string[]) => s + l.length, 0);
  for (const [kind, list] of Object.entries(sources))
    if (list.length > 0) reasons.push(`${kind}: ${list.join(', ')}`);

  let baseline: Record<Outcome, number> | null = null;
  if (opts.baseline) {
    const cmp = compareWithBaseline(cf, opts.baseline);
    baseline = baselineCounts(cmp);
    items.push(...cmp);
    reasons.push(
      `baseline ${opts.baseline.caseId}: ${baseline.matched} matched, ${baseline.mismatched} mismatched, ${baseline.missing} missing, ${baseline.new} new`,
    );
  }
  if (found === 0 && !opts.baseline)
    reasons.push(
      'no checksum source in the evidence (checksum list, safetensors index, LFS pointer, model_signing signature, per-tensor digest map) and no --baseline case to compare with',
    );
  const examined = modelFilesVouchedFor(cf, items);
  if (examined.length === 0 && items.some((i) => i.status === 'pass'))
    reasons.push(
      'not analysed: what matched is not a model file — no weights, adapter, tokenizer or model config was compared with a known-good value',
    );
  else if (examined.length === 0 && cf.files.every((f) => !MODEL_KINDS.has(f.kind)))
    reasons.push('not analysed: no model file (weights, adapter, tokenizer, model config) in the evidence');
  const status = statusOf(items, examined);
  const counts = countByStatus(items);
  const summary =
    status === 'not-analysed'
      ? examined.length === 0 && cf.files.some((f) => MODEL_KINDS.has(f.kind))
        ? 'no model file was compared with a known-good value'
        : examined.length === 0
          ? 'no model file in the evidence to check'
          : 'nothing to compare the model files against'
      : `${n(counts.fail, 'failed comparison')}, ${n(counts.pass, 'match', 'matches')} across ${n(found, 'checksum source')}${opts.baseline ? ` and baseline ${opts.baseline.caseId}` : ''}`;
  return {
    check: 'file-integrity',
    title: CHECK_TITLES['file-integrity'],
    status,
    summary,
    reasons,
    items,
    details: { sources, counts, baseline, modelRoot: cf.modelRoot, examined },
  };
}
