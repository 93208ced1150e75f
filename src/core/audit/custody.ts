/**
 * Custody events of the output-log audit. Every act that changes what the audit concludes (a log
 * imported, a window set, a sample drawn, a label given, an export written) is appended to the
 * case's hash-chained custody log with the digests needed to check it later.
 */
import type Database from 'better-sqlite3';
import type { CustodyAction, CustodyEvent } from '../../shared/domain';
import { appendEvent } from '../store/custody';

/** The audit's custody actions. */
export type AuditAction = Extract<CustodyAction, `audit.${string}`>;

/**
 * Append an audit event to the custody chain (inside the caller's transaction when it must commit
 * with other rows).
 */
export function appendAuditEvent(
  db: Database.Database,
  e: { actor: string; action: AuditAction; subject: string; details: Record<string, unknown>; at?: string },
): CustodyEvent {
  return appendEvent(db, e);
}
