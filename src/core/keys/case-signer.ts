/**
 * Make a custodian the signer of a command's custody events in one case.
 *
 * Key changes are workstation facts (workstation-log.ts); a case learns of them when a custodian
 * acts in it. Before the first signed event of a key in a case, two kinds of event are appended,
 * themselves signed by the acting key:
 *
 * - `custodian.status`, once per rotation or revocation in the workstation log of a key that has
 *   signed events in this case, carrying the log entry (with its hash and signature) — so the case
 *   itself says which of its signatures were made by a key later retired or revoked;
 * - `custodian.key`, once per key, carrying the custodian's name, role, fingerprint, SPKI PEM
 *   public key (RFC 8410) and the workstation log entries that created it — so an exported case or
 *   report carries the public keys needed to check its signatures offline.
 */
import type Database from 'better-sqlite3';
import { appendEvent, type EventSigner } from '../store/custody';
import type { UnlockedCustodian } from './custodians';
import { detailsOfAction as recordedDetails, signedInCase } from './queries';
import { readLog, type LogEntry } from './workstation-log';

/** The fingerprint whose status a rotation or revocation entry ends. */
function endedFingerprint(e: LogEntry): string | null {
  const d = e.details;
  if (e.action === 'custodian.rotated' && typeof d.previousFingerprint === 'string')
    return d.previousFingerprint;
  if (e.action === 'custodian.revoked' && typeof d.fingerprint === 'string') return d.fingerprint;
  return null;
}

function logEntryRecord(e: LogEntry): Record<string, unknown> {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    details: e.details,
    prevHash: e.prevHash,
    hash: e.hash,
    signature: e.signature,
    signer: e.signer,
  };
}

/**
 * Append the pending `custodian.status` and `custodian.key` events (in one transaction) and return
 * the signer for the command's own events.
 */
export function prepareCaseSigner(
  db: Database.Database,
  home: string,
  custodian: UnlockedCustodian,
  actor: string,
): EventSigner {
  const log = readLog(home);
  db.transaction(() => {
    const noted = new Set(recordedDetails(db, 'custodian.status').map((d) => d.logHash));
    for (const e of log) {
      const fp = endedFingerprint(e);
      if (fp === null || noted.has(e.hash) || !signedInCase(db, fp)) continue;
      appendEvent(
        db,
        {
          actor,
          action: 'custodian.status',
          subject: e.subject,
          details: {
            fingerprint: fp,
            status: e.action === 'custodian.revoked' ? 'revoked' : 'retired',
            logHash: e.hash,
            logEntry: logEntryRecord(e),
          },
        },
        custodian.signer,
      );
    }
    const introduced = recordedDetails(db, 'custodian.key').some(
      (d) => d.fingerprint === custodian.fingerprint,
    );
    if (!introduced) {
      const origin = log.filter((e) => e.details.fingerprint === custodian.fingerprint);
      appendEvent(
        db,
        {
          actor,
          action: 'custodian.key',
          subject: custodian.name,
          details: {
            name: custodian.name,
            role: custodian.role,
            fingerprint: custodian.fingerprint,
            keyCreated: custodian.created,
            publicKeyPem: custodian.publicKeyPem,
            workstationLog: origin.map(logEntryRecord),
          },
        },
        custodian.signer,
      );
    }
  })();
  return custodian.signer;
}
