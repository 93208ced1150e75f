/**
 * The integrity stage's SQL. Its findings are written and read through store/findings.ts; what is
 * left here is prepared once per database (store/statements.ts).
 */
import type Database from 'better-sqlite3';
import { statement } from '../store/statements';

/** The custody event that recorded findings run `runId` (the latest, should there be several). */
export function findingsRecordedEvent(
  db: Database.Database,
  runId: string,
): { seq: number; details: string } | undefined {
  return statement(
    db,
    "SELECT seq, details FROM custody WHERE action = 'findings.recorded' AND subject = ? ORDER BY seq DESC LIMIT 1",
  ).get(runId) as { seq: number; details: string } | undefined;
}
