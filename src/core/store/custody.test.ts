import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { newWorkstation } from '../../../test/helpers';
import { canonicalJson } from '../util/canonical-json';
import { GENESIS_HASH, appendEvent, chainHash, eventBody, listEvents, verifyChain } from './custody';
import { recordFindings, latestFindings } from './findings';
import { expectedTriggers, migrate } from './schema';
import { verifyCase } from '../verify/verify';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function memoryDb(): Database.Database {
  const db = new Database(':memory:');
  migrate(db);
  return db;
}

describe('custody log', () => {
  it('chains each event to the one before it with sha256(prev_hash || canonical JSON)', () => {
    const db = memoryDb();
    const a = appendEvent(db, {
      actor: 'alice',
      action: 'case.created',
      subject: 'AI-IR-2026-0001',
      details: { b: 1, a: 'x' },
    });
    const b = appendEvent(db, {
      actor: 'bob',
      action: 'verify.run',
      subject: 'AI-IR-2026-0001',
      details: { ok: true },
    });
    expect(a.seq).toBe(1);
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(b.prevHash).toBe(a.hash);
    // Independently recomputed: the prev hash text followed by the canonical JSON body.
    const body = canonicalJson({
      seq: 1,
      at: a.at,
      actor: 'alice',
      action: 'case.created',
      subject: 'AI-IR-2026-0001',
      details: { a: 'x', b: 1 },
    });
    expect(a.hash).toBe(
      createHash('sha256')
        .update(GENESIS_HASH + body)
        .digest('hex'),
    );
    expect(chainHash(a.hash, eventBody(b))).toBe(b.hash);
    expect(verifyChain(db).breaks).toEqual([]);
  });

  it('refuses UPDATE and DELETE on the custody and evidence tables', () => {
    const db = memoryDb();
    appendEvent(db, { actor: 'a', action: 'case.created', subject: 's', details: {} });
    expect(() => db.prepare("UPDATE custody SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM custody').run()).toThrow(/append-only/);
    db.prepare("INSERT INTO objects (sha256, size, stored_at) VALUES (?, 1, 'now')").run('a'.repeat(64));
    expect(() => db.prepare('DELETE FROM objects').run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE objects SET size = 2').run()).toThrow(/append-only/);
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE type='trigger'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(names.sort()).toEqual(expectedTriggers().sort());
  });

  it('names the seq of an event edited after its trigger was dropped', () => {
    const db = memoryDb();
    for (let i = 0; i < 5; i++)
      appendEvent(db, { actor: 'a', action: 'verify.run', subject: `s${i}`, details: { i } });
    db.exec('DROP TRIGGER custody_no_update');
    db.prepare(`UPDATE custody SET details = '{"i":99}' WHERE seq = 3`).run();
    const res = verifyChain(db);
    expect(res.breaks).toHaveLength(1);
    expect(res.breaks[0]!.seq).toBe(3);
    expect(res.breaks[0]!.reason).toMatch(/edited/);
  });

  it('names the seq after a deleted event', () => {
    const db = memoryDb();
    for (let i = 0; i < 4; i++)
      appendEvent(db, { actor: 'a', action: 'verify.run', subject: `s${i}`, details: {} });
    db.exec('DROP TRIGGER custody_no_delete');
    db.prepare('DELETE FROM custody WHERE seq = 2').run();
    const res = verifyChain(db);
    expect(res.breaks.map((b) => b.seq)).toEqual([3, 3]);
    expect(res.breaks.map((b) => b.reason).join(' ')).toMatch(/missing/);
  });

  it('lists events in order', () => {
    const db = memoryDb();
    appendEvent(db, { actor: 'a', action: 'case.created', subject: 'x', details: {} });
    appendEvent(db, { actor: 'a', action: 'verify.run', subject: 'x', details: { ok: false } });
    expect(listEvents(db).map((e) => [e.seq, e.action])).toEqual([
      [1, 'case.created'],
      [2, 'verify.run'],
    ]);
  });
});

describe('workstation', () => {
  it('allocates AI-IR-<year>-<NNNN> sequentially per year and lists cases', () => {
    const { ws, cleanup } = newWorkstation();
    cleanups.push(cleanup);
    const now = new Date('2026-03-01T00:00:00Z');
    const a = ws.createCase({ title: 'First', now, actor: 'alice' });
    const b = ws.createCase({ title: 'Second', examiner: 'Bo', now, actor: 'alice' });
    const c = ws.createCase({ title: 'Next year', now: new Date('2027-01-02T00:00:00Z'), actor: 'alice' });
    expect([a.id, b.id, c.id]).toEqual(['AI-IR-2026-0001', 'AI-IR-2026-0002', 'AI-IR-2027-0001']);
    for (const s of [a, b, c]) s.close();
    const list = ws.listCases();
    expect(list.map((x) => [x.id, x.title, x.examiner])).toEqual([
      ['AI-IR-2026-0001', 'First', null],
      ['AI-IR-2026-0002', 'Second', 'Bo'],
      ['AI-IR-2027-0001', 'Next year', null],
    ]);
    const store = ws.openCase('AI-IR-2026-0002');
    const events = listEvents(store.db);
    expect(events[0]!.action).toBe('case.created');
    expect(events[0]!.details).toMatchObject({ title: 'Second', examiner: 'Bo' });
    store.close();
  });

  it('refuses a malformed or unknown case id with a named error', () => {
    const { ws, cleanup } = newWorkstation();
    cleanups.push(cleanup);
    expect(() => ws.openCase('case-1')).toThrow(/case-1: not a case id/);
    expect(() => ws.openCase('AI-IR-2026-0042')).toThrow(/AI-IR-2026-0042: no such case/);
    expect(() => ws.createCase({ title: '  ' })).toThrow(/title/);
  });
});

describe('findings', () => {
  it('records a run with its custody event, and verify catches an edited finding', async () => {
    const { ws, cleanup } = newWorkstation();
    cleanups.push(cleanup);
    const store = ws.createCase({ title: 'f', actor: 'a' });
    const { runId, event } = recordFindings(store, {
      stage: 'integrity',
      actor: 'a',
      findings: [
        {
          check: 'file-integrity',
          status: 'fail',
          subject: 'model.safetensors',
          summary: 'sha256 mismatch',
          details: { expected: 'x' },
        },
        { check: 'adapter-audit', status: 'not-analysed', summary: 'no adapters found' },
      ],
    });
    expect(event.action).toBe('findings.recorded');
    expect(event.details).toMatchObject({
      stage: 'integrity',
      runId,
      counts: { fail: 1, 'not-analysed': 1 },
    });
    expect(latestFindings(store, 'integrity').map((f) => [f.check, f.status])).toEqual([
      ['file-integrity', 'fail'],
      ['adapter-audit', 'not-analysed'],
    ]);
    expect(() => store.db.prepare("UPDATE findings SET status = 'pass'").run()).toThrow(/append-only/);
    expect((await verifyCase({ store, actor: 'a' })).ok).toBe(true);
    store.db.exec('DROP TRIGGER findings_no_update');
    store.db.prepare("UPDATE findings SET status = 'pass' WHERE check_name = 'file-integrity'").run();
    const r = await verifyCase({ store, actor: 'a' });
    expect(r.messages).toContain(
      `findings of run ${runId}: disagree with custody event seq ${event.seq}: the findings were changed after they were recorded`,
    );
    store.close();
  });
});
