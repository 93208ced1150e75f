/**
 * Playbook, Integrity Verification, row "Adapter audit": "Verify only authorized adapters are
 * loaded — Pass criteria: no unauthorized adapters"; and the compromise-vector row "Malicious
 * adapter: inspect adapter provenance, rank, and target modules".
 *
 * Every adapter found (adapter-sources.ts) is checked against the authorized list (none given =
 * none authorized; an entry may pin a sha256), then inspected the way PEFT would load it
 * (huggingface/peft LoraConfig, tuners/lora/config.py):
 * - rank: lora_A is [r, in_features] and lora_B is [out_features, r], so the stored rank is
 *   lora_A's rows and lora_B's columns; it must equal `rank_pattern`'s value for a matching
 *   module (a key matches a module name ending in `.key`) or else `r`;
 * - modules: each LoRA module's name must match `target_modules` (a list of name suffixes, a
 *   full-match regex, or "all-linear": every linear layer but the output head);
 * - full weights: `modules_to_save` and any non-LoRA tensor replace base-model weights outright —
 *   an embedding or lm_head among them changes what every token means or produces;
 * - base model: LoRA shapes must fit the model's tensors, and `base_model_name_or_path` should be
 *   the model the evidence says is deployed.
 */
import { z } from 'zod';
import type { AdapterConfig, TargetModules } from '../formats/index.ts';
import { malformed } from '../formats/reader.ts';
import type { FoundAdapter, ServingFacts } from './adapter-sources.ts';
import type { ModelFacts } from './model-facts.ts';
import { stripPeft, tensorPlace } from './tensor-names.ts';
import type { TensorRef } from './tensors.ts';
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

export interface AuthorizedAdapter {
  name: string;
  sha256: string | null;
}

export interface LoraModule {
  /** Module path without the PEFT prefix, e.g. `model.layers.3.self_attn.q_proj`. */
  module: string;
  layer: number | null;
  a: TensorRef | null;
  b: TensorRef | null;
}

const LORA_RE =
  /^(.*)\.(lora_A|lora_B|lora_embedding_A|lora_embedding_B)(\.[^.]+)?\.weight$|^(.*)\.weight\.(lora_a|lora_b)$/;

/** LoRA pairs by module, from PEFT (`….lora_A.weight`) or GGUF (`….weight.lora_a`) names. */
export function loraModulesOf(tensors: readonly TensorRef[]): { modules: LoraModule[]; other: TensorRef[] } {
  const map = new Map<string, LoraModule>();
  const other: TensorRef[] = [];
  for (const t of tensors) {
    const m = LORA_RE.exec(t.name);
    if (!m) {
      other.push(t);
      continue;
    }
    const module = stripPeft(m[1] ?? m[4] ?? '');
    const part = (m[2] ?? m[5] ?? '').toLowerCase();
    const entry = map.get(module) ?? { module, layer: tensorPlace(`${module}.x`).layer, a: null, b: null };
    if (part.endsWith('a')) entry.a = t;
    else entry.b = t;
    map.set(module, entry);
  }
  return { modules: [...map.values()], other };
}

