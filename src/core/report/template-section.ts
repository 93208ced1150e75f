/**
 * What report.json and report.html show of the Template & tokenizer integrity check, read from the
 * findings the integrity stage recorded (never recomputed): each template that renders differently
 * from the baseline's, with the conversations and the rendered diff, and each tokenizer that
 * differs, with the token sequences of the prompts under both tokenizers.
 */
import type { StageReport } from '../incident/stages';

export interface DiffLineView {
  op: string;
  text: string;
}

export interface TemplateDifference {
  findingId: number;
  subject: string;
  summary: string;
  textDiff: DiffLineView[];
  conversations: { conversation: string; title: string; diff: DiffLineView[] }[];
}

export interface TokenizerDifference {
  findingId: number;
  subject: string;
  summary: string;
  lines: string[];
  sequences: {
    conversation: string;
    baseline: number[];
    suspect: number[];
    suspectTokens: string[];
    baselineTokens: string[];
  }[];
}

export interface TemplateReport {
  templates: TemplateDifference[];
  tokenizers: TokenizerDifference[];
}

function lines(v: unknown): DiffLineView[] {
  return Array.isArray(v)
    ? v.flatMap((l) =>
        l && typeof l === 'object' && typeof (l as DiffLineView).text === 'string'
          ? [{ op: String((l as DiffLineView).op), text: (l as DiffLineView).text }]
          : [],
      )
    : [];
}

const nums = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function templateReport(stages: readonly StageReport[]): TemplateReport {
  const out: TemplateReport = { templates: [], tokenizers: [] };
  const integrity = stages.find((s) => s.stage === 'integrity');
  for (const f of integrity?.findings ?? []) {
    if (f.check !== 'template-tokenizer' || f.status !== 'fail' || f.subject === null) continue;
    const d = f.details;
    if (d.kind === 'template-compare') {
      const renders = Array.isArray(d.renders) ? (d.renders as Record<string, unknown>[]) : [];
      out.templates.push({
        findingId: f.id,
        subject: f.subject,
        summary: f.summary,
        textDiff: lines(d.textDiff),
        conversations: renders
          .filter((r) => r.same === false)
          .map((r) => ({
            conversation: String(r.conversation),
            title: String(r.title),
            diff: lines(r.diff),
          })),
      });
    } else if (d.kind === 'tokenizer-compare') {
      const diff = (d.diff ?? {}) as { lines?: unknown };
      const seqs = Array.isArray(d.sequences) ? (d.sequences as Record<string, unknown>[]) : [];
      out.tokenizers.push({
        findingId: f.id,
        subject: f.subject,
        summary: f.summary,
        lines: strs(diff.lines),
        sequences: seqs.map((s) => {
          const b = (s.baseline ?? {}) as { ids?: unknown; tokens?: unknown };
          const a = (s.suspect ?? {}) as { ids?: unknown; tokens?: unknown };
          return {
            conversation: String(s.conversation),
            baseline: nums(b.ids),
            suspect: nums(a.ids),
            baselineTokens: strs(b.tokens),
            suspectTokens: strs(a.tokens),
          };
        }),
      });
    }
  }
  return out;
}
