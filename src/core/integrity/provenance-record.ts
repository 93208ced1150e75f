/**
 * A provenance chain from either form the evidence may hold it in:
 * - a `probity.provenance/v1` record, JSON or YAML (provenance-schema.ts);
 * - the playbook's Markdown form (Supply Chain Investigation, "Map the model's provenance chain"):
 *
 *   ## Model Provenance Chain
 *   1. **Base model**: [provider, model name, version, release date]
 *      - Source: … - Downloaded by: … - Downloaded on: … - Original checksums verified: [yes/no]
 *   2. **微調** (Fine-tuning): - 訓練資料: … - Training job ID: … - 輸出 checksums: [hashes]
 *   3. **Post-processing**: - Process: … - Tools used: … - Who performed: … - 輸出 checksums: [hashes]
 *   4. **Deployment**: - Deployed by: … - Deployed on: … - Deployment method: … - Runtime configuration: …
 *
 *   Checksums are read from an "Output checksums" / "輸出 checksums" / "Checksums" bullet, either
 *   inline (bare hashes) or as nested bullets `` `path`: `hash` ``. Other checksum bullets (an
 *   "Adapter checksum") are kept as notes, not as the step's outputs. The template printed on one
 *   line (as the playbook's plain-text copy has it) is split back into lines first.
 */
import { decodeUtf8Strict } from '../formats/text.ts';
import { malformed } from '../formats/reader.ts';
import { parseProvenanceRecord, type ProvenanceStageName } from './provenance-schema.ts';

export interface ChainHash {
  /** Path within the model folder, or null when the record lists bare hashes. */
  path: string | null;
  sha256: string;
}

export interface ChainStep {
  stage: ProvenanceStageName;
  title: string;
  description: string;
  source: string | null;
  performedBy: string | null;
  performedAt: string | null;
  inputs: ChainHash[] | null;
  outputs: ChainHash[];
  /** "Original checksums verified: yes/no" (Markdown), or null when not stated. */
  originalChecksumsVerified: boolean | null;
  /** Other fields as written (Markdown bullets, JSON notes/tools). */
  fields: Record<string, string>;
}

export interface ProvenanceChain {
  file: string;
  format: 'probity.provenance/v1' | 'markdown';
  model: string | null;
  steps: ChainStep[];
  problems: string[];
}

export function chainFromRecordText(text: string, file: string): ProvenanceChain {
  const r = parseProvenanceRecord(text, file);
  return {
    file,
    format: 'probity.provenance/v1',
    model: r.model,
    problems: [],
    steps: r.steps.map((s) => ({
      stage: s.stage,
      title: s.stage,
      description: s.description,
      source: s.source ?? null,
      performedBy: s.performedBy,
      performedAt: s.performedAt,
      inputs: s.inputs ?? null,
      outputs: s.outputs,
      originalChecksumsVerified: null,
      fields: {
        ...(s.notes ? { notes: s.notes } : {}),
        ...(s.tools ? { tools: s.tools.map((t) => `${t.name} ${t.version}`).join(', ') } : {}),
      },
    })),
  };
}

export function stageOfTitle(title: string): ProvenanceStageName | null {
  if (/base\s*model/i.test(title)) return 'base-model';
  if (/微調|fine[-\s]?tun/i.test(title)) return 'fine-tuning';
  if (/post[-\s]?process|quantiz|conver/i.test(title)) return 'post-processing';
  if (/deploy/i.test(title)) return 'deployment';
  return null;
}

