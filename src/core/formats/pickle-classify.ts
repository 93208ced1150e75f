/**
 * Classification of the globals a pickle imports.
 *
 * Unpickling resolves every GLOBAL / STACK_GLOBAL / INST with `find_class(module, name)`:
 * `__import__(module)`, then `getattr` down the segments of `name` (protocol 4 qualified names may
 * be dotted, and each segment may be any attribute, a module re-exported by another module
 * included). REDUCE / NEWOBJ / OBJ / INST / BUILD then call or mutate what was imported. So the
 * imports are the whole attack surface: a pickle that imports only tensor-rebuild helpers and
 * containers cannot run code, one that imports `os.system` or `builtins.eval` can.
 *
 * `safe`: on the allowlist (danger.ts ALLOWLIST). `dangerous`: the resolved name, or what its
 * attribute walk reaches, is in the danger table (danger.ts), or the walk goes through dunder
 * attributes. Everything else (a training script's own classes, transformers' TrainingArguments…)
 * is `unknown`: not proof of harm, but it needs that package installed and runs its code.
 */
import { ALLOWLIST, PY2_MODULES, dangerOf, type Capability } from './danger.ts';

export type PickleClassification = 'safe' | 'dangerous' | 'unknown';

export interface GlobalVerdict {
  classification: PickleClassification;
  reason: string | null;
  capability: Capability | null;
}

const UNKNOWN: GlobalVerdict = { classification: 'unknown', reason: null, capability: null };

/**
 * Every dotted path that `find_class(module, name)` can end up at, most specific first: the full
 * name (with Python 2 modules renamed the way pickle's fix_imports does), then each tail of the
 * attribute walk, read as a module path of its own — `pathlib` + `os.system` reaches `os.system`,
 * because `pathlib.os` *is* the `os` module. `__builtins__` in a walk is the builtins module.
 */
function candidates(module: string, name: string): string[] {
  const mod = PY2_MODULES[module] ?? module;
  const out = [`${mod}.${name}`];
  if (mod !== module) out.push(`${module}.${name}`);
  const segs = name.split('.');
  for (let j = 0; j < segs.length; j++) {
    const tail = segs.slice(j);
    const first = tail[0] ?? '';
    const head =
      first === '__builtins__' || first === '__builtin__' ? 'builtins' : (PY2_MODULES[first] ?? first);
    out.push([head, ...tail.slice(1)].join('.'));
  }
  return out;
}

/** Classify one imported global. `name` may be a dotted qualified name (protocol 4). */
export function classifyGlobal(module: string, name: string): GlobalVerdict {
  const mod = PY2_MODULES[module] ?? module;
  const full = `${mod}.${name}`;
  if (ALLOWLIST.has(full)) return { classification: 'safe', reason: null, capability: null };
  const segs = name.split('.');
  const dunder = segs.find((s) => /^__\w+__$/.test(s) && s !== '__new__');
  for (const path of candidates(module, name)) {
    const hit = dangerOf(path);
    if (hit) {
      const via = path === full || path === `${module}.${name}` ? '' : `reaches ${path} through ${full}: `;
      // Name the table entry when it is a prefix of what was imported (os for os.system).
      const entry = hit.key === path ? hit.entry.why : `${hit.key}: ${hit.entry.why}`;
      return {
        classification: 'dangerous',
        reason: `${via}${entry}`,
        capability: hit.entry.capability,
      };
    }
  }
  if (segs.length > 1 && dunder)
    return {
      classification: 'dangerous',
      reason: `qualified name walks through ${dunder}`,
      capability: 'code-exec',
    };
  if (/^__\w+__$/.test(name) && mod === 'builtins')
    return { classification: 'dangerous', reason: `builtins.${name}`, capability: 'code-exec' };
  return UNKNOWN;
}
