/**
 * Remote code: a config.json whose `auto_map` names Python classes (transformers'
 * `trust_remote_code=True`, https://huggingface.co/docs/transformers/custom_models) makes the
 * loader import and run those modules from the model folder — or, for an entry written
 * `org/repo--module.Class`, from another repository fetched at load. That code runs with the
 * server's rights on every load, so the architecture cannot be vouched for from the config and
 * tensors alone: each named module is a finding, saying whether its .py file is in the evidence
 * (with its digest) or absent. Only the same file, byte for byte, in the baseline case lowers it to
 * a note.
 */
import path from 'node:path';
import { rel, type CaseFiles } from './case-files.ts';
import type { ModelFacts } from './model-facts.ts';
import { item, short, type CheckItem } from './types.ts';

export interface RemoteModule {
  /** The auto_map key (AutoModelForCausalLM, AutoConfig, …). */
  auto: string;
  /** The reference as written. */
  ref: string;
  /** Another repository the module is fetched from, or null for the model's own folder. */
  repo: string | null;
  /** The Python file, relative to the model folder. */
  file: string;
}

/** The Python modules an auto_map names (values are `module.Class`, lists of them, or null). */
export function remoteModules(remoteCode: Record<string, string> | null): RemoteModule[] {
  if (!remoteCode) return [];
  const out: RemoteModule[] = [];
  for (const [auto, raw] of Object.entries(remoteCode)) {
    let refs: unknown = raw;
    if (raw.startsWith('[')) {
      try {
        refs = JSON.parse(raw);
      } catch {
        refs = raw;
      }
    }
    for (const ref of (Array.isArray(refs) ? refs : [refs]).filter(
      (r): r is string => typeof r === 'string',
    )) {
      const sep = ref.indexOf('--');
      const repo = sep >= 0 ? ref.slice(0, sep) : null;
      const dotted = sep >= 0 ? ref.slice(sep + 2) : ref;
      const dot = dotted.lastIndexOf('.');
      if (dot <= 0) continue;
      out.push({ auto, ref, repo, file: `${dotted.slice(0, dot).replaceAll('.', '/')}.py` });
    }
  }
  return out;
}

function inFolder(cf: CaseFiles, file: string): string {
  return cf.modelRoot === '' ? file : path.posix.join(cf.modelRoot, file);
}

/** One item per Python module named by the config's auto_map. */
export function remoteCodeItems(facts: ModelFacts, cf: CaseFiles, base: CaseFiles | null): CheckItem[] {
  const cfg = facts.config;
  if (!cfg) return [];
  const modules = remoteModules(cfg.cfg.remoteCode);
  const byFile = new Map<string, RemoteModule[]>();
  for (const m of modules)
    byFile.set(`${m.repo ?? ''}|${m.file}`, [...(byFile.get(`${m.repo ?? ''}|${m.file}`) ?? []), m]);
  const out: CheckItem[] = [];
  for (const list of byFile.values()) {
    const m = list[0] as RemoteModule;
    const autos = list.map((x) => x.auto).join(', ');
    const details = {
      config: cfg.file,
      autoMap: list.map((x) => ({ [x.auto]: x.ref })),
      file: m.file,
      repo: m.repo,
    };
    if (m.repo !== null) {
      out.push(
        item(
          'fail',
          cfg.file,
          `suspicious: ${cfg.file} auto_map (${autos}) loads ${m.file} from another repository, ${m.repo}, at load time (trust_remote_code): absent from the evidence, never examined`,
          { ...details, present: false },
        ),
      );
      continue;
    }
    const where = inFolder(cf, m.file);
    const f = cf.byPath.get(where);
    if (!f) {
      out.push(
        item(
          'fail',
          cfg.file,
          `suspicious: ${cfg.file} auto_map (${autos}) runs ${where} at load (trust_remote_code), and that file is absent from the evidence`,
          { ...details, present: false, path: where },
        ),
      );
      continue;
    }
    const known = base?.files.find((b) => rel(base, b.path) === rel(cf, f.path));
    if (known && known.sha256 === f.sha256) {
      out.push(
        item(
          'info',
          f.path,
          `${cfg.file} auto_map (${autos}) runs ${f.path} at load (trust_remote_code); the file is present (sha256 ${short(f.sha256)}) and identical to baseline ${base?.caseId}'s ${known.path}`,
          { ...details, present: true, path: f.path, sha256: f.sha256, baseline: known.path },
        ),
      );
      continue;
    }
    out.push(
      item(
        'fail',
        f.path,
        `suspicious: ${cfg.file} auto_map (${autos}) runs ${f.path} at load (trust_remote_code); the file is present in the evidence (sha256 ${short(f.sha256)})${known ? ` but differs from baseline ${base?.caseId}'s (${short(known.sha256)})` : base ? `, not in baseline ${base.caseId}` : ' with no baseline to vouch for it'}: review the code`,
        { ...details, present: true, path: f.path, sha256: f.sha256, baselineSha256: known?.sha256 ?? null },
      ),
    );
  }
  return out;
}
