/**
 * The fifth integrity check, "Template & tokenizer": a chat template is code that runs on every
 * request and the weights can be clean while it is not.
 *
 * - Every chat template of the case is read whole (chat-templates.ts); the scanner's template
 *   constructs apply to each, and a template whose `{% if %}` tests read message content (not
 *   only roles) is flagged.
 * - Against the baseline case, each template is matched with the baseline's (same file and key,
 *   else same kind of file and name), its text diffed, and both rendered on the fixed conversation
 *   set (template-render.ts, including one conversation per known trigger); each conversation
 *   whose rendered prompt differs is named with the diff.
 * - Each tokenizer.json and GGUF tokenizer is compared with the baseline's (tokenizer-compare.ts),
 *   and the suspect's rendered prompts are tokenized by both tokenizers, the sequences compared.
 *
 * Verdicts: fail on any construct, content branch or difference; pass only when at least one
 * template or tokenizer was compared with the baseline and matched; otherwise not analysed.
 */
import path from 'node:path';
import { readGgufHeader } from '../formats/gguf.ts';
import { latestFindings } from '../store/findings.ts';
import type { CaseStore } from '../store/workstation.ts';
import { rel, type CaseFile, type CaseFiles } from './case-files.ts';
import { extractTemplates, type ChatTemplate } from './chat-templates.ts';
import { lineDiff, type DiffLine } from './line-diff.ts';
import { reasonOf, withLabel } from './relabel.ts';
import { conversationSet, renderAll, type Conversation, type RenderOutcome } from './template-render.ts';
import {
  compareGgufTokenizer,
  compareSequences,
  compareTokenizerJson,
  idsOf,
  loadTokenizerJson,
  makeTokenizer,
  type LoadedTokenizer,
  type SequenceDiff,
  type TokenizerDiff,
} from './tokenizer-compare.ts';
import { CHECK_TITLES, item, n, statusOf, type CheckItem, type CheckResult } from './types.ts';

export const CHECK = 'template-tokenizer' as const;

/** Trigger strings known to the case: the behavior stage's trigger scan (latest run). */
export function caseTriggers(store: CaseStore): string[] {
  const out = new Set<string>();
  for (const f of latestFindings(store, 'behavior'))
    if (f.check === 'trigger' && typeof f.subject === 'string' && f.subject.trim() !== '') out.add(f.subject);
  return [...out];
}

/** One conversation's renderings under the suspect and the baseline template. */
export interface RenderedPair {
  conversation: string;
  title: string;
  same: boolean | null;
  suspect: RenderOutcome;
  baseline: RenderOutcome;
  diff: DiffLine[];
}

function sourceKind(file: string): string {
  const b = path.posix.basename(file).toLowerCase();
  if (b.endsWith('.gguf')) return 'gguf';
  if (b.endsWith('.jinja')) return 'jinja';
  return b;
}

function label(t: ChatTemplate): string {
  return `${t.file} ${t.key === t.file ? '' : `${t.key} `}(template ${JSON.stringify(t.name)})`.replace(
    '  ',
    ' ',
  );
}

/**
 * Pair each template with the baseline's: the same file and key, else the same kind of file and
 * name; then, for what is left, the same name in another kind of file (a chat_template.jinja added
 * beside tokenizer_config.json replaces its template, so it is compared with the one it replaces).
 */
function matchTemplates(
  cf: CaseFiles,
  mine: readonly ChatTemplate[],
  base: CaseFiles,
  theirs: readonly ChatTemplate[],
): { pairs: [ChatTemplate, ChatTemplate | null][]; unmatched: ChatTemplate[] } {
  const used = new Set<ChatTemplate>();
  const found = new Map<ChatTemplate, ChatTemplate>();
  const take = (t: ChatTemplate, test: (b: ChatTemplate) => boolean): void => {
    if (found.has(t)) return;
    const b = theirs.find((x) => !used.has(x) && test(x));
    if (b) {
      used.add(b);
      found.set(t, b);
    }
  };
  for (const t of mine) take(t, (b) => rel(base, b.file) === rel(cf, t.file) && b.key === t.key);
  for (const t of mine) take(t, (b) => sourceKind(b.file) === sourceKind(t.file) && b.name === t.name);
  for (const t of mine) take(t, (b) => b.name === t.name);
  // A replacement may also be compared with a template the baseline already paired.
  for (const t of mine)
    if (!found.has(t)) {
      const b = theirs.find((x) => x.name === t.name);
      if (b) found.set(t, b);
    }
  return { pairs: mine.map((t) => [t, found.get(t) ?? null]), unmatched: theirs.filter((b) => !used.has(b)) };
}

