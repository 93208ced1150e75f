import type Database from 'better-sqlite3';

/**
 * Versioned migrations of case.db, applied in order inside one transaction each and recorded in
 * PRAGMA user_version. A migration is never edited once released: add a new one.
 *
 * Append-only tables (the evidence record and the custody log) get BEFORE UPDATE / BEFORE DELETE
 * triggers that abort. They stop mistakes; the hash chain (custody.ts) catches deliberate edits made
 * after dropping a trigger, and verify reports a missing trigger by name.
 */
export const APPEND_ONLY_TABLES = [
  'objects',
  'evidence',
  'manifest_checks',
  'custody',
  'verifications',
  'findings',
] as const;

export function expectedTriggers(): string[] {
  return APPEND_ONLY_TABLES.flatMap((t) => [`${t}_no_update`, `${t}_no_delete`]);
}

function appendOnlyTriggers(table: string): string {
  return `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only: rows cannot be changed'); END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only: rows cannot be deleted'); END;`;
}

const MIGRATIONS: string[] = [
  // 1: the custody core.
  `
  CREATE TABLE case_info (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    examiner TEXT,
    created_at TEXT NOT NULL,
    created_on_host TEXT NOT NULL
  );

  -- Operational state of each ingest run; its history is in the custody log.
  CREATE TABLE ingests (
    id INTEGER PRIMARY KEY,
    bundle TEXT NOT NULL,
    bundle_kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','finished','failed','cancelled')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    custodian TEXT NOT NULL,
    host TEXT NOT NULL,
    error TEXT
  );

  -- Resume journal: objects already written by an unfinished ingest, keyed by the entry they came
  -- from, so a re-run finds them by hash instead of copying again. Not evidence.
  CREATE TABLE staged_objects (
    ingest_id INTEGER NOT NULL REFERENCES ingests(id),
    entry_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    source_mtime_ms REAL,
    PRIMARY KEY (ingest_id, entry_key)
  );

  CREATE TABLE objects (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size INTEGER NOT NULL,
    stored_at TEXT NOT NULL
  );

  CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    ingest_id INTEGER NOT NULL REFERENCES ingests(id),
    path TEXT NOT NULL,
    occurrence INTEGER NOT NULL DEFAULT 1,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT REFERENCES objects(sha256),
    mtime TEXT,
    source_path TEXT NOT NULL,
    link_target TEXT,
    raw_name_hex TEXT,
    manifest_status TEXT,
    manifest_expected TEXT,
    custodian TEXT NOT NULL,
    host TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    UNIQUE (ingest_id, path, occurrence)
  );
  CREATE INDEX evidence_sha256 ON evidence(sha256);
  CREATE INDEX evidence_kind ON evidence(kind);

  CREATE TABLE manifest_checks (
    id INTEGER PRIMARY KEY,
    ingest_id INTEGER NOT NULL REFERENCES ingests(id),
    manifest_path TEXT NOT NULL,
    listed_path TEXT NOT NULL,
    expected TEXT NOT NULL,
    actual TEXT,
    status TEXT NOT NULL CHECK (status IN ('matched','mismatched','missing'))
  );

  CREATE TABLE custody (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    signature TEXT,
    signer TEXT
  );

  CREATE TABLE verifications (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    through_seq INTEGER NOT NULL,
    report TEXT NOT NULL
  );
  ${['objects', 'evidence', 'manifest_checks', 'custody', 'verifications'].map(appendOnlyTriggers).join('\n')}
  `,
  // 2: findings of the analysis stages (integrity, behavior, audit), append-only like evidence: a
  // re-run adds a new run; the report reads the latest run of each stage.
  `
  CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    check_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pass','fail','not-analysed','info')),
    subject TEXT,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX findings_run ON findings(run_id);
  CREATE INDEX findings_stage ON findings(stage, created_at);
  ${appendOnlyTriggers('findings')}
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`case.db has schema version ${current}, newer than this Probity (${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
