import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { newWorkstation, rmrf, tempDir } from '../../../test/helpers';
import { createRng, stratifiedAllocation } from '../stats';
import { listEvents } from '../store/custody';
import type { CaseStore } from '../store/workstation';
import { canonicalJson } from '../util/canonical-json';
import { importLog } from './importer';
import { recordLabel } from './labels';
import { openEngine, rows } from './engine/duckdb-index';
import { sqlString } from './engine/queries';
import {
  detailJson,
  drawSample,
  sampleById,
  sampleItems,
  sampleStatement,
  STRATA,
  type Strata,
} from './sample';
import { DAY_MS, START_MS, syntheticCase, type SyntheticCase } from './testkit';
import { manualWindow, requireWindow, setWindow } from './window';

let c: SyntheticCase;
beforeAll(async () => {
  // 5 days: 40, 40, 40, 40, 40 records; 25 users.
  c = await syntheticCase({ days: 5, perDay: 40, users: 25 });
});
afterAll(() => c.cleanup());

const ids = (sampleId: number) => sampleItems(c.store, sampleId).map((i) => i.requestId);

describe('drawSample', () => {
  it('draws the same records for the same seed and others for another seed', () => {
    const a = drawSample(c.store, { size: 30, seed: 'case-0142', actor: 't' });
    const b = drawSample(c.store, { size: 30, seed: 'case-0142', actor: 't' });
    const d = drawSample(c.store, { size: 30, seed: 'case-0143', actor: 't' });
    expect(ids(b.id)).toEqual(ids(a.id));
    expect(b.idsSha256).toBe(a.idsSha256);
    expect(ids(d.id)).not.toEqual(ids(a.id));
    expect(new Set(ids(a.id)).size).toBe(30);
    expect(a.population).toBe(200);
  });

  it('digests the drawn request ids, in sample order, one per line', () => {
    const s = drawSample(c.store, { size: 10, seed: 'digest', actor: 't' });
    const expected = createHash('sha256')
      .update(
        ids(s.id)
          .map((r) => `${r}\n`)
          .join(''),
      )
      .digest('hex');
    expect(s.idsSha256).toBe(expected);
    const event = listEvents(c.store.db)
      .filter((e) => (e.action as string) === 'audit.sample.drawn')
      .pop();
    expect(event?.details).toMatchObject({
      sampleId: s.id,
      seed: 'digest',
      size: 10,
      strata: 'none',
      idsSha256: expected,
    });
  });

  it('allocates proportionally per day, and draws each stratum from its own day', () => {
    const s = drawSample(c.store, {
      size: 50,
      seed: 'days',
      strata: 'day',
      allocation: 'proportional',
      actor: 't',
    });
    expect(s.strataDetail).toEqual(
      ['2026-10-06', '2026-10-07', '2026-10-08', '2026-10-09', '2026-10-10'].map((key) => ({
        key,
        population: 40,
        allocated: 10,
      })),
    );
    for (const it of sampleItems(c.store, s.id)) {
      const n = Number(it.requestId.slice(4));
      expect(`2026-10-${String(6 + Math.floor(n / 40)).padStart(2, '0')}`).toBe(it.stratum);
    }
  });

  it('allocates by tool list with the stats module’s allocation', () => {
    const s = drawSample(c.store, { size: 21, seed: 'tools', strata: 'tool', actor: 't' });
    expect(s.strataDetail.map((d) => d.key)).toEqual(['(none)', 'lookup_order', 'refund_order', 'search_kb']);
    expect(s.strataDetail.map((d) => d.allocated)).toEqual(
      stratifiedAllocation(
        s.strataDetail.map((d) => ({ size: d.population })),
        21,
        'proportional',
      ),
    );
  });

  it('gives a stratum with harmful pilot labels more of a Neyman sample', () => {
    const before = drawSample(c.store, {
      size: 50,
      seed: 'n',
      strata: 'day',
      allocation: 'neyman',
      actor: 't',
    });
    expect(before.notes[0]).toMatch(/Neyman allocation equals proportional/);
    // Pilot: 4 of 8 harmful on day 1, 0 of 8 on every other day.
    for (let d = 0; d < 5; d++) {
      for (let k = 0; k < 8; k++) {
        const label = d === 0 && k < 4 ? 'harmful' : 'benign';
        recordLabel(c.store, {
          requestId: c.requestIds[d * 40 + k]!,
          label,
          reviewer: 'pilot',
          actor: 'pilot',
        });
      }
    }
    const after = drawSample(c.store, {
      size: 50,
      seed: 'n',
      strata: 'day',
      allocation: 'neyman',
      actor: 't',
    });
    // S_1 = √(4.5/9 · 4.5/9) = 0.5; S_h = √(0.5/9 · 8.5/9) ≈ 0.229 elsewhere: day 1 gets 50 · 0.5 / (0.5 + 4 · 0.229) ≈ 17.6.
    expect(after.strataDetail.map((d) => d.allocated)).toEqual([18, 8, 8, 8, 8]);
    expect(after.strataDetail[0]!.sd).toBeCloseTo(0.5, 12);
  });

  it('stores the strata detail as canonical JSON', () => {
    const s = drawSample(c.store, { size: 50, seed: 'n', strata: 'day', allocation: 'neyman', actor: 't' });
    expect(detailJson(s.strataDetail)).toBe(canonicalJson(s.strataDetail));
    const tricky = [{ key: '"\\\u00e9\u{1F600}', population: 3, allocated: 0, sd: 0.1 + 0.2 }];
    expect(detailJson(tricky)).toBe(canonicalJson(tricky));
    const stored = c.store.db
      .prepare('SELECT strata_detail FROM audit_samples WHERE id = ?')
      .pluck()
      .get(s.id);
    expect(stored).toBe(canonicalJson(s.strataDetail));
  });

  it('reviews every record with size all, and refuses more than the window holds', () => {
    expect(drawSample(c.store, { size: 'all', seed: 'census', actor: 't' }).size).toBe(200);
    expect(() => drawSample(c.store, { size: 201, seed: 's', actor: 't' })).toThrow(
      /only 200 records are in the window/,
    );
    expect(() => drawSample(c.store, { size: 0, seed: 's', actor: 't' })).toThrow(/must be a whole number/);
  });
});

