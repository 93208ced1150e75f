import { useState } from 'react';
import type { TimelineEntry, TimelineSource } from '../../../../shared/incident';
import { Badge, FormMessage } from '../../components/Bits';
import { utc } from '../../format';
import { useChange, type Update } from './useChange';

export const TIMELINE_SHOWN = 150;

export function sourceText(s: TimelineSource): string {
  switch (s.kind) {
    case 'custody':
      return `custody seq ${s.seq}`;
    case 'finding':
      return `finding #${s.id} (${s.stage})`;
    case 'window':
      return `compromise window ${s.id}`;
    case 'deployment':
      return `deployment ${s.evidencePath}:${s.line}`;
    case 'manual':
      return `manual, seq ${s.seq}`;
  }
}

export const SOURCE_TONE: Record<TimelineSource['kind'], 'info' | 'neutral' | 'warn' | 'bad' | 'ok'> = {
  custody: 'neutral',
  finding: 'bad',
  window: 'warn',
  deployment: 'info',
  manual: 'ok',
};

export function TimelineSection({ timeline, update }: { timeline: TimelineEntry[]; update: Update }) {
  const [text, setText] = useState('');
  const [at, setAt] = useState('');
  const [all, setAll] = useState(false);
  const { busy, message, send } = useChange(update);
  const shown = all ? timeline : timeline.slice(0, TIMELINE_SHOWN);

  const add = (e: React.FormEvent) => {
    e.preventDefault();
    void send({ kind: 'timeline', text: text.trim(), at: at.trim() }, 'Timeline entry added.').then(
      (done) => {
        if (done) {
          setText('');
          setAt('');
        }
      },
    );
  };

  return (
    <div className="integrity-section" aria-labelledby="pm-timeline-heading">
      <div className="integrity-section-header">
        <h3 id="pm-timeline-heading">Timeline</h3>
        <span className="muted">
          {timeline.length} entries merged from the custody log, the deployment records, the compromise window
          and the findings, with manual entries.
        </span>
      </div>
      <form className="behavior-panel pm-timeline-form" onSubmit={add}>
        <div className="pm-form-row">
          <div className="field field-grow">
            <label htmlFor="pm-timeline-text">What happened</label>
            <input
              id="pm-timeline-text"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="Vendor notified of the tampered tokenizer"
            />
          </div>
          <div className="field">
            <label htmlFor="pm-timeline-at">When (UTC)</label>
            <input
              id="pm-timeline-at"
              className="mono-input"
              value={at}
              onChange={(e) => setAt(e.target.value)}
              placeholder="2026-10-20T10:00:00Z"
              spellCheck={false}
            />
          </div>
          <div className="pm-form-submit">
            <button type="submit" className="btn" disabled={busy || !text.trim() || !at.trim()}>
              Add entry
            </button>
          </div>
        </div>
        <FormMessage message={message} testId="pm-timeline-message" />
      </form>
      <div className="table-wrap pm-timeline-wrap">
        <table className="table table-compact pm-table" data-testid="pm-timeline">
          <thead>
            <tr>
              <th>At (UTC)</th>
              <th>Event</th>
              <th>Actor</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t, i) => (
              <tr key={`${t.at}-${i}`} className={t.source.kind === 'manual' ? 'pm-row-manual' : undefined}>
                <td className="nowrap mono">{utc(t.at)}</td>
                <td>{t.text}</td>
                <td>{t.actor ?? <span className="muted">—</span>}</td>
                <td>
                  <Badge tone={SOURCE_TONE[t.source.kind]}>{sourceText(t.source)}</Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {timeline.length > TIMELINE_SHOWN ? (
        <button type="button" className="btn btn-small pm-more" onClick={() => setAll(!all)}>
          {all ? `Show the first ${TIMELINE_SHOWN}` : `Show all ${timeline.length} entries`}
        </button>
      ) : null}
    </div>
  );
}
