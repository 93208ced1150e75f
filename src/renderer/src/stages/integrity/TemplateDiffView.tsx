/**
 * The Template & tokenizer check's differences, from the integrity run's items: for each template,
 * its text against the baseline's (template diff view) and, for each conversation whose rendered
 * prompt differs, the rendered diff (RenderedPromptDiff); for each tokenizer, what changed and the
 * token sequences of the prompts under both tokenizers.
 */
import type { IntegrityRun } from '../../../../shared/integrity';
import { LineDiffView, asDiffLines } from './LineDiffView';
import { RenderedPromptDiff, TokenSequences } from './RenderedPromptDiff';

export function TemplateDiffSection({ run }: { run: IntegrityRun | null }) {
  const check = run?.checks.find((c) => c.check === 'template-tokenizer');
  if (!check) return null;
  const templates = check.items.filter((i) => i.details.kind === 'template-compare' && i.status !== 'pass');
  const tokenizers = check.items.filter((i) => i.details.kind === 'tokenizer-compare' && i.status !== 'pass');
  const flagged = check.items.filter(
    (i) => i.status === 'fail' && (i.details.kind === 'constructs' || i.details.kind === 'content-branch'),
  );
  if (templates.length === 0 && tokenizers.length === 0 && flagged.length === 0) return null;
  return (
    <section className="integrity-section" aria-labelledby="templates-heading" data-testid="template-diffs">
      <header className="integrity-section-header">
        <h3 id="templates-heading">Chat templates and tokenizers</h3>
        <span className="muted">
          rendered on {String((check.details.conversations as unknown[] | undefined)?.length ?? '')}{' '}
          conversations
        </span>
      </header>
      {flagged.length ? (
        <ul>
          {flagged.map((i, k) => (
            <li key={k}>{i.summary}</li>
          ))}
        </ul>
      ) : null}
      {templates.map((i, k) => (
        <article key={`t${k}`} className="template-diff" data-testid="template-diff">
          <h4 className="mono">{i.subject}</h4>
          <p>{i.summary}</p>
          <RenderedPromptDiff renders={i.details.renders} />
          <details>
            <summary>Template text: baseline − / case +</summary>
            <LineDiffView
              lines={asDiffLines(i.details.textDiff)}
              label={`template text diff of ${i.subject ?? ''}`}
            />
          </details>
        </article>
      ))}
      {tokenizers.map((i, k) => (
        <article key={`k${k}`} className="tokenizer-diff" data-testid="tokenizer-diff">
          <h4 className="mono">{i.subject}</h4>
          <p>{i.summary}</p>
          <TokenSequences sequences={i.details.sequences} />
        </article>
      ))}
    </section>
  );
}