const HEX = /\b[0-9a-fA-F]{64}\b/g;
const STEP_RE = /^\s*(\d+)\.\s+\*\*(.+?)\*\*\s*:?\s*(.*)$/;
const BULLET_RE = /^(\s*)[-*+]\s+(.*)$/;
const HASH_ENTRY_RE = /^`?([^`]+?)`?\s*:\s*`?([0-9a-fA-F]{64})`?\s*(?:\(.*\))?$/;

/** The lines of the "Model Provenance Chain" section, or null when there is none. */
function chainSection(text: string): string[] | null {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^#{1,6}\s*Model Provenance Chain\b/i.test(l.trim()));
  if (start < 0) return null;
  const level = /^(#+)/.exec(lines[start]?.trim() ?? '')?.[1]?.length ?? 2;
  const head = (lines[start] ?? '').trim().replace(/^#+\s*Model Provenance Chain\s*/i, '');
  const body: string[] = head ? [head] : [];
  for (const l of lines.slice(start + 1)) {
    const h = /^(#+)\s/.exec(l.trim());
    if (h && (h[1]?.length ?? 0) <= level) break;
    body.push(l);
  }
  return body.flatMap(splitFlattened);
}

/** A template flattened onto one line: break before "N. **" and before " - Key:". */
function splitFlattened(line: string): string[] {
  const steps = (line.match(/\d+\.\s+\*\*/g) ?? []).length;
  const bullets = (line.match(/\s-\s+[^\s-][^:]{0,60}:/g) ?? []).length;
  if (steps < 2 && bullets < 2) return [line];
  return line
    .replace(/\s+(?=\d+\.\s+\*\*)/g, '\n')
    .replace(/\s+-\s+(?=[^\s-][^:\n]{0,60}:)/g, '\n   - ')
    .split('\n');
}

type Target = 'outputs' | 'inputs' | 'other' | null;

function keyTarget(key: string): Target {
  if (/^(output|輸出)\s*checksums?/i.test(key) || /^checksums?\b/i.test(key)) return 'outputs';
  if (/^input\s*checksums?/i.test(key)) return 'inputs';
  if (/checksum|sha-?256|hash/i.test(key)) return 'other';
  return null;
}

interface StepBuilder {
  step: ChainStep;
  target: Target;
  targetIndent: number;
  other: ChainHash[];
}

function newStep(title: string, description: string, stage: ProvenanceStageName): StepBuilder {
  return {
    step: {
      stage,
      title,
      description,
      source: null,
      performedBy: null,
      performedAt: null,
      inputs: null,
      outputs: [],
      originalChecksumsVerified: null,
      fields: {},
    },
    target: null,
    targetIndent: 0,
    other: [],
  };
}

function addHash(b: StepBuilder, h: ChainHash): void {
  if (b.target === 'outputs') b.step.outputs.push(h);
  else if (b.target === 'inputs') (b.step.inputs ??= []).push(h);
  else if (b.target === 'other') b.other.push(h);
}

function field(b: StepBuilder, key: string, value: string, indent: number): void {
  const s = b.step;
  s.fields[key] = value;
  const k = key.toLowerCase();
  if (/original checksums? verified/.test(k)) {
    s.originalChecksumsVerified = /^\s*\[?\s*(yes|true|y|verified)\b/i.test(value)
      ? true
      : /^\s*\[?\s*(no|false|n|not)\b/i.test(value)
        ? false
        : null;
    return;
  }
  if (k === 'source') s.source = value;
  else if (/(downloaded|deployed|performed) by|who performed/.test(k)) s.performedBy = value;
  else if (/(downloaded|deployed|performed) on|^date$/.test(k)) s.performedAt = value;
  const target = keyTarget(key);
  if (target) {
    b.target = target;
    b.targetIndent = indent;
    for (const m of value.matchAll(HEX)) addHash(b, { path: null, sha256: m[0].toLowerCase() });
  }
}

function bullet(b: StepBuilder, indent: number, content: string): void {
  if (b.target && indent > b.targetIndent) {
    const entry = HASH_ENTRY_RE.exec(content.trim());
    if (entry && entry[1] !== undefined && entry[2] !== undefined) {
      addHash(b, { path: entry[1].trim(), sha256: entry[2].toLowerCase() });
      return;
    }
    const bare = content.match(HEX);
    if (bare && content.replace(HEX, '').replace(/[`\s,]/g, '') === '') {
      for (const h of bare) addHash(b, { path: null, sha256: h.toLowerCase() });
      return;
    }
  }
  if (indent <= b.targetIndent) b.target = null;
  const kv = /^\*{0,2}([^:*]{1,80}?)\*{0,2}\s*:\s*(.*)$/.exec(content.trim());
  if (kv && kv[1] !== undefined) field(b, kv[1].trim(), (kv[2] ?? '').trim(), indent);
}

/** Parse the playbook's Markdown provenance chain (throws `malformed` when there is none). */
export function chainFromMarkdown(text: string, file: string): ProvenanceChain {
  const lines = chainSection(text);
  if (!lines) throw malformed(file, 'no "## Model Provenance Chain" section');
  const steps: StepBuilder[] = [];
  const problems: string[] = [];
  let cur: StepBuilder | null = null;
  for (const line of lines) {
    const s = STEP_RE.exec(line);
    if (s && s[2] !== undefined) {
      const stage = stageOfTitle(s[2]);
      if (!stage) {
        problems.push(`step ${s[1]} "${s[2]}" is not a stage of the playbook's chain (skipped)`);
        cur = null;
        continue;
      }
      cur = newStep(s[2], (s[3] ?? '').trim(), stage);
      steps.push(cur);
      continue;
    }
    const bl = BULLET_RE.exec(line);
    if (cur && bl && bl[2] !== undefined) bullet(cur, (bl[1] ?? '').length, bl[2]);
  }
  if (steps.length === 0)
    throw malformed(file, 'the Model Provenance Chain section has no numbered **stage** steps');
  for (const b of steps)
    if (b.other.length > 0)
      b.step.fields['other checksums'] = b.other
        .map((h) => (h.path ? `${h.path}: ${h.sha256}` : h.sha256))
        .join(', ');
  return { file, format: 'markdown', model: null, steps: steps.map((b) => b.step), problems };
}

/** Read a provenance evidence file by its name: Markdown, else JSON/YAML record. */
export function chainFromBytes(bytes: Uint8Array, file: string): ProvenanceChain {
  const text = decodeUtf8Strict(file, bytes).replace(/^\ufeff/, '');
  if (/\.(md|markdown|txt)$/i.test(file) || /^#{1,6}\s*Model Provenance Chain/im.test(text))
    return chainFromMarkdown(text, file);
  return chainFromRecordText(text, file);
}
