/**
 * The rendered-prompt diff view: each conversation of the fixed set whose prompt, rendered by the
 * case's template, differs from the baseline's rendering (or that could not be rendered), and the
 * token sequences of those prompts under the baseline's and the case's tokenizers.
 */
import { LineDiffView, asDiffLines } from './LineDiffView';

interface RenderRow {
  conversation: string;
  title: string;
  same: boolean | null;
  suspect: string | null;
  baseline: string | null;
  diff: unknown;
}

function rows(v: unknown): RenderRow[] {
  return Array.isArray(v) ? (v as RenderRow[]).filter((r) => r && typeof r.conversation === 'string') : [];
}

export function RenderedPromptDiff({ renders }: { renders: unknown }) {
  const list = rows(renders);
  const shown = list.filter((r) => r.same !== true);
  const same = list.length - shown.length;
  return (
    <div data-testid="rendered-diffs">
      {shown.map((r) => (
        <div key={r.conversation}>
          <h5>
            Conversation “{r.conversation}” ({r.title}):{' '}
            {r.same === false
              ? 'rendered prompt differs (baseline − / case +)'
              : 'not rendered on both sides'}
          </h5>
          {r.same === false ? (
            <LineDiffView lines={asDiffLines(r.diff)} label={`rendered prompt diff for ${r.conversation}`} />
          ) : (
            <p className="muted">
              {r.suspect ? `Case: ${r.suspect}. ` : ''}
              {r.baseline ? `Baseline: ${r.baseline}.` : ''}
            </p>
          )}
        </div>
      ))}
      {same ? (
        <p className="muted">{same} other conversations render the same prompt under both templates.</p>
      ) : null}
    </div>
  );
}

interface Seq {
  conversation: string;
  baseline: { ids: number[]; tokens: string[] };
  suspect: { ids: number[]; tokens: string[] };
  newIds: { id: number; token: string }[];
}

export function TokenSequences({ sequences }: { sequences: unknown }) {
  const list = Array.isArray(sequences) ? (sequences as Seq[]) : [];
  if (list.length === 0)
    return <p className="muted">Every prompt tokenizes the same under both tokenizers.</p>;
  return (
    <div data-testid="token-sequences">
      {list.map((s) => {
        const fresh = new Set(s.newIds.map((x) => x.id));
        return (
          <div key={s.conversation}>
            <h5>Conversation “{s.conversation}” tokenized</h5>
            <p className="token-row">
              <strong>baseline</strong>{' '}
              {s.baseline.ids.map((id, i) => (
                <span key={i} title={JSON.stringify(s.baseline.tokens[i] ?? '')}>
                  {id}{' '}
                </span>
              ))}
            </p>
            <p className="token-row">
              <strong>case</strong>{' '}
              {s.suspect.ids.map((id, i) => (
                <span
                  key={i}
                  className={fresh.has(id) ? 'token-new' : undefined}
                  title={JSON.stringify(s.suspect.tokens[i] ?? '')}
                >
                  {id}{' '}
                </span>
              ))}
            </p>
            {s.newIds.length ? (
              <p>New in the case: {s.newIds.map((x) => `${x.id} ${JSON.stringify(x.token)}`).join(', ')}</p>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
