/**
 * A case's custody log against the heads recorded outside it. The chain recomputes after a cut or
 * a rollback; a head witnessed elsewhere that the case no longer holds does not. Each witnessed
 * head (seq, hash) must still be in the case: an event at that seq carrying that hash.
 *
 * Witnesses outside the case (the workstation witness log, entries carried by a case archive, a
 * pinned checkpoint, a report bundle) vouch for the case up to the highest head they saw; past it,
 * a cut could not be seen, and verify says so. Heads recorded inside the case (earlier
 * verifications) are compared too, but vouch for nothing: a cut removes them with the tail.
 */
import type Database from 'better-sqlite3';
import type { VerifyProblem } from '../../shared/domain';
import { chainHead } from '../store/custody';
import type { WitnessedHead } from '../store/witness';

export interface WitnessComparison {
  problems: VerifyProblem[];
  /** Highest seq an outside witness saw that the case still holds as witnessed (0: none). */
  vouchedThrough: number;
  notes: string[];
}

function short(hash: string): string {
  return `${hash.slice(0, 16)}…`;
}

/** Compare the case with each head; `outside` heads vouch, `inside` heads are only compared. */
export function compareWithWitnesses(
  db: Database.Database,
  outside: WitnessedHead[],
  inside: WitnessedHead[],
): WitnessComparison {
  const problems: VerifyProblem[] = [];
  const head = chainHead(db);
  const hashAt = db.prepare('SELECT hash FROM custody WHERE seq = ?').pluck();
  let vouchedThrough = 0;
  const reported = new Set<string>();
  const compare = (w: WitnessedHead, vouches: boolean) => {
    let reason: string | null = null;
    if (w.seq > head.lastSeq) {
      reason = `truncated or rolled back: seq ${w.seq} (hash ${short(w.hash)}) was witnessed at ${w.at} by ${w.witness}; the case ends at seq ${head.lastSeq}`;
    } else if (w.seq > 0) {
      const actual = hashAt.get(w.seq) as string | undefined;
      if (actual === undefined)
        reason = `seq ${w.seq} is gone: it was witnessed at ${w.at} by ${w.witness} (hash ${short(w.hash)})`;
      else if (actual !== w.hash)
        reason = `rewritten or rolled back: seq ${w.seq} has hash ${short(actual)}, but hash ${short(w.hash)} was witnessed at ${w.at} by ${w.witness}`;
    }
    if (reason === null) {
      if (vouches) vouchedThrough = Math.max(vouchedThrough, w.seq);
      return;
    }
    const key = `${w.seq}:${w.hash}`;
    if (reported.has(key)) return;
    reported.add(key);
    problems.push({
      kind: 'witness-mismatch',
      witness: w.witness,
      seq: w.seq,
      hash: w.hash,
      at: w.at,
      reason,
    });
  };
  for (const w of outside) compare(w, true);
  for (const w of inside) compare(w, false);
  const notes: string[] = [];
  if (problems.length === 0 && vouchedThrough < head.lastSeq)
    notes.push(
      `no witness beyond seq ${vouchedThrough}: a cut after seq ${vouchedThrough} could not be seen`,
    );
  return { problems, vouchedThrough, notes };
}

/** Heads that earlier verifications recorded inside the case (rows and verify.run events). */
export function earlierVerificationHeads(db: Database.Database): WitnessedHead[] {
  const heads: WitnessedHead[] = [];
  for (const r of db.prepare('SELECT id, at, report FROM verifications ORDER BY id').all() as {
    id: number;
    at: string;
    report: string;
  }[]) {
    try {
      const rep = JSON.parse(r.report) as { lastSeq?: unknown; lastHash?: unknown };
      if (typeof rep.lastSeq === 'number' && typeof rep.lastHash === 'string')
        heads.push({
          seq: rep.lastSeq,
          hash: rep.lastHash,
          at: r.at,
          witness: `an earlier verification (verifications row ${r.id})`,
        });
    } catch {
      // An unreadable report is named by the row binding check.
    }
  }
  return heads;
}
