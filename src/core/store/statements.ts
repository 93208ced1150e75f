/**
 * Prepared statements, prepared once per database connection and kept while the connection lives.
 * Each domain's queries.ts owns its SQL and reaches the database only through `statement`.
 */
import type Database from 'better-sqlite3';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The statement for `sql` on `db`: prepared on first use, then the same object every time. */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let bySql = cache.get(db);
  if (!bySql) {
    bySql = new Map();
    cache.set(db, bySql);
  }
  let s = bySql.get(sql);
  if (!s) {
    s = db.prepare(sql);
    bySql.set(sql, s);
  }
  return s;
}
