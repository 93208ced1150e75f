/**
 * Opening case.db, and what SQLite's failures mean to a custodian. Every transaction on a case
 * database starts with BEGIN IMMEDIATE: it takes the write lock first (waiting up to the busy
 * timeout for another process to finish), so a transaction that reads the chain head and then
 * appends can never interleave with another process's append.
 */
import Database from 'better-sqlite3';
import { ProbityError } from '../util/errors';

let sqliteNativeBinding: string | undefined;

/**
 * The desktop app runs under Electron, whose ABI differs from Node's: it points better-sqlite3 at a
 * copy of the native module built for Electron (see scripts/start.mjs), leaving the Node build in
 * node_modules for the CLI and the tests.
 */
export function setSqliteNativeBinding(file: string | undefined): void {
  sqliteNativeBinding = file;
}

/** How long a writer waits for another process's transaction before giving up. */
export const BUSY_TIMEOUT_MS = 30_000;

/** One sentence for an SQLite result code, or null when it is not one. */
export function describeSqliteError(err: unknown): string | null {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_FULL') return 'no space left on device (the disk is full)';
  if (code.startsWith('SQLITE_IOERR'))
    return `input/output error (${code}): failing disk or medium, or the disk is full`;
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'))
    return 'the database is busy: another Probity process kept it locked for too long';
  if (code === 'SQLITE_LOCKED') return 'the database is locked by another connection';
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_'))
    return 'the database or its folder is read-only';
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN_'))
    return 'cannot open the file (missing folder or permission denied)';
  if (code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') return 'permission denied';
  if (code === 'SQLITE_NOTADB') return 'not an SQLite database';
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_')) return 'the database file is corrupt';
  return `${(err as Error).message} (${code})`;
}

/** Wrap an SQLite failure on `file` as an error that names the file and the reason. */
export function sqliteFailure(file: string, doing: string, err: unknown): unknown {
  if (err instanceof ProbityError) return err;
  const reason = describeSqliteError(err);
  if (reason === null) return err;
  const code = (err as { code: string }).code;
  return new ProbityError(
    code === 'SQLITE_FULL' ? 'disk-full' : 'unreadable',
    `${file}: ${doing}: ${reason}`,
    {
      file,
      cause: err,
    },
  );
}

/** Make every `db.transaction(fn)` of this connection run as BEGIN IMMEDIATE. */
export function immediateTransactions(db: Database.Database): Database.Database {
  const original = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const t = original(fn);
    const run = (...args: unknown[]) => t.immediate(...args);
    return Object.assign(run, {
      default: t.immediate,
      deferred: t.deferred,
      immediate: t.immediate,
      exclusive: t.exclusive,
    });
  }) as typeof db.transaction;
  return db;
}

/**
 * Open (or create) a case database: WAL, full sync, foreign keys, the busy timeout and immediate
 * transactions; `migrate` brings its schema up to date. Failures name the file and the reason.
 */
export function openCaseDb(
  file: string,
  opts: { create: boolean; migrate: (db: Database.Database) => void },
): Database.Database {
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { fileMustExist: !opts.create, nativeBinding: sqliteNativeBinding });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    immediateTransactions(db);
    opts.migrate(db);
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      /* the open failure is what matters */
    }
    throw sqliteFailure(file, 'cannot open the case database', err);
  }
}
