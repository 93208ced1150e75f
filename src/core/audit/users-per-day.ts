/**
 * Users over time inside a window: for each UTC day with a request, the distinct users seen that day
 * and how many of them had not been seen earlier in the window. Requests without a user id are not
 * counted (blast-radius notes say how many there are).
 */
import type { CaseStore } from '../store/workstation';
import { utcDay } from './timestamps';
import type { AuditWindow } from './window';

const DAY_MS = 86_400_000;

export interface UsersPerDay {
  day: string;
  users: number;
  newUsers: number;
}

export function usersPerDay(store: CaseStore, w: Pick<AuditWindow, 'startMs' | 'endMs'>): UsersPerDay[] {
  const args = [w.startMs, w.endMs];
  const where = `kind = 'model' AND user_id IS NOT NULL AND ts_ms >= ? AND ts_ms < ?`;
  const distinct = store.db
    .prepare(
      `SELECT ts_ms / ${DAY_MS} AS d, count(DISTINCT user_id) FROM audit_records WHERE ${where} GROUP BY d ORDER BY d`,
    )
    .raw()
    .all(...args) as [number, number][];
  const firsts = new Map(
    store.db
      .prepare(
        `SELECT d, count(*) FROM (SELECT min(ts_ms) / ${DAY_MS} AS d FROM audit_records WHERE ${where} GROUP BY user_id) GROUP BY d`,
      )
      .raw()
      .all(...args) as [number, number][],
  );
  return distinct.map(([d, users]) => ({ day: utcDay(d * DAY_MS), users, newUsers: firsts.get(d) ?? 0 }));
}