/** Rank stored for a module: lora_A rows (= lora_B columns when consistent). */
export function storedRank(m: LoraModule): { rank: number | null; consistent: boolean } {
  const ra = m.a?.shape[0] ?? null;
  const rb = m.b ? (m.b.shape[m.b.shape.length - 1] ?? null) : null;
  return { rank: ra ?? rb, consistent: ra === null || rb === null || ra === rb };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** PEFT's rank: the rank_pattern entry whose key matches the module name's end, else r. */
export function declaredRank(cfg: AdapterConfig, module: string): { rank: number | null; by: string } {
  for (const [key, r] of Object.entries(cfg.rankPattern ?? {})) {
    let re: RegExp;
    try {
      re = new RegExp(`(^|\\.)(${key})$`);
    } catch {
      re = new RegExp(`(^|\\.)${escapeRe(key)}$`);
    }
    if (re.test(module)) return { rank: r, by: `rank_pattern ${JSON.stringify(key)}` };
  }
  return { rank: cfg.r, by: 'r' };
}

/** Does target_modules select this module? null when PEFT's per-architecture default applies. */
export function targeted(t: TargetModules, module: string): boolean | null {
  const leaf = module.split('.').at(-1) ?? module;
  switch (t.kind) {
    case 'list':
      return t.modules.some((x) => module === x || module.endsWith(`.${x}`) || leaf === x);
    case 'regex':
      try {
        return new RegExp(`^(?:${t.pattern})$`).test(module);
      } catch {
        return null;
      }
    case 'all-linear':
      return !/(^|\.)(lm_head|output|embed_tokens|wte)$/.test(module);
    case 'default':
      return null;
  }
}

function targetText(t: TargetModules): string {
  if (t.kind === 'list') return `[${t.modules.join(', ')}]`;
  if (t.kind === 'regex') return `/${t.pattern}/`;
  return t.kind;
}

const HEADLIKE = /(^|\.)(lm_head|embed_tokens|wte|word_embeddings|tok_embeddings|output|token_embd)(\.|$)/;

function authorizationItems(a: FoundAdapter, authorized: readonly AuthorizedAdapter[]): CheckItem[] {
  const where = a.dir ?? a.namedBy.map((x) => x.source).join('; ');
  const entry = authorized.find((x) => x.name === a.name);
  const subject = a.dir ?? a.name;
  const details = { adapter: a.name, dir: a.dir, namedBy: a.namedBy, sha256: a.weights?.sha256 ?? null };
  if (!entry)
    return [
      item(
        'fail',
        subject,
        `adapter ${a.name} (${where}) is not authorized${authorized.length === 0 ? ' (no adapter is authorized)' : ''}`,
        { ...details, authorized: false },
      ),
    ];
  if (entry.sha256 && a.weights && entry.sha256.toLowerCase() !== a.weights.sha256)
    return [
      item(
        'fail',
        subject,
        `adapter ${a.name}: ${a.weights.file} sha256 ${short(a.weights.sha256)} is not the authorized ${short(entry.sha256)}`,
        {
          ...details,
          authorized: true,
          expected: entry.sha256,
        },
      ),
    ];
  return [
    item(
      'pass',
      subject,
      `adapter ${a.name} is authorized${entry.sha256 ? ' and its weights match the pinned sha256' : ''}`,
      { ...details, authorized: true },
    ),
  ];
}

function rankItems(a: FoundAdapter, modules: readonly LoraModule[]): CheckItem[] {
  const out: CheckItem[] = [];
  const cfg = a.config?.cfg ?? null;
  for (const m of modules) {
    const { rank, consistent } = storedRank(m);
    const shapes = { loraA: m.a?.shape ?? null, loraB: m.b?.shape ?? null };
    if (!consistent)
      out.push(
        item(
          'fail',
          `${a.name}#${m.module}`,
          `adapter ${a.name}: ${m.module} lora_A and lora_B disagree on the rank`,
          { adapter: a.name, module: m.module, ...shapes },
        ),
      );
    if (!cfg || rank === null) continue;
    const declared = declaredRank(cfg, m.module);
    if (declared.rank !== null && rank !== declared.rank)
      out.push(
        item(
          'fail',
          `${a.name}#${m.module}`,
          `adapter ${a.name}: ${m.layer !== null ? `layer ${m.layer} ` : ''}${m.module} has rank ${rank} in the weights but ${declared.by} declares ${declared.rank}`,
          {
            adapter: a.name,
            module: m.module,
            layer: m.layer,
            storedRank: rank,
            declaredRank: declared.rank,
            declaredBy: declared.by,
            ...shapes,
          },
        ),
      );
  }
  if (cfg && modules.length > 0 && out.length === 0)
    out.push(
      item(
        'pass',
        a.config?.file ?? a.name,
        `adapter ${a.name}: every LoRA pair has the declared rank (r ${cfg.r})`,
        { adapter: a.name, modules: modules.length },
      ),
    );
  return out;
}

function moduleItems(
  a: FoundAdapter,
  modules: readonly LoraModule[],
  other: readonly TensorRef[],
): CheckItem[] {
  const out: CheckItem[] = [];
  const cfg = a.config?.cfg ?? null;
  if (cfg) {
    const outside = modules.filter((m) => targeted(cfg.targetModules, m.module) === false);
    for (const m of outside)
      out.push(
        item(
          'fail',
          `${a.name}#${m.module}`,
          `adapter ${a.name}: LoRA on ${m.module}, outside target_modules ${targetText(cfg.targetModules)}`,
          {
            adapter: a.name,
            module: m.module,
            targetModules: cfg.targetModules,
          },
        ),
      );
    if (modules.length > 0 && outside.length === 0 && cfg.targetModules.kind !== 'default')
      out.push(
        item(
          'pass',
          a.config?.file ?? a.name,
          `adapter ${a.name}: LoRA modules within target_modules ${targetText(cfg.targetModules)}`,
          { adapter: a.name },
        ),
      );
    if (cfg.modulesToSave && cfg.modulesToSave.length > 0)
      out.push(
        item(
          'fail',
          a.config?.file ?? a.name,
          `adapter ${a.name}: modules_to_save [${cfg.modulesToSave.join(', ')}] ships full replacement weights for ${cfg.modulesToSave.join(', ')}${cfg.modulesToSave.some((m) => HEADLIKE.test(m)) ? ' (the output head or embedding: what every token produces or means)' : ''}`,
          { adapter: a.name, modulesToSave: cfg.modulesToSave },
        ),
      );
  }
  for (const t of other)
    out.push(
      item(
        'fail',
        `${a.name}#${t.name}`,
        `adapter ${a.name}: full tensor ${t.name} ${t.dtype} [${t.shape.join(', ')}]${HEADLIKE.test(stripPeft(t.name)) ? ' replaces an embedding/output head' : ' is not a LoRA factor'}`,
        { adapter: a.name, tensor: t.name, shape: t.shape, dtype: t.dtype },
      ),
    );
  return out;
}

/** LoRA factors must fit the base model's tensors; full tensors must have the base shape. */
function fitItems(
  a: FoundAdapter,
  modules: readonly LoraModule[],
  other: readonly TensorRef[],
  model: ModelFacts,
): CheckItem[] {
  if (model.tensors.size === 0) return [];
  const out: CheckItem[] = [];
  for (const m of modules) {
    const base = model.tensors.get(`${m.module}.weight`);
    if (!base) {
      out.push(
        item(
          'fail',
          `${a.name}#${m.module}`,
          `adapter ${a.name}: ${m.module} has no counterpart in the model (different base model?)`,
          { adapter: a.name, module: m.module },
        ),
      );
      continue;
    }
    const inOk = m.a ? m.a.shape[m.a.shape.length - 1] === base.shape[1] : true;
    const outOk = m.b ? m.b.shape[0] === base.shape[0] : true;
    if (!inOk || !outOk)
      out.push(
        item(
          'fail',
          `${a.name}#${m.module}`,
          `adapter ${a.name}: ${m.module} LoRA factors do not fit the model's [${base.shape.join(', ')}] (different base model?)`,
          {
            adapter: a.name,
            module: m.module,
            base: base.shape,
            loraA: m.a?.shape ?? null,
            loraB: m.b?.shape ?? null,
          },
        ),
      );
  }
  for (const t of other) {
    const base = model.tensors.get(stripPeft(t.name));
    if (base && base.shape.join('x') !== t.shape.join('x'))
      out.push(
        item(
          'fail',
          `${a.name}#${t.name}`,
          `adapter ${a.name}: ${t.name} is [${t.shape.join(', ')}], the model's is [${base.shape.join(', ')}]`,
          { adapter: a.name },
        ),
      );
  }
  if (out.length === 0 && modules.length > 0)
    out.push(
      item('pass', a.dir ?? a.name, `adapter ${a.name}: LoRA shapes fit the model's tensors`, {
        adapter: a.name,
      }),
    );
  return out;
}

function baseModelItems(a: FoundAdapter, knownNames: readonly string[]): CheckItem[] {
  const cfg = a.config?.cfg;
  const declared = cfg?.baseModelNameOrPath ?? a.namedBy.find((x) => x.baseModel)?.baseModel ?? null;
  if (!declared) return [];
  const subject = a.config?.file ?? a.name;
  const details = { adapter: a.name, baseModel: declared, knownNames };
  if (knownNames.length === 0)
    return [
      item(
        'info',
        subject,
        `adapter ${a.name}: base model ${declared} not confirmed (no model name in config.json or provenance)`,
        details,
      ),
    ];
  const hit = knownNames.some((k) => k.includes(declared) || declared.includes(k));
  return [
    hit
      ? item(
          'pass',
          subject,
          `adapter ${a.name}: base model ${declared} is the model in the evidence`,
          details,
        )
      : item(
          'fail',
          subject,
          `adapter ${a.name}: base model ${declared} is not the deployed model (${knownNames.join('; ')})`,
          details,
        ),
  ];
}

function adapterItems(a: FoundAdapter, ctx: AuditContext): CheckItem[] {
  const out = authorizationItems(a, ctx.authorized);
  for (const p of a.problems) out.push(item('not-analysed', a.dir ?? a.name, p, { adapter: a.name }));
  if (!a.dir) {
    out.push(
      item(
        'fail',
        a.name,
        `adapter ${a.name} is loaded by ${a.namedBy.map((x) => x.source).join('; ')} but its files are not in the evidence: its weights could not be audited`,
        { adapter: a.name, namedBy: a.namedBy },
      ),
    );
    return out;
  }
  const w = a.weights;
  if (!w)
    out.push(
      item('not-analysed', a.dir, `adapter ${a.name}: no adapter weights in ${a.dir}`, { adapter: a.name }),
    );
  else if (w.format === 'pickle' || w.format === 'other') {
    const verdict = w.pickle?.verdict ?? 'unknown';
    out.push(
      item(
        verdict === 'dangerous' ? 'fail' : 'not-analysed',
        w.file,
        `adapter ${a.name}: ${w.file} is a ${w.format} file (imports ${verdict}); ranks and modules not analysed`,
        { adapter: a.name },
      ),
    );
  } else {
    const { modules, other } = loraModulesOf(w.tensors);
    out.push(
      ...rankItems(a, modules),
      ...moduleItems(a, modules, other),
      ...fitItems(a, modules, other, ctx.model),
    );
  }
  out.push(...baseModelItems(a, ctx.knownBaseNames));
  return out;
}

interface AuditContext {
  authorized: readonly AuthorizedAdapter[];
  model: ModelFacts;
  knownBaseNames: readonly string[];
}

export interface AdapterAuditInput extends AuditContext {
  adapters: FoundAdapter[];
  serving: ServingFacts;
  authorizedSource: string | null;
}

function servingItems(s: ServingFacts, adapters: readonly FoundAdapter[]): CheckItem[] {
  const out: CheckItem[] = [];
  for (const w of s.loraEnabled) out.push(item('info', w, `${w}: LoRA serving enabled (enable-lora)`, {}));
  for (const w of s.runtimeLoraUpdating)
    out.push(
      item(
        'info',
        w,
        `${w}: VLLM_ALLOW_RUNTIME_LORA_UPDATING lets adapters be loaded at runtime, without a trace in the serving config`,
        {},
      ),
    );
  for (const u of s.unreadable) out.push(item('not-analysed', null, u, {}));
  // The serving side naming no adapter is worth saying, but it is not an adapter examined: an
  // adapter can be loaded at runtime, or by a configuration that is not in the evidence.
  if (adapters.length === 0 && s.examined.length > 0)
    out.push(
      item('info', null, `no adapter in the evidence, and none named by ${s.examined.join(', ')}`, {
        examined: s.examined,
      }),
    );
  return out;
}

export function auditAdapters(input: AdapterAuditInput): CheckResult {
  const items: CheckItem[] = [
    ...input.adapters.flatMap((a) => adapterItems(a, input)),
    ...servingItems(input.serving, input.adapters),
  ];
  const reasons = [
    `${n(input.adapters.length, 'adapter')} found: ${input.adapters.map((a) => a.name).join(', ') || 'none'}`,
    input.authorizedSource
      ? `authorized list ${input.authorizedSource}: ${input.authorized.map((a) => a.name).join(', ') || '(empty)'}`
      : 'no authorized list given (--authorized-adapters): no adapter is authorized',
    input.serving.examined.length > 0
      ? `serving side examined: ${input.serving.examined.join(', ')}`
      : 'no serving configuration or deployment manifest to say which adapters were loaded',
  ];
  // Adapters examined: those whose config or weights were read from the evidence.
  const examined = input.adapters
    .filter((a) => a.dir !== null && (a.config !== null || a.weights !== null))
    .map((a) => a.name);
  if (examined.length === 0)
    reasons.push(
      input.adapters.length === 0
        ? 'not analysed: no adapter (adapter config or adapter weights) in the evidence'
        : `not analysed: no adapter could be read (${input.adapters.map((a) => a.name).join(', ')})`,
    );
  const status = statusOf(items, examined);
  const unauthorized = items.filter((i) => i.details.authorized === false).length;
  const counts = countByStatus(items);
  return {
    check: 'adapter-audit',
    title: CHECK_TITLES['adapter-audit'],
    status,
    summary:
      status === 'not-analysed'
        ? examined.length === 0
          ? 'no adapter in the evidence to audit'
          : 'the adapters found could not be audited'
        : `${n(unauthorized, 'unauthorized adapter')}; ${n(counts.fail, 'finding')} against the adapters' declarations`,
    reasons,
    items,
    details: {
      examined,
      adapters: input.adapters.map((a) => ({
        name: a.name,
        dir: a.dir,
        sha256: a.weights?.sha256 ?? null,
        r: a.config?.cfg.r ?? null,
        targetModules: a.config?.cfg.targetModules ?? null,
        modulesToSave: a.config?.cfg.modulesToSave ?? null,
        namedBy: a.namedBy,
      })),
      loraEnabled: input.serving.loraEnabled,
      runtimeLoraUpdating: input.serving.runtimeLoraUpdating,
      counts,
    },
  };
}

const authorizedJson = z.object({
  adapters: z.array(
    z.union([
      z.string().min(1),
      z.object({
        name: z.string().min(1),
        sha256: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, 'sha256 is 64 hex digits')
          .nullish(),
      }),
    ]),
  ),
});

