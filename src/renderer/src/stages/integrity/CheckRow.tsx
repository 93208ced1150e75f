import { useState } from 'react';
import type { IntegrityCheck, IntegrityItem } from '../../../../shared/integrity';
import { StatusBadge } from './StatusBadge';
import { ItemList } from './ItemList';

export function count(items: IntegrityItem[], status: IntegrityItem['status']): number {
  return items.filter((i) => i.status === status).length;
}

/**
 * The numbers of the Fail / OK / Notes columns: a fresh run's items counted, or for a run rebuilt
 * from its record the counts it recorded (its passing items are not stored), or null when the record
 * kept none.
 */
export function checkCounts(
  check: IntegrityCheck,
  recorded: boolean,
): { fail: number; ok: number; notes: number } | null {
  if (recorded) {
    const c = check.counts;
    return c ? { fail: c.fail, ok: c.pass, notes: c.info + c.notAnalysed } : null;
  }
  return {
    fail: count(check.items, 'fail'),
    ok: count(check.items, 'pass'),
    notes: count(check.items, 'info') + count(check.items, 'not-analysed'),
  };
}

function CountCell({ n, testId }: { n: number | null; testId: string }) {
  if (n === null)
    return (
      <td className="num" data-testid={testId} title="Not recorded with this run: run the checks again">
        <span className="muted">—</span>
      </td>
    );
  return (
    <td className="num" data-testid={testId}>
      {n || <span className="muted">0</span>}
    </td>
  );
}

export function CheckRow({ check, recorded = false }: { check: IntegrityCheck; recorded?: boolean }) {
  const [open, setOpen] = useState(check.status !== 'pass');
  const [showOk, setShowOk] = useState(false);
  const fails = check.items.filter((i) => i.status === 'fail');
  const notes = check.items.filter((i) => i.status === 'info' || i.status === 'not-analysed');
  const oks = check.items.filter((i) => i.status === 'pass');
  const detailId = `check-${check.check}-details`;
  const counts = checkCounts(check, recorded);
  return (
    <>
      <tr
        className={`check-row${check.status === 'fail' ? ' is-fail' : ''}`}
        data-testid={`check-${check.check}`}
      >
        <td className="col-expander">
          <button
            type="button"
            className="btn btn-ghost btn-icon expander"
            aria-expanded={open}
            aria-controls={detailId}
            aria-label={`${open ? 'Hide' : 'Show'} the reasons for ${check.title}`}
            onClick={() => setOpen(!open)}
          >
            {open ? '▾' : '▸'}
          </button>
        </td>
        <th scope="row">{check.title}</th>
        <td>
          <StatusBadge status={check.status} testId={`check-status-${check.check}`} />
        </td>
        <td>{check.summary}</td>
        <CountCell n={counts ? counts.fail : fails.length} testId={`check-fail-${check.check}`} />
        <CountCell n={counts ? counts.ok : null} testId={`check-ok-${check.check}`} />
        <CountCell n={counts ? counts.notes : null} testId={`check-notes-${check.check}`} />
      </tr>
      {open ? (
        <tr className="check-details-row">
          <td colSpan={7} id={detailId}>
            <div className="check-details">
              {check.reasons.length ? (
                <>
                  <h4>What was compared</h4>
                  <ul className="plain-list reasons">
                    {check.reasons.map((r, i) => (
                      <li key={i}>{r}</li>
                    ))}
                  </ul>
                </>
              ) : null}
              {fails.length ? (
                <ItemList title={`Failures (${fails.length})`} items={fails} tone="bad" />
              ) : null}
              {notes.length ? <ItemList title={`Notes (${notes.length})`} items={notes} tone="info" /> : null}
              {oks.length ? (
                <>
                  <button
                    type="button"
                    className="link-button"
                    aria-expanded={showOk}
                    onClick={() => setShowOk(!showOk)}
                  >
                    {showOk ? 'Hide' : 'Show'} the {oks.length} ok comparison{oks.length === 1 ? '' : 's'}
                  </button>
                  {showOk ? <ItemList title={`OK (${oks.length})`} items={oks} tone="ok" /> : null}
                </>
              ) : null}
              {check.items.length === 0 && !check.reasons.length ? (
                <p className="muted">Nothing was compared.</p>
              ) : null}
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}