async function renderPairs(
  t: ChatTemplate,
  b: ChatTemplate,
  convs: readonly Conversation[],
): Promise<RenderedPair[]> {
  const [mine, theirs] = await Promise.all([renderAll(t.text, convs), renderAll(b.text, convs)]);
  return convs.map((c, i) => {
    const s = mine[i] ?? { ok: false, reason: 'not rendered' };
    const r = theirs[i] ?? { ok: false, reason: 'not rendered' };
    const same = s.ok && r.ok ? s.text === r.text : null;
    return {
      conversation: c.name,
      title: c.title,
      same,
      suspect: s,
      baseline: r,
      diff: s.ok && r.ok && !same ? lineDiff(r.text, s.text).lines : [],
    };
  });
}

function templateItems(t: ChatTemplate): CheckItem[] {
  const out: CheckItem[] = [];
  if (t.constructs.length)
    out.push(
      item(
        'fail',
        t.file,
        `${label(t)}: template constructs ${t.constructs.map((c) => `${c.label} (${c.level})`).join(', ')} (read to the end, ${t.text.length.toLocaleString('en-US')} characters)`,
        { kind: 'constructs', key: t.key, name: t.name, constructs: t.constructs, length: t.text.length },
      ),
    );
  if (t.contentBranches.length)
    out.push(
      item(
        'fail',
        t.file,
        `${label(t)} branches on message content, not only on roles: ${t.contentBranches[0]}`,
        {
          kind: 'content-branch',
          key: t.key,
          name: t.name,
          branches: t.contentBranches,
        },
      ),
    );
  return out;
}

interface TokenizerPair {
  mine: CaseFile;
  theirs: CaseFile;
}

function pairFiles(cf: CaseFiles, base: CaseFiles, test: (p: string) => boolean): TokenizerPair[] {
  const mine = cf.files.filter((f) => test(f.path));
  const theirs = base.files.filter((f) => test(f.path));
  const out: TokenizerPair[] = [];
  for (const f of mine) {
    const b =
      theirs.find((x) => rel(base, x.path) === rel(cf, f.path)) ??
      (mine.length === 1 && theirs.length === 1 ? theirs[0] : undefined) ??
      theirs.find((x) => path.posix.basename(x.path) === path.posix.basename(f.path));
    if (b) out.push({ mine: f, theirs: b });
  }
  return out;
}

function sibling(files: CaseFiles, f: CaseFile, name: string): CaseFile | null {
  const dir = path.posix.dirname(f.path);
  return files.byPath.get(dir === '.' ? name : `${dir}/${name}`) ?? null;
}

const isTokenizerJson = (p: string): boolean => path.posix.basename(p) === 'tokenizer.json';
const isGguf = (p: string): boolean => p.toLowerCase().endsWith('.gguf');

function clipSeq(d: SequenceDiff): SequenceDiff {
  const from = Math.max(0, (d.firstDifference ?? 0) - 8);
  const cut = (s: SequenceDiff['baseline']): SequenceDiff['baseline'] => ({
    ids: s.ids.slice(from, from + 64),
    tokens: s.tokens.slice(from, from + 64),
  });
  return { ...d, baseline: cut(d.baseline), suspect: cut(d.suspect) };
}

export interface TemplateTokenizerInput {
  triggers: readonly string[];
}

