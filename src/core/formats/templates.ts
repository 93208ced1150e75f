/**
 * Jinja templates wherever they hide: stand-alone `.jinja`/`.j2`/`.template` files, chat templates
 * in tokenizer_config.json and GGUF metadata, and Jinja blocks inside YAML configs (serving and
 * prompt configs render them). The constructs found by indicators.ts are weighed by
 * template-rules.ts: sandbox escapes are `dangerous`, template injection is `suspicious`.
 */
import { sstiIndicators } from './indicators.ts';
import { TEMPLATE_RULES } from './template-rules.ts';
import type { FindingList } from './verdict.ts';
import { readFileBounded } from './text.ts';

/** Add one finding per construct of a template's indicator labels. */
export function templateFindings(labels: readonly string[], where: string, findings: FindingList): void {
  for (const label of labels) {
    const level = TEMPLATE_RULES[label] ?? 'suspicious';
    findings.add(
      level,
      `template construct ${JSON.stringify(label)}: ${level === 'dangerous' ? 'Jinja sandbox escape (reaches Python internals or the OS)' : 'template injection an honest chat template has no use for'}`,
      where,
      level === 'dangerous' ? 'code-exec' : null,
    );
  }
}

/** The `{{ … }}`, `{% … %}` and `{# … #}` blocks of a text, joined (the Jinja code, without the prose). */
export function jinjaBlocks(text: string, max = 10_000): string[] {
  const out: string[] = [];
  const re = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < max) out.push(m[0]);
  return out;
}

export interface TemplateConfigResult {
  format: 'yaml' | 'text-template';
  /** Jinja blocks found. */
  blockCount: number;
  constructs: string[];
  problems: string[];
}

const TEXT_MAX = 64 * 1024 * 1024;

/** A YAML (or other text) config: the Jinja blocks it carries, with their constructs. */
export async function scanTemplateConfig(
  file: string,
  format: TemplateConfigResult['format'],
): Promise<TemplateConfigResult> {
  const { text } = await readFileBounded(file, TEXT_MAX);
  const blocks = jinjaBlocks(text);
  const constructs = blocks.length ? sstiIndicators(blocks.join('\n')) : [];
  return { format, blockCount: blocks.length, constructs, problems: [] };
}
