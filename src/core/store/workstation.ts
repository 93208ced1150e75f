import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { CaseSummary } from '../../shared/domain';
import { ProbityError, describeFsError } from '../util/errors';
import { appendEvent, chainHead, type EventSigner } from './custody';
import { objectPathIn } from './paths';
import { migrate } from './schema';
import { openCaseDb } from './sqlite';
import { appendWitness } from './witness';

export const CASE_ID_PATTERN = /^AI-IR-(\d{4})-(\d{4})$/;

/** A case folder: case.db plus the content-addressed object store beside it. */
export class CaseStore {
  readonly id: string;
  readonly dir: string;
  readonly db: Database.Database;
  /**
   * The workstation home whose witness log (witness.ts) records this case's head when it is
   * closed after something was appended; null for a case not opened through a workstation (a
   * case being imported, until it passed).
   */
  readonly witnessHome: string | null;
  /** What the witness entry names as having appended ("probity ingest", …). */
  witnessSource = 'probity';
  /** Signs the witness entry when the command acts for a signing custodian. */
  witnessSigner: EventSigner | undefined;
  private openedHead: { lastSeq: number; lastHash: string } | null;
  private closed = false;

  constructor(
    id: string,
    dir: string,
    db: Database.Database,
    opts: { witnessHome?: string | null; created?: boolean } = {},
  ) {
    this.id = id;
    this.dir = dir;
    this.db = db;
    this.witnessHome = opts.witnessHome ?? null;
    this.openedHead = opts.created || this.witnessHome === null ? null : chainHead(db);
  }

  /**
   * Record the case's current head in the workstation witness log if it moved since the case was
   * opened (or the case was created). Called by close(); callers that keep a case open across
   * several appends may call it in between.
   */
  witness(details: Record<string, unknown> = {}): void {
    if (this.witnessHome === null) return;
    const head = chainHead(this.db);
    if (
      this.openedHead &&
      head.lastSeq === this.openedHead.lastSeq &&
      head.lastHash === this.openedHead.lastHash
    )
      return;
    appendWitness(
      this.witnessHome,
      {
        caseId: this.id,
        headSeq: head.lastSeq,
        headHash: head.lastHash,
        source: this.witnessSource,
        details,
      },
      this.witnessSigner,
    );
    this.openedHead = head;
  }

  get objectsDir(): string {
    return path.join(this.dir, 'objects', 'sha256');
  }

  /** Temporary files live inside the case so the final rename never crosses a file system. */
  get tmpDir(): string {
    return path.join(this.dir, 'objects', 'tmp');
  }

  objectPath(sha256: string): string {
    return objectPathIn(this.objectsDir, sha256);
  }

  /** Close the database, after witnessing the head if this process appended to the case. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.db.open) this.witness();
    } finally {
      this.db.close();
    }
  }
}

/** Kept here too for the hosts that set it through the workstation module. */
export { setSqliteNativeBinding } from './sqlite';

function openDb(file: string, create: boolean): Database.Database {
  return openCaseDb(file, { create, migrate });
}

/** The workstation: a home folder holding `cases/<case-id>/`. */
export class Workstation {
  readonly home: string;
  readonly host: string;

  constructor(home: string, host = os.hostname()) {
    this.home = home;
    this.host = host;
  }

  get casesDir(): string {
    return path.join(this.home, 'cases');
  }

  /** Custodian name for events: the OS user unless the caller names one. */
  static defaultActor(): string {
    try {
      return os.userInfo().username;
    } catch {
      return process.env.USER ?? 'unknown';
    }
  }

