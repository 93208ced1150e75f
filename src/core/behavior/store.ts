/**
 * eval_runs, eval_items and eval_item_texts (schema migration 3): writing an import's rows and reading them back.
 * This file owns the behavior stage's SQL; each statement is prepared once per database
 * (store/statements.ts).
 *
 * The items digest recorded with each run (and, through the import's finding, in the custody log)
 * is SHA-256 over, for every item in seq order, the JSON array
 * [seq, item_key, key_kind, prompt_sha256, item_id, suite, category, prompt, response,
 * response_is_text, refused, refusal_source, matched_phrase, score, passed, trigger, variant_of, line,
 * entry] (booleans as true/false, absent values as null) followed by a line feed.
 */
import { createHash, type Hash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { statement } from '../store/statements';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import type {
  EvalFormat,
  EvalItem,
  KeyKind,
  MalformedRecord,
  RefusalSource,
  RunHeader,
  RunRole,
} from './types';

/** A stored run, as the compare step needs it. */
export interface EvalRun {
  id: number;
  label: string;
  role: RunRole;
  format: EvalFormat;
  evidenceId: number;
  sha256: string;
  sourceName: string;
  companionEvidenceId: number | null;
  header: RunHeader;
  itemCount: number;
  malformedCount: number;
  malformed: MalformedRecord[];
  warnings: string[];
  refusalPhrasesSha256: string;
  itemsSha256: string;
  actor: string;
  importedAt: string;
}

interface RunRow {
  id: number;
  label: string;
  role: RunRole;
  format: EvalFormat;
  evidence_id: number;
  sha256: string;
  source_name: string;
  companion_evidence_id: number | null;
  header: string;
  item_count: number;
  malformed_count: number;
  malformed: string;
  warnings: string;
  refusal_phrases_sha256: string;
  items_sha256: string;
  actor: string;
  imported_at: string;
}

function toRun(r: RunRow): EvalRun {
  return {
    id: r.id,
    label: r.label,
    role: r.role,
    format: r.format,
    evidenceId: r.evidence_id,
    sha256: r.sha256,
    sourceName: r.source_name,
    companionEvidenceId: r.companion_evidence_id,
    header: JSON.parse(r.header) as RunHeader,
    itemCount: r.item_count,
    malformedCount: r.malformed_count,
    malformed: JSON.parse(r.malformed) as MalformedRecord[],
    warnings: JSON.parse(r.warnings) as string[],
    refusalPhrasesSha256: r.refusal_phrases_sha256,
    itemsSha256: r.items_sha256,
    actor: r.actor,
    importedAt: r.imported_at,
  };
}

export function listRuns(store: CaseStore): EvalRun[] {
  return (statement(store.db, 'SELECT * FROM eval_runs ORDER BY id').all() as RunRow[]).map(toRun);
}

/** A run named by its label, or by its id (`7` or `#7`). */
export function findRun(store: CaseStore, ref: string): EvalRun {
  const byLabel = statement(store.db, 'SELECT * FROM eval_runs WHERE label = ?').get(ref) as
    RunRow | undefined;
  if (byLabel) return toRun(byLabel);
  const m = /^#?(\d+)$/.exec(ref);
  const byId = m
    ? (statement(store.db, 'SELECT * FROM eval_runs WHERE id = ?').get(Number(m[1])) as RunRow | undefined)
    : undefined;
  if (byId) return toRun(byId);
  const known = listRuns(store).map((r) => `${r.label} (#${r.id}, ${r.role})`);
  throw new ProbityError(
    'not-found',
    `${store.id}: no eval run "${ref}"${known.length ? ` (runs: ${known.join(', ')})` : ' (no run imported yet: probity behavior import)'}`,
  );
}

/** `role`, else `role-2`, `role-3` … whichever is free. */
export function freeLabel(db: Database.Database, role: string): string {
  const taken = new Set(
    (statement(db, 'SELECT label FROM eval_runs').all() as { label: string }[]).map((r) => r.label),
  );
  if (!taken.has(role)) return role;
  for (let n = 2; ; n++) if (!taken.has(`${role}-${n}`)) return `${role}-${n}`;
}

export function labelTaken(db: Database.Database, label: string): boolean {
  return statement(db, 'SELECT 1 FROM eval_runs WHERE label = ?').get(label) !== undefined;
}

export function nextRunId(db: Database.Database): number {
  const row = statement(db, 'SELECT coalesce(max(id), 0) AS id FROM eval_runs').get() as { id: number };
  return row.id + 1;
}

/** Writes one run's items in seq order (small columns and texts apart) and keeps the items digest. */
export class ItemWriter {
  private readonly insertItem: Database.Statement;
  private readonly insertText: Database.Statement;
  private readonly hash: Hash = createHash('sha256');
  private seq = 0;

  constructor(
    db: Database.Database,
    private readonly runId: number,
  ) {
    this.insertItem = statement(
      db,
      `INSERT INTO eval_items (run_id, seq, item_key, key_kind, prompt_sha256, item_id, suite, category,
         response_is_text, refused, refusal_source, matched_phrase, score, passed, trigger, variant_of, line, entry)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertText = statement(
      db,
      'INSERT INTO eval_item_texts (run_id, seq, prompt, response) VALUES (?, ?, ?, ?)',
    );
  }

  get count(): number {
    return this.seq;
  }

  add(item: EvalItem): void {
    this.seq++;
    const bit = (b: boolean | null) => (b === null ? null : b ? 1 : 0);
    this.hash.update(
      `${JSON.stringify([
        this.seq,
        item.itemKey,
        item.keyKind,
        item.promptSha256,
        item.id,
        item.suite,
        item.category,
        item.prompt,
        item.response,
        item.responseIsText,
        item.refused,
        item.refusalSource,
        item.matchedPhrase,
        item.score,
        item.passed,
        item.trigger,
        item.variantOf,
        item.line,
        item.entry,
      ])}\n`,
      'utf8',
    );
    this.insertItem.run(
      this.runId,
      this.seq,
      item.itemKey,
      item.keyKind,
      item.promptSha256,
      item.id,
      item.suite,
      item.category,
      item.responseIsText ? 1 : 0,
      bit(item.refused),
      item.refusalSource,
      item.matchedPhrase,
      item.score,
      bit(item.passed),
      item.trigger,
      item.variantOf,
      item.line,
      item.entry,
    );
    this.insertText.run(this.runId, this.seq, item.prompt, item.response);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** What insertRun writes: a run exactly as it is read back. */
export type NewRun = EvalRun;

export function insertRun(db: Database.Database, r: NewRun): void {
  statement(
    db,
    `INSERT INTO eval_runs (id, label, role, format, evidence_id, sha256, source_name, companion_evidence_id, header,
       item_count, malformed_count, malformed, warnings, refusal_phrases_sha256, items_sha256, actor, imported_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.id,
    r.label,
    r.role,
    r.format,
    r.evidenceId,
    r.sha256,
    r.sourceName,
    r.companionEvidenceId,
    JSON.stringify(r.header),
    r.itemCount,
    r.malformedCount,
    JSON.stringify(r.malformed),
    JSON.stringify(r.warnings),
    r.refusalPhrasesSha256,
    r.itemsSha256,
    r.actor,
    r.importedAt,
  );
}

/** The fields the comparison reads; prompt and response are loaded only when asked for. */
export interface StoredItem {
  seq: number;
  itemKey: string;
  keyKind: KeyKind;
  promptSha256: string;
  id: string;
  suite: string;
  category: string;
  refused: boolean | null;
  refusalSource: RefusalSource | null;
  matchedPhrase: string | null;
  score: number | null;
  passed: boolean | null;
  trigger: string | null;
  variantOf: string | null;
  line: number | null;
  responseIsText: boolean;
  /** Only with `withResponses`. */
  response: string | null;
}

type ItemRow = [
  number,
  string | null,
  KeyKind,
  string,
  string,
  string,
  string,
  number | null,
  RefusalSource | null,
  string | null,
  number | null,
  number | null,
  string | null,
  string | null,
  number | null,
  number,
];

const flag = (v: number | null): boolean | null => (v === null ? null : v !== 0);

/** The key kinds a run's items carry. */
export function keyKindsOf(store: CaseStore, runId: number): KeyKind[] {
  return statement(store.db, 'SELECT DISTINCT key_kind FROM eval_items WHERE run_id = ?')
    .pluck()
    .all(runId) as KeyKind[];
}

/**
 * A run's items in seq order. Prompt hashes are read only with `withPromptHashes` (pairing needs
 * them only when the runs share no key kind; otherwise promptSha256 is ''), responses only with
 * `withResponses`: a comparison of 100,000 items then reads nothing it does not use.
 */
export function loadItems(
  store: CaseStore,
  runId: number,
  opts: { withResponses?: boolean; withPromptHashes?: boolean } = {},
): StoredItem[] {
  const hash = opts.withPromptHashes ? 'prompt_sha256' : "''";
  const stmt = statement(
    store.db,
    `SELECT seq, CASE WHEN key_kind = 'id' AND item_key = item_id THEN NULL ELSE item_key END, key_kind, ${hash},
         item_id, suite, category, refused, refusal_source, matched_phrase, score, passed, trigger, variant_of, line,
         response_is_text
       FROM eval_items WHERE run_id = ? ORDER BY seq`,
  ).raw(true);
  const items: StoredItem[] = [];
  for (const r of stmt.iterate(runId) as IterableIterator<ItemRow>) {
    items.push({
      seq: r[0],
      itemKey: r[1] ?? r[4],
      keyKind: r[2],
      promptSha256: r[3],
      id: r[4],
      suite: r[5],
      category: r[6],
      refused: flag(r[7]),
      refusalSource: r[8],
      matchedPhrase: r[9],
      score: r[10],
      passed: flag(r[11]),
      trigger: r[12],
      variantOf: r[13],
      line: r[14],
      responseIsText: r[15] !== 0,
      response: null,
    });
  }
  if (opts.withResponses) addResponses(store, runId, items);
  return items;
}

function addResponses(store: CaseStore, runId: number, items: StoredItem[]): void {
  const texts = statement(
    store.db,
    'SELECT response FROM eval_item_texts WHERE run_id = ? ORDER BY seq',
  ).pluck();
  let i = 0;
  for (const response of texts.iterate(runId) as IterableIterator<string>) {
    const item = items[i++];
    if (item) item.response = response;
  }
}

/** The prompt and response of the items `seqs` of a run, by seq (an unknown seq is left out). */
export function itemTexts(
  store: CaseStore,
  runId: number,
  seqs: readonly number[],
): Map<number, { prompt: string; response: string }> {
  const out = new Map<number, { prompt: string; response: string }>();
  const stmt = statement(
    store.db,
    'SELECT prompt, response FROM eval_item_texts WHERE run_id = ? AND seq = ?',
  );
  for (const seq of seqs) {
    const row = stmt.get(runId, seq) as { prompt: string; response: string } | undefined;
    if (row) out.set(seq, row);
  }
  return out;
}
