import type { AuditLabel, ReviewItemView } from '../../../../shared/audit';
import { Badge, type Tone } from '../../components/Bits';
import { utc } from '../../format';

export const LABEL_TONE: Record<AuditLabel, Tone> = {
  harmful: 'bad',
  benign: 'ok',
  unsure: 'warn',
  escalate: 'info',
};

export function prettyJson(text: string | null): string {
  if (text === null) return '(no arguments)';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function RecordCard({ item }: { item: ReviewItemView }) {
  const r = item.record;
  return (
    <article className="audit-record" data-testid="audit-record" data-request-id={r.requestId}>
      <header className="audit-record-head">
        <span className="mono">{r.requestId}</span>
        <span>{utc(r.timestamp)}</span>
        <span>user {r.userId ?? <em>none logged</em>}</span>
        {r.conversationId ? <span className="muted">conversation {r.conversationId}</span> : null}
        {r.modelVersion ? <Badge tone="neutral">{r.modelVersion}</Badge> : null}
        {r.downstream ? <Badge tone="warn">used by {r.downstream}</Badge> : null}
        <span className="muted">
          record {item.position} of {item.size} · stratum {item.stratum} · {item.remaining} left in your queue
        </span>
      </header>
      <ol className="audit-messages">
        {r.messages.map((m, i) => (
          <li key={i} className={`audit-msg audit-msg-${m.role}`}>
            <span className="audit-role">{m.role}</span>
            <div className="audit-text">{m.content}</div>
          </li>
        ))}
        <li className="audit-msg audit-msg-response">
          <span className="audit-role">response</span>
          <div className="audit-text" data-testid="audit-response">
            {r.response ?? <em className="muted">no text output</em>}
          </div>
        </li>
      </ol>
      {r.toolCalls.length > 0 ? (
        <div className="audit-tools">
          <h4>Tool calls</h4>
          {r.toolCalls.map((c, i) => {
            const v = item.violations.filter((x) => x.index === i);
            return (
              <div
                key={i}
                className={`audit-tool${v.length ? ' audit-tool-bad' : ''}`}
                data-testid="audit-tool-call"
              >
                <div>
                  <span className="mono">{c.name}</span>
                  {c.callId ? <span className="muted"> {c.callId}</span> : null}{' '}
                  {v.length ? (
                    <Badge tone="bad" testId="audit-violation">
                      unauthorized: {v.map((x) => x.reason).join('; ')}
                    </Badge>
                  ) : null}
                </div>
                <pre className="mono">{prettyJson(c.arguments)}</pre>
              </div>
            );
          })}
        </div>
      ) : null}
      {r.labels.length > 0 ? (
        <div className="audit-history">
          <h4>Labels so far</h4>
          <ul className="plain-list">
            {r.labels.map((l) => (
              <li key={l.id}>
                <Badge tone={LABEL_TONE[l.label]}>{l.label}</Badge> by {l.reviewer} at {utc(l.createdAt)}
                {l.note ? ` — ${l.note}` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <footer className="muted audit-source">
        {r.source.file} line {r.source.line}
        {r.source.item ? ` ${r.source.item}` : ''} ({r.source.format}) · sha256 {r.source.sha256.slice(0, 12)}
        …
      </footer>
    </article>
  );
}