  /**
   * Allocate the next AI-IR-<year>-<NNNN> by claiming its folder with an exclusive mkdir, so two
   * processes creating cases at once never get the same id.
   */
  createCase(opts: { title: string; examiner?: string | null; actor?: string; now?: Date }): CaseStore {
    const title = opts.title.trim();
    if (!title) throw new ProbityError('usage', 'a case needs a title (--title)');
    const now = opts.now ?? new Date();
    const year = now.getUTCFullYear();
    fs.mkdirSync(this.casesDir, { recursive: true });
    let n = this.maxSequence(year);
    for (;;) {
      n++;
      if (n > 9999)
        throw new ProbityError('conflict', `no case ids left for ${year} (AI-IR-${year}-9999 reached)`);
      const id = `AI-IR-${year}-${String(n).padStart(4, '0')}`;
      const dir = path.join(this.casesDir, id);
      try {
        fs.mkdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new ProbityError('unreadable', `${dir}: cannot create case folder: ${describeFsError(err)}`);
      }
      let db: Database.Database;
      try {
        fs.mkdirSync(path.join(dir, 'objects', 'sha256'), { recursive: true });
        fs.mkdirSync(path.join(dir, 'objects', 'tmp'), { recursive: true });
        db = openDb(path.join(dir, 'case.db'), true);
      } catch (err) {
        // A case that could not be created (disk full, I/O error) leaves no half-made folder.
        fs.rmSync(dir, { recursive: true, force: true });
        throw err instanceof ProbityError
          ? err
          : new ProbityError('unreadable', `${dir}: cannot create the case: ${describeFsError(err)}`, {
              cause: err,
            });
      }
      const at = now.toISOString();
      const examiner = opts.examiner?.trim() || null;
      const actor = opts.actor ?? Workstation.defaultActor();
      db.transaction(() => {
        db.prepare(
          'INSERT INTO case_info (id, title, examiner, created_at, created_on_host) VALUES (?, ?, ?, ?, ?)',
        ).run(id, title, examiner, at, this.host);
        appendEvent(db, {
          actor,
          action: 'case.created',
          subject: id,
          details: { title, examiner, host: this.host },
          at,
        });
      })();
      return new CaseStore(id, dir, db, { witnessHome: this.home, created: true });
    }
  }

  private maxSequence(year: number): number {
    let max = 0;
    for (const name of this.caseIds()) {
      const m = CASE_ID_PATTERN.exec(name);
      if (m && Number(m[1]) === year) max = Math.max(max, Number(m[2]));
    }
    return max;
  }

  caseIds(): string[] {
    if (!fs.existsSync(this.casesDir)) return [];
    return fs
      .readdirSync(this.casesDir)
      .filter((n) => CASE_ID_PATTERN.test(n))
      .sort();
  }

  openCase(id: string): CaseStore {
    if (!CASE_ID_PATTERN.test(id)) {
      throw new ProbityError('usage', `${id}: not a case id (expected AI-IR-YYYY-NNNN)`);
    }
    const dir = path.join(this.casesDir, id);
    const dbFile = path.join(dir, 'case.db');
    if (!fs.existsSync(dbFile)) {
      throw new ProbityError('not-found', `${id}: no such case in ${this.casesDir}`);
    }
    return new CaseStore(id, dir, openDb(dbFile, false), { witnessHome: this.home });
  }

  listCases(): CaseSummary[] {
    const out: CaseSummary[] = [];
    for (const id of this.caseIds()) {
      let store: CaseStore | null = null;
      try {
        store = this.openCase(id);
        out.push(caseSummary(store));
      } catch {
        // A case folder that cannot be opened is still listed, so nobody thinks it vanished.
        out.push({
          id,
          title: '(case.db unreadable)',
          examiner: null,
          createdAt: '',
          evidenceCount: 0,
          totalBytes: 0,
        });
      } finally {
        store?.close();
      }
    }
    return out;
  }
}

export function caseSummary(store: CaseStore): CaseSummary {
  const info = store.db.prepare('SELECT id, title, examiner, created_at FROM case_info').get() as
    { id: string; title: string; examiner: string | null; created_at: string } | undefined;
  const counts = store.db
    .prepare("SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM evidence WHERE kind != 'link'")
    .get() as { n: number; bytes: number };
  return {
    id: info?.id ?? store.id,
    title: info?.title ?? '',
    examiner: info?.examiner ?? null,
    createdAt: info?.created_at ?? '',
    evidenceCount: counts.n,
    totalBytes: counts.bytes,
  };
}
