import { MANUAL_CHECKLIST_ITEMS, type IncidentChecklistItem } from '../../../../shared/incident';
import { Badge, type Tone } from '../../components/Bits';
import type { Stage } from '../../store';
import type { Update } from './useChange';
import { ManualNote } from './ManualNote';

export const ITEM_TONE: Record<IncidentChecklistItem['status'], Tone> = {
  recorded: 'ok',
  partial: 'warn',
  open: 'bad',
  'not-recorded': 'neutral',
};

/** A report anchor as a place in the app, where there is one. */
export function appLink(caseId: string, href: string): string | null {
  const stage = (s: Stage) => `#/case/${encodeURIComponent(caseId)}/${s}`;
  const m = /^#stage-(\w+)/.exec(href);
  if (m && ['integrity', 'behavior', 'audit'].includes(m[1]!)) return stage(m[1] as Stage);
  if (href.startsWith('#seq-')) return stage('custody');
  if (href === 'evidence.sha256') return stage('evidence');
  if (href.startsWith('#replacement-')) return '#pm-replacement';
  return null;
}

export function ChecklistSection({
  caseId,
  checklist,
  update,
}: {
  caseId: string;
  checklist: IncidentChecklistItem[];
  update: Update;
}) {
  const manual = new Set<number>(MANUAL_CHECKLIST_ITEMS);
  return (
    <div className="integrity-section" aria-labelledby="pm-checklist-heading">
      <div className="integrity-section-header">
        <h3 id="pm-checklist-heading">Post-mortem checklist</h3>
        <span className="muted">
          Items 1–6 are read from the findings and the custody log; items 7–12 lie outside Probity’s records
          and take a status and a note.
        </span>
      </div>
      <div className="table-wrap">
        <table className="table table-compact pm-table pm-checklist" data-testid="pm-checklist">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Item</th>
              <th>Status</th>
              <th>Basis</th>
            </tr>
          </thead>
          <tbody>
            {checklist.map((c) => (
              <tr key={c.n} data-testid={`pm-checklist-${c.n}`}>
                <td className="num">{c.n}</td>
                <th scope="row">{c.item}</th>
                <td>
                  <Badge tone={ITEM_TONE[c.status]} testId={`pm-checklist-${c.n}-status`}>
                    {c.status.replace('-', ' ')}
                  </Badge>
                </td>
                <td>
                  <span>{c.basis}</span>
                  {c.links.length > 0 ? (
                    <span className="pm-links">
                      {c.links.map((l) => {
                        const to = appLink(caseId, l.href);
                        return to ? (
                          <a key={l.href + l.label} href={to} className="chip">
                            {l.label}
                          </a>
                        ) : (
                          <span key={l.href + l.label} className="chip" title={`In the report: ${l.href}`}>
                            {l.label}
                          </span>
                        );
                      })}
                    </span>
                  ) : null}
                  {manual.has(c.n) ? <ManualNote item={c} update={update} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