export async function checkTemplatesTokenizers(
  cf: CaseFiles,
  base: CaseFiles | null,
  input: TemplateTokenizerInput,
): Promise<CheckResult> {
  const items: CheckItem[] = [];
  const reasons: string[] = [];
  const examined: string[] = [];
  const mine = await extractTemplates(cf);
  for (const u of mine.unreadable)
    items.push(item('not-analysed', u.file, `${u.file}: template not read: ${u.reason}`));
  for (const t of mine.templates) items.push(...templateItems(t));
  // The tokenizers first: a special token added to the case's tokenizer is a candidate trigger, so
  // it joins the conversation set beside the known triggers.
  const tokenizerPairs: { p: TokenizerPair; a: LoadedTokenizer; b: LoadedTokenizer; diff: TokenizerDiff }[] =
    [];
  if (base) {
    const paired = pairFiles(cf, base, isTokenizerJson);
    for (const f of cf.files.filter((x) => isTokenizerJson(x.path) && !paired.some((p) => p.mine === x)))
      items.push(item('not-analysed', f.path, `${f.path}: not compared: the baseline has no tokenizer.json`));
    for (const p of paired) {
      try {
        const a = await loadTokenizerJson(p.mine, sibling(cf, p.mine, 'tokenizer_config.json'));
        const b = await loadTokenizerJson(p.theirs, sibling(base, p.theirs, 'tokenizer_config.json'));
        tokenizerPairs.push({ p, a, b, diff: compareTokenizerJson(a, b) });
      } catch (err) {
        items.push(
          item('not-analysed', p.mine.path, `${p.mine.path}: tokenizer not compared: ${reasonOf(err)}`),
        );
      }
    }
  }
  const addedSpecial = tokenizerPairs.flatMap(({ diff }) => [
    ...diff.addedTokens.added.filter((t) => t.special).map((t) => t.content),
    ...diff.addedTokens.changed.filter((t) => t.to.special && !t.from.special).map((t) => t.content),
  ]);
  const triggers = [...new Set([...input.triggers, ...addedSpecial])].filter((t) => t.trim() !== '');
  const convs = conversationSet(triggers);
  /** The suspect's rendered prompts, by conversation, to tokenize. */
  const prompts = new Map<string, string>();
  let templatesCompared = 0;

  if (!base) {
    reasons.push('no baseline case: templates and tokenizers were read but not compared');
  } else {
    const theirs = await extractTemplates(base);
    const { pairs, unmatched } = matchTemplates(cf, mine.templates, base, theirs.templates);
    for (const [t, b] of pairs) {
      if (!b) {
        items.push(
          item('fail', t.file, `${label(t)} has no counterpart in the baseline`, {
            kind: 'template-added',
            key: t.key,
            name: t.name,
          }),
        );
        continue;
      }
      examined.push(t.file);
      templatesCompared++;
      const rendered = await renderPairs(t, b, convs);
      for (const r of rendered)
        if (r.suspect.ok && !prompts.has(r.conversation)) prompts.set(r.conversation, r.suspect.text);
      const details = {
        kind: 'template-compare',
        key: t.key,
        name: t.name,
        baselineFile: b.file,
        sha256: t.sha256,
        baselineSha256: b.sha256,
        textDiff: t.sha256 === b.sha256 ? [] : lineDiff(b.text, t.text).lines,
        renders: rendered.map((r) => ({
          conversation: r.conversation,
          title: r.title,
          same: r.same,
          suspect: r.suspect.ok ? null : r.suspect.reason,
          baseline: r.baseline.ok ? null : r.baseline.reason,
          diff: r.diff,
        })),
      };
      const differing = rendered.filter((r) => r.same === false);
      const failedHere = rendered.filter((r) => !r.suspect.ok && r.baseline.ok);
      const unrendered = rendered.filter((r) => r.same === null && !failedHere.includes(r));
      if (differing.length || failedHere.length) {
        const first = differing[0];
        const shown =
          first?.diff
            .filter((l) => l.op !== ' ')
            .slice(0, 2)
            .map((l) => `${l.op}${l.text}`)
            .join(' ') ?? '';
        items.push(
          item(
            'fail',
            t.file,
            `${label(t)} renders differently from the baseline's ${b.file} for ${[...differing, ...failedHere].map((r) => `"${r.conversation}" (${r.title})`).join(', ')}${
              first
                ? `: ${shown.slice(0, 300)}`
                : `: ${failedHere[0]?.suspect.ok === false ? failedHere[0].suspect.reason : ''}`
            }`,
            details,
          ),
        );
      } else if (unrendered.length) {
        items.push(
          item(
            'not-analysed',
            t.file,
            `${label(t)}: ${unrendered.length} of ${rendered.length} conversations could not be rendered on both sides (${
              unrendered[0]?.suspect.ok === false
                ? unrendered[0].suspect.reason
                : unrendered[0]?.baseline.ok === false
                  ? unrendered[0].baseline.reason
                  : ''
            })`,
            details,
          ),
        );
      } else {
        items.push(
          item(
            'pass',
            t.file,
            t.sha256 === b.sha256
              ? `${label(t)} is identical to the baseline's and renders the same on ${n(rendered.length, 'conversation')}`
              : `${label(t)} differs in text from the baseline's but renders the same on ${n(rendered.length, 'conversation')}`,
            details,
          ),
        );
      }
    }
    for (const b of unmatched)
      items.push(
        item('fail', b.file, `the baseline's ${label(b)} is missing from the case`, {
          kind: 'template-removed',
          key: b.key,
          name: b.name,
        }),
      );
    for (const u of theirs.unreadable) reasons.push(`baseline ${u.file}: template not read: ${u.reason}`);

    // tokenizer.json against the baseline's, and the suspect's prompts under both.
    const texts =
      prompts.size > 0
        ? [...prompts.entries()]
        : convs.map((c) => [c.name, c.messages.map((m) => m.content).join('\n')] as [string, string]);
    for (const { p, a, b, diff } of tokenizerPairs) {
      try {
        examined.push(p.mine.path);
        const encA = makeTokenizer(a);
        const encB = makeTokenizer(b);
        const baseIds = idsOf(b);
        const sequences = texts
          .map(([conversation, text]) => ({
            conversation,
            ...compareSequences(encA(text), encB(text), baseIds),
          }))
          .filter((s) => s.firstDifference !== null)
          .map((s) => ({ ...clipSeq(s), conversation: s.conversation }));
        const differs = diff.lines.length > 0 || sequences.length > 0;
        const first = sequences[0];
        items.push(
          item(
            differs ? 'fail' : 'pass',
            p.mine.path,
            differs
              ? `${p.mine.path} differs from the baseline's ${p.theirs.path}: ${diff.lines.slice(0, 3).join('; ')}${
                  first
                    ? `; "${first.conversation}" tokenizes to ${first.suspect.ids.length > 0 ? `[${first.suspect.ids.slice(0, 12).join(', ')}]` : '[]'} against the baseline's [${first.baseline.ids.slice(0, 12).join(', ')}]`
                    : ''
                }`
              : `${p.mine.path} matches the baseline's ${p.theirs.path} (vocabulary, merges, added tokens, normalizer, pre-tokenizer, post-processor, decoder; ${n(texts.length, 'prompt')} tokenized the same)`,
            { kind: 'tokenizer-compare', baselineFile: p.theirs.path, diff, sequences },
          ),
        );
      } catch (err) {
        items.push(
          item('not-analysed', p.mine.path, `${p.mine.path}: tokenizer not compared: ${reasonOf(err)}`),
        );
      }
    }
    for (const p of pairFiles(cf, base, isGguf)) {
      try {
        const a = await withLabel(p.mine.object, p.mine.path, () => readGgufHeader(p.mine.object));
        const b = await withLabel(p.theirs.object, p.theirs.path, () => readGgufHeader(p.theirs.object));
        if (!a.tokenizer && !b.tokenizer) continue;
        const lines = compareGgufTokenizer(a, b);
        examined.push(p.mine.path);
        items.push(
          item(
            lines.length ? 'fail' : 'pass',
            p.mine.path,
            lines.length
              ? `${p.mine.path} tokenizer metadata differs from ${p.theirs.path}: ${lines.slice(0, 4).join('; ')}`
              : `${p.mine.path} tokenizer metadata matches ${p.theirs.path} (model, pre-tokenizer, counts, special token ids)`,
            { kind: 'gguf-tokenizer', baselineFile: p.theirs.path, lines },
          ),
        );
      } catch (err) {
        items.push(
          item('not-analysed', p.mine.path, `${p.mine.path}: GGUF tokenizer not compared: ${reasonOf(err)}`),
        );
      }
    }
    if (templatesCompared === 0 && mine.templates.length === 0) reasons.push('no chat template in the case');
    reasons.push(`conversations rendered: ${convs.map((c) => c.name).join(', ')}`);
  }
  const status = statusOf(items, examined);
  const fails = items.filter((i) => i.status === 'fail').length;
  const summary =
    mine.templates.length === 0 && examined.length === 0
      ? 'no chat template or tokenizer examined'
      : `${n(mine.templates.length, 'chat template')} read whole, ${n(templatesCompared, 'template')} rendered against the baseline on ${n(convs.length, 'conversation')}; ${
          fails ? `${n(fails, 'difference')} found` : status === 'pass' ? 'no difference' : 'not compared'
        }`;
  return {
    check: CHECK,
    title: CHECK_TITLES[CHECK],
    status,
    summary,
    reasons,
    items,
    details: {
      templates: mine.templates.map((t) => ({
        file: t.file,
        key: t.key,
        name: t.name,
        length: t.text.length,
        sha256: t.sha256,
      })),
      conversations: convs.map((c) => ({ name: c.name, title: c.title })),
      triggers,
      /** Special tokens added to the case's tokenizer, rendered as candidate triggers. */
      addedSpecialTokens: [...new Set(addedSpecial)],
    },
  };
}
