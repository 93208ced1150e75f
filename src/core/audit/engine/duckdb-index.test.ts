/**
 * The DuckDB index on the demo incident: the same blast radius as the SQLite records, from the JSONL
 * logs and from a Parquet export of them; the build recorded in custody; a rebuild that agrees, and
 * one that catches an index whose rows were changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, tempDir } from '../../../../test/helpers';
import { generateDemoBundles, type DemoFacts } from '../../../demo/generate';
import type { CaseStore } from '../../store/workstation';
import { blastRadius } from '../blast-radius';
import { resolveLogEvidence } from '../evidence';
import { importLog } from '../importer';
import { deploymentWindow, manualWindow, requireWindow, setWindow } from '../window';
import {
  buildIndex,
  engineBlastRadius,
  indexBlastRadius,
  indexPaths,
  loadObjects,
  openCaseIndex,
  openEngine,
  rebuildAndCompare,
  recordedBuild,
  rows,
} from './duckdb-index';
import { sqlString } from './queries';

let root: string;
let facts: DemoFacts;
let incidentDir: string;
let store: CaseStore;
let cleanupHome: () => void;
const base = { actor: 'investigator', host: 'test-host' };

beforeAll(async () => {
  root = tempDir('probity-duckdb-');
  const demo = await generateDemoBundles(root);
  facts = demo.facts;
  incidentDir = demo.incidentDir;
  const { ws, cleanup } = newWorkstation();
  cleanupHome = cleanup;
  store = ws.createCase({ title: 'duckdb index', actor: base.actor });
  for (const f of facts.logs.files) await importLog({ store, file: path.join(incidentDir, f), ...base });
  const spec = await deploymentWindow(store, {
    ref: path.join(incidentDir, 'deployment/history.jsonl'),
    ...base,
  });
  setWindow(store, { actor: base.actor, spec });
}, 120_000);

afterAll(() => {
  store.close();
  cleanupHome();
  rmrf(root);
});

describe('the DuckDB audit index', () => {
  it('is built inside the case, recorded in custody, and gives the blast radius of the SQLite records', async () => {
    const build = await buildIndex(store, { actor: base.actor });
    expect(build.file).toBe(path.join(store.dir, 'derived', 'audit.duckdb'));
    expect(fs.existsSync(build.file)).toBe(true);
    expect(build.inputs).toHaveLength(facts.logs.files.length);
    const sqlite = blastRadius(store);
    expect(build.records).toBe(sqlite.sources.reduce((a, s) => a + s.records, 0));
    expect(build.inputs.every((i) => i.rejected === 0 && /^[0-9a-f]{64}$/.test(i.digest))).toBe(true);
    const recorded = recordedBuild(store)!;
    expect(recorded.records).toBe(build.records);
    expect(recorded.inputs.map((i) => i.sha256).sort()).toEqual(sqlite.sources.map((s) => s.sha256).sort());

    const engine = await openCaseIndex(store);
    try {
      const settings = await rows(
        engine.conn,
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')",
      );
      expect(settings[0]![1]).toBe(indexPaths(store).spill);
      const radius = await engineBlastRadius(engine.conn, requireWindow(store));
      expect(radius.inside).toEqual(sqlite.inside);
      expect(radius.outside).toEqual(sqlite.outside);
      expect(radius.inside.requests).toBe(facts.logs.requestsInWindow);
      // Every record keeps its locator: the object and its ordinal.
      const [loc] = await rows(
        engine.conn,
        'SELECT count(*), count(DISTINCT object_sha256 || ordinal), min(ordinal) FROM audit_records',
      );
      expect(loc).toEqual([build.records, build.records, 1]);
    } finally {
      engine.close();
    }
  }, 60_000);

  it('rebuilds to the same counts and digests, and reports an index whose rows were changed', async () => {
    const ok = await rebuildAndCompare(store);
    expect(ok.problems).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.rebuilt.map((i) => i.digest).sort()).toEqual(
      recordedBuild(store)!
        .inputs.map((i) => i.digest)
        .sort(),
    );
    const engine = await openCaseIndex(store);
    try {
      await engine.conn.run(
        "UPDATE audit_records SET user_id = 'someone-else' WHERE ordinal = 1 AND object_sha256 = (SELECT min(object_sha256) FROM audit_records)",
      );
    } finally {
      engine.close();
    }
    const bad = await rebuildAndCompare(store);
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toMatch(
      /the file does not hold the recorded rows of \S*requests-[0-9-]+\.jsonl; run probity audit index again/,
    );
  }, 60_000);

  it('imports a Parquet export of the demo logs to the same blast radius as its JSONL', async () => {
    const dir = tempDir('probity-parquet-');
    const engine = await openEngine(path.join(dir, 'scratch.duckdb'), { spill: path.join(dir, 'spill') });
    try {
      const parquet = path.join(dir, 'requests.parquet');
      const files = facts.logs.files.map((f) => sqlString(path.join(incidentDir, f)));
      // The export as a data lake would hold it: DuckDB's own reading of the JSONL, written as Parquet.
      await engine.conn.run(
        `COPY (SELECT * FROM read_json([${files.join(', ')}], format = 'newline_delimited')) TO ${sqlString(parquet)} (FORMAT parquet)`,
      );
      expect(fs.readFileSync(parquet).subarray(0, 4).toString('latin1')).toBe('PAR1');
      const log = await resolveLogEvidence(store, parquet, base);
      expect(log.preserved).toBe(true);
      const inputs = await loadObjects(engine.conn, [log]);
      expect(inputs).toHaveLength(1);
      expect(inputs[0]).toMatchObject({ format: 'parquet', rejected: 0 });
      const radius = await engineBlastRadius(engine.conn, requireWindow(store));
      const sqlite = blastRadius(store);
      expect(radius.inside).toEqual(sqlite.inside);
      expect(radius.outside).toEqual(sqlite.outside);
    } finally {
      engine.close();
      rmrf(dir);
    }
  }, 60_000);

  it('refuses a file that is neither JSON lines nor Parquet, naming it', async () => {
    const dir = tempDir('probity-bad-');
    const engine = await openEngine(path.join(dir, 'scratch.duckdb'), { spill: path.join(dir, 'spill') });
    try {
      const bad = path.join(dir, 'notes.txt');
      fs.writeFileSync(bad, 'this is not a log\n');
      await expect(
        loadObjects(engine.conn, [{ sha256: 'a'.repeat(64), path: 'notes.txt', objectPath: bad }]),
      ).rejects.toThrow(/notes\.txt: cannot be loaded as JSON lines/);
    } finally {
      engine.close();
      rmrf(dir);
    }
  });
});

describe('what the index leaves to the SQLite importer', () => {
  it('skips a --map import, names it in the build and in the blast radius, and refuses to build from nothing', async () => {
    const { ws, cleanup } = newWorkstation();
    const dir = tempDir('probity-mapped-');
    const s = ws.createCase({ title: 'mapped', actor: base.actor });
    try {
      const file = path.join(dir, 'mapped.jsonl');
      fs.writeFileSync(file, `${JSON.stringify({ ts: '2026-10-02T10:00:00Z', rid: 'm1', who: 'a' })}\n`);
      await importLog({
        store: s,
        file,
        ...base,
        format: 'generic',
        map: ['timestamp=ts', 'request_id=rid'],
      });
      await expect(buildIndex(s, { actor: base.actor })).rejects.toThrow(
        /no log the index can read: mapped\.jsonl \(generic --map\) only by the SQLite importer/,
      );
      const plain = path.join(dir, 'plain.jsonl');
      fs.writeFileSync(plain, `${JSON.stringify({ timestamp: '2026-10-02T11:00:00Z', request_id: 'p1' })}\n`);
      await importLog({ store: s, file: plain, ...base });
      const b = await buildIndex(s, { actor: base.actor });
      expect(b.records).toBe(1);
      expect(b.skipped).toEqual([{ path: 'mapped.jsonl', format: 'generic --map' }]);
      expect(recordedBuild(s)!.inputs.map((i) => i.path)).toEqual(['plain.jsonl']);
      setWindow(s, { actor: base.actor, spec: manualWindow('2026-10-01T00:00:00Z', '2026-10-03T00:00:00Z') });
      const radius = await indexBlastRadius(s);
      expect(radius.inside.requests).toBe(1);
      expect(radius.notes).toEqual([
        'mapped.jsonl: imported as generic --map, not in the DuckDB index: its records are not counted here',
      ]);
    } finally {
      s.close();
      cleanup();
      rmrf(dir);
    }
  }, 60_000);
});

describe('a Parquet export given to audit import', () => {
  it('is refused by the JSON importer with the command that indexes it, which then does', async () => {
    const { ws, cleanup } = newWorkstation();
    const dir = tempDir('probity-parquet-import-');
    const s = ws.createCase({ title: 'parquet import', actor: base.actor });
    try {
      const parquet = path.join(dir, 'export.parquet');
      const engine = await openEngine(path.join(dir, 'scratch.duckdb'), { spill: path.join(dir, 'spill') });
      try {
        await engine.conn.run(
          `COPY (SELECT '2026-10-02T10:00:00Z' AS timestamp, 'r' || i AS request_id FROM range(3) t(i))
             TO ${sqlString(parquet)} (FORMAT parquet)`,
        );
      } finally {
        engine.close();
      }
      await expect(importLog({ store: s, file: parquet, ...base })).rejects.toThrow(
        /export\.parquet: a Parquet file, which audit import does not read; index it with probity audit index CASE --add export\.parquet/,
      );
      // The refused file stays evidence; the index takes it by its evidence path.
      const log = await resolveLogEvidence(s, 'export.parquet', base);
      expect(log.preserved).toBe(false);
      const b = await buildIndex(s, { actor: base.actor, add: [log] });
      expect(b.records).toBe(3);
      expect(b.inputs[0]).toMatchObject({ format: 'parquet', units: 3, rejected: 0 });
    } finally {
      s.close();
      cleanup();
      rmrf(dir);
    }
  }, 60_000);
});