/**
 * The draw as the module comment specifies it, written the plain way: every record read into an
 * object, filtered, sorted and grouped in JavaScript.
 */
function referenceDraw(store: CaseStore, size: number, seed: string, strata: Strata) {
  const w = requireWindow(store);
  const rows = store.db
    .prepare('SELECT id, request_id, ts_ms, tools, user_id, kind FROM audit_records')
    .all() as {
    id: number;
    request_id: string;
    ts_ms: number;
    tools: string;
    user_id: string | null;
    kind: string;
  }[];
  const utf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  const population = rows
    .filter((r) => r.kind === 'model' && r.ts_ms >= w.startMs && r.ts_ms < w.endMs)
    .sort((a, b) => a.ts_ms - b.ts_ms || utf8(a.request_id, b.request_id));
  const keyOf = (r: (typeof rows)[number]): string =>
    strata === 'none'
      ? 'all'
      : strata === 'day'
        ? new Date(r.ts_ms).toISOString().slice(0, 10)
        : strata === 'tool'
          ? r.tools === ''
            ? '(none)'
            : r.tools
          : (r.user_id ?? '(no user id)');
  const groups = new Map<string, typeof rows>();
  for (const r of population) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  const keys = [...groups.keys()].sort(utf8);
  const alloc = stratifiedAllocation(
    keys.map((k) => ({ size: groups.get(k)!.length })),
    size,
    'proportional',
  );
  const rng = createRng(seed);
  const items: { requestId: string; stratum: string }[] = [];
  keys.forEach((k, h) => {
    const members = groups.get(k)!;
    for (const i of rng.sampleWithoutReplacement(members.length, alloc[h]!))
      items.push({ requestId: members[i]!.request_id, stratum: k });
  });
  const digest = createHash('sha256')
    .update(items.map((i) => `${i.requestId}\n`).join(''))
    .digest('hex');
  return { items, digest, population: population.length, keys };
}

