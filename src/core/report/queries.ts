/**
 * The report's SQL: what it reads of the case beyond the store's own queries (store/queries.ts,
 * store/findings.ts, store/custody.ts), prepared once per database (store/statements.ts).
 */
import type Database from 'better-sqlite3';
import { statement } from '../store/statements';

/** The host the case was created on, or undefined when the case has no case_info row. */
export function caseCreatedOnHost(db: Database.Database): string | undefined {
  const r = statement(db, 'SELECT created_on_host FROM case_info').get() as
    { created_on_host: string } | undefined;
  return r?.created_on_host;
}