/**
 * `--authorized-adapters FILE`: JSON `{"adapters": [{"name": …, "sha256"?: …}]}` (or plain names
 * in the list), or text with one adapter name per line (`#` starts a comment; an optional second
 * word is a sha256 to pin). Throws `malformed` naming the file.
 */
export function parseAuthorizedAdapters(text: string, label: string): AuthorizedAdapter[] {
  const t = text.replace(/^\ufeff/, '').trim();
  if (t.startsWith('{')) {
    let raw: unknown;
    try {
      raw = JSON.parse(t);
    } catch (err) {
      throw malformed(label, `not valid JSON: ${(err as Error).message}`);
    }
    const parsed = authorizedJson.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw malformed(
        label,
        `${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'} (expected {"adapters":[{"name","sha256"?}]})`,
      );
    }
    return parsed.data.adapters.map((a) =>
      typeof a === 'string'
        ? { name: a, sha256: null }
        : { name: a.name, sha256: a.sha256?.toLowerCase() ?? null },
    );
  }
  const out: AuthorizedAdapter[] = [];
  for (const line of t.split(/\r?\n/)) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const sha = words[1] && /^[0-9a-fA-F]{64}$/.test(words[1]) ? words[1].toLowerCase() : null;
    out.push({ name: words[0] ?? '', sha256: sha });
  }
  return out;
}