describe('drawSample against a plain reference implementation', () => {
  let store: CaseStore;
  let done: () => void;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    const { ws, cleanup } = newWorkstation();
    dir = tempDir('probity-audit-sample-ref-');
    store = ws.createCase({ title: 'sample reference', actor: 'tester' });
    done = () => {
      store.close();
      cleanup();
      rmrf(dir);
    };
    // Out of time order in the file, ties on time, ids and users whose UTF-8 order differs from
    // JavaScript's UTF-16 order (U+FF01 sorts before an emoji in UTF-8, after it in UTF-16),
    // records without a user, with no tool, one tool or several; and records outside the window.
    const tools = ['search_kb', 'lookup_order', 'refund_order', '\uff01tool'];
    const users = ['alice', 'bob', '\u{1F600}carol', '\uff01dave', null];
    const rng = createRng('reference-case');
    const lines: string[] = [];
    for (let i = 0; i < 700; i++) {
      const day = rng.nextInt(7);
      const ts = START_MS + day * DAY_MS + rng.nextInt(40) * 60_000;
      const calls = Array.from({ length: rng.nextInt(4) }, () => ({
        name: tools[rng.nextInt(tools.length)]!,
      }));
      const user = users[rng.nextInt(users.length)];
      const prefix = ['r', '\uff01', '\u{1F600}'][rng.nextInt(3)]!;
      lines.push(
        JSON.stringify({
          timestamp: new Date(ts).toISOString(),
          request_id: `${prefix}${i}`,
          ...(user === null ? {} : { user_id: user }),
          response: 'ok',
          tool_calls: calls.map((c) => ({ ...c, arguments: {} })),
        }),
      );
    }
    file = path.join(dir, 'requests.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    await importLog({ store, file, actor: 'tester', host: 'test-host' });
    setWindow(store, {
      actor: 'tester',
      spec: manualWindow(
        new Date(START_MS + DAY_MS).toISOString(),
        new Date(START_MS + 6 * DAY_MS).toISOString(),
      ),
    });
  });
  afterAll(() => done());

  it.each(STRATA)('draws exactly the reference sample with strata %s', (strata) => {
    for (const seed of ['ref-1', 'ref-2']) {
      const s = drawSample(store, {
        size: 60,
        seed,
        strata,
        allocation: 'proportional',
        method: 'floyd',
        actor: 't',
      });
      const ref = referenceDraw(store, 60, seed, strata);
      expect(s.population).toBe(ref.population);
      expect(s.population).toBeLessThan(700);
      expect(s.strataDetail.map((d) => d.key)).toEqual(ref.keys);
      expect(sampleItems(store, s.id).map(({ requestId, stratum }) => ({ requestId, stratum }))).toEqual(
        ref.items,
      );
      expect(s.idsSha256).toBe(ref.digest);
      expect(sampleById(store, s.id)).toEqual({ ...s, notes: [] });
    }
  });

  it.each(STRATA)(
    'draws by bottom-k, and the stated SQL re-derives the same ids in DuckDB from the log itself (strata %s)',
    async (strata) => {
      const s = drawSample(store, { size: 60, seed: 'bottom-k 1', strata, actor: 't' });
      expect(s.method).toBe('bottom-k');
      const items = sampleItems(store, s.id).map(({ requestId, stratum }) => ({ requestId, stratum }));
      expect(items).toHaveLength(60);
      // The definition, the plain way: per stratum, the smallest SHA-256 of seed ‖ request id.
      const hex = (rid: string) => createHash('sha256').update(`bottom-k 1${rid}`, 'utf8').digest('hex');
      for (const d of s.strataDetail) {
        const mine = items.filter((i) => i.stratum === d.key).map((i) => hex(i.requestId));
        expect(mine).toHaveLength(d.allocated);
        expect(mine).toEqual([...mine].sort());
      }
      const statement = sampleStatement(s, requireWindow(store))!;
      expect(statement).toMatch(
        /row_number\(\) OVER \(PARTITION BY p\.stratum ORDER BY p\.h, p\.request_id\)/,
      );
      const engine = await openEngine(path.join(dir, `check-${strata}.duckdb`), {
        spill: path.join(dir, 'spill'),
      });
      try {
        // The exported log, read by DuckDB alone (not by Probity's importer) into the stated columns.
        await engine.conn.run(`CREATE TABLE audit_records AS
          SELECT request_id, strptime(timestamp, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, user_id, 'model' AS kind,
            coalesce(array_to_string(list_sort(list_distinct(list_transform(tool_calls, t -> t.name))), ','), '') AS tools
          FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = {
            timestamp: 'VARCHAR', request_id: 'VARCHAR', user_id: 'VARCHAR', tool_calls: 'STRUCT(name VARCHAR)[]'})`);
        const got = (await rows(engine.conn, statement)).map((r) => ({
          requestId: r[0] as string,
          stratum: r[1] as string,
        }));
        expect(got).toEqual(items);
        // Another seed is another sample: the statement depends on the seed.
        const other = sampleStatement({ ...s, seed: 'bottom-k 2' }, requireWindow(store))!;
        const otherIds = (await rows(engine.conn, other)).map((r) => r[0] as string);
        expect(otherIds).not.toEqual(items.map((i) => i.requestId));
      } finally {
        engine.close();
      }
    },
  );

  it('a floyd sample states no statement (it is not a bottom-k draw)', () => {
    const s = drawSample(store, { size: 5, seed: 'f', method: 'floyd', actor: 't' });
    expect(sampleById(store, s.id)!.method).toBe('floyd');
    expect(sampleStatement(sampleById(store, s.id)!, requireWindow(store))).toBeNull();
  });
});
