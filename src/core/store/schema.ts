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
  'eval_runs',
  'eval_items',
  'eval_item_texts',
  'audit_records',
  'audit_tool_calls',
  'audit_windows',
  'audit_samples',
  'audit_sample_items',
  'audit_labels',
] as const;

export function expectedTriggers(): string[] {
  return APPEND_ONLY_TABLES.flatMap((t) => [`${t}_no_update`, `${t}_no_delete`]);
}

function triggerStatements(table: string): [string, string][] {
  return [
    [
      `${table}_no_update`,
      `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only: rows cannot be changed'); END`,
    ],
    [
      `${table}_no_delete`,
      `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only: rows cannot be deleted'); END`,
    ],
  ];
}

function appendOnlyTriggers(table: string): string {
  return triggerStatements(table)
    .map(([, sql]) => `\n    ${sql};`)
    .join('');
}

/**
 * The full text of every append-only trigger as the migrations create it (sqlite_master keeps the
 * statement as written), by name: verify compares them, whitespace aside, so a trigger recreated
 * under the same name with another body is caught.
 */
export function expectedTriggerSql(): Map<string, string> {
  return new Map(APPEND_ONLY_TABLES.flatMap((t) => triggerStatements(t)));
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
  // 3: imported eval runs and their normalised items (behavior/), derived from stored evidence and
  // append-only like it. An import writes its items first and its run row last, in one
  // transaction, hence the deferred foreign keys. The prompt and response texts live in their own
  // table so that a comparison reads 100,000 small item rows without paging through the texts.
  `
  CREATE TABLE eval_runs (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('baseline','suspect','replacement')),
    format TEXT NOT NULL,
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    sha256 TEXT NOT NULL REFERENCES objects(sha256),
    source_name TEXT NOT NULL,
    companion_evidence_id INTEGER REFERENCES evidence(id),
    header TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    malformed_count INTEGER NOT NULL,
    malformed TEXT NOT NULL,
    warnings TEXT NOT NULL,
    refusal_phrases_sha256 TEXT NOT NULL,
    items_sha256 TEXT NOT NULL,
    actor TEXT NOT NULL,
    imported_at TEXT NOT NULL
  );

  CREATE TABLE eval_items (
    run_id INTEGER NOT NULL REFERENCES eval_runs(id) DEFERRABLE INITIALLY DEFERRED,
    seq INTEGER NOT NULL,
    item_key TEXT NOT NULL,
    key_kind TEXT NOT NULL,
    prompt_sha256 TEXT NOT NULL,
    item_id TEXT NOT NULL,
    suite TEXT NOT NULL,
    category TEXT NOT NULL,
    response_is_text INTEGER NOT NULL,
    refused INTEGER,
    refusal_source TEXT CHECK (refusal_source IN ('label','heuristic')),
    matched_phrase TEXT,
    score REAL,
    passed INTEGER,
    trigger TEXT,
    variant_of TEXT,
    line INTEGER,
    entry TEXT,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE eval_item_texts (
    run_id INTEGER NOT NULL REFERENCES eval_runs(id) DEFERRABLE INITIALLY DEFERRED,
    seq INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    response TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
  ${['eval_runs', 'eval_items', 'eval_item_texts'].map(appendOnlyTriggers).join('\n')}
  `,
  // 4: the output-log audit (src/core/audit). audit_imports is operational state, like ingests (an
  // unfinished import resumes from committed_offset); what is derived from the logs, and every
  // window, sample and label, is append-only: a new window or a relabel is a new row.
  `
  CREATE TABLE audit_imports (
    id INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence(id),
    sha256 TEXT NOT NULL REFERENCES objects(sha256),
    evidence_path TEXT NOT NULL,
    format TEXT NOT NULL,
    mapping TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','finished','failed','cancelled')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    actor TEXT NOT NULL,
    committed_offset INTEGER NOT NULL DEFAULT 0,
    committed_line INTEGER NOT NULL DEFAULT 0,
    first_record_id INTEGER,
    stats TEXT NOT NULL,
    error TEXT
  );
  CREATE INDEX audit_imports_sha256 ON audit_imports(sha256);

  CREATE TABLE audit_records (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES audit_imports(id),
    line INTEGER NOT NULL,
    item TEXT,
    byte_offset INTEGER NOT NULL,
    byte_length INTEGER NOT NULL,
    request_id TEXT NOT NULL UNIQUE,
    ts_ms INTEGER NOT NULL,
    user_id TEXT,
    conversation_id TEXT,
    model_version TEXT,
    downstream TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('model','tool')),
    tools TEXT NOT NULL,
    tool_call_count INTEGER NOT NULL,
    input_tokens INTEGER,
    output_tokens INTEGER
  );
  -- Model calls in time order: the window's population, covering the sample draw (id is the rowid).
  CREATE INDEX audit_records_time ON audit_records(ts_ms, request_id) WHERE kind = 'model';

  CREATE TABLE audit_tool_calls (
    record_id INTEGER NOT NULL REFERENCES audit_records(id),
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    arguments TEXT,
    call_id TEXT,
    PRIMARY KEY (record_id, idx)
  ) WITHOUT ROWID;

  CREATE TABLE audit_windows (
    id INTEGER PRIMARY KEY,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL CHECK (end_ms > start_ms),
    source TEXT NOT NULL,
    policy TEXT,
    policy_sha256 TEXT,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  CREATE TABLE audit_samples (
    id INTEGER PRIMARY KEY,
    window_id INTEGER NOT NULL REFERENCES audit_windows(id),
    seed TEXT NOT NULL,
    size INTEGER NOT NULL,
    strata TEXT NOT NULL CHECK (strata IN ('none','day','tool','user')),
    allocation TEXT NOT NULL CHECK (allocation IN ('proportional','neyman')),
    population INTEGER NOT NULL,
    strata_detail TEXT NOT NULL,
    ids_sha256 TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
  );

  CREATE TABLE audit_sample_items (
    sample_id INTEGER NOT NULL REFERENCES audit_samples(id),
    position INTEGER NOT NULL,
    record_id INTEGER NOT NULL REFERENCES audit_records(id),
    stratum TEXT NOT NULL,
    PRIMARY KEY (sample_id, position)
  ) WITHOUT ROWID;

  CREATE TABLE audit_labels (
    id INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES audit_records(id),
    reviewer TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('harmful','benign','unsure','escalate')),
    note TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX audit_labels_record ON audit_labels(record_id, reviewer, id);
  ${[
    'audit_records',
    'audit_tool_calls',
    'audit_windows',
    'audit_samples',
    'audit_sample_items',
    'audit_labels',
  ]
    .map(appendOnlyTriggers)
    .join('\n')}
  `,
  // 5: the incident record (src/core/incident) lives in the custody log itself, as incident.*
  // events (the chain protects it; the latest event of a kind is the current value). This index
  // lets it be read without scanning every evidence.stored event.
  `
  CREATE INDEX custody_action ON custody(action, seq);
  `,
  // 6: how a sample was drawn: 'floyd' (xoshiro256** and Floyd positions, every sample before this
  // migration) or 'bottom-k' (the n records with the smallest SHA-256 of seed ‖ request id, per
  // stratum: re-derivable by one SQL statement on any engine).
  `
  ALTER TABLE audit_samples ADD COLUMN method TEXT NOT NULL DEFAULT 'floyd' CHECK (method IN ('floyd','bottom-k'));
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
