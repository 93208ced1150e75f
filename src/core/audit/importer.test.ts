import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturesDir, newWorkstation, rmrf, sha256, tempDir, writeTree } from '../../../test/helpers';
import { ingestBundle } from '../ingest/ingest';
import { listEvents } from '../store/custody';
import { verifyCase } from '../verify/verify';
import type { CaseStore } from '../store/workstation';
import { blastRadius } from './blast-radius';
import { importDigests } from './import-digest';
import { importLog } from './importer';
import { recordDetail } from './record-view';
import { manualWindow, setWindow } from './window';
import { withoutShared } from '../../../test/shared';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(): { store: CaseStore; dir: string } {
  const { ws, cleanup } = newWorkstation();
  const dir = tempDir('probity-audit-logs-');
  const store = ws.createCase({ title: 'audit', actor: 'tester' });
  cleanups.push(
    () => store.close(),
    cleanup,
    () => rmrf(dir),
  );
  return { store, dir };
}

const base = { actor: 'tester', host: 'test-host' };
const rec = (o: Record<string, unknown>): string => JSON.stringify({ response: 'ok', tool_calls: [], ...o });

describe('audit import of generic JSONL', () => {
  it('imports the good lines, reports malformed ones by number, normalises every time form', async () => {
    const { store, dir } = setup();
    const lines = [
      rec({
        timestamp: '2026-10-08T10:00:00Z',
        request_id: 'r1',
        user_id: 'u1',
        tool_calls: [{ name: 'refund_order', arguments: { amount: 5 } }],
      }),
      '{"timestamp": "2026-10-08T10:00:01Z", "request_id": ', // 2: truncated JSON
      rec({ timestamp: '2026-10-08T12:00:00+02:00', request_id: 'r3', user_id: 'u1' }),
      '[1, 2]', // 4: not an object
      rec({ timestamp: 'last tuesday', request_id: 'r5', user_id: 'u2' }), // 5: no usable time
      '', // 6: blank, not counted
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1'), // 7: not UTF-8 (written as bytes below)
      rec({ timestamp: '2026-10-08T10:00:02Z', request_id: 'r1', user_id: 'u9' }), // 8: duplicate of line 1
      rec({ timestamp: '2026-10-08 10:00:03', request_id: 'r9', user_id: 'u3' }), // 9: no zone → UTC, counted
      rec({ timestamp: 1791453604, request_id: 'r10', user_id: 'u3' }), // 10: epoch seconds
      rec({ timestamp: 1791453605000, request_id: 'r11' }), // 11: epoch ms, no user id
      rec({ timestamp: '2026-10-08T10:00:06.5Z', user_id: 'u4' }), // 12: no request id
    ];
    const file = path.join(dir, 'requests.jsonl');
    const bytes = Buffer.concat(
      lines
        .map((l, i) => (i === 6 ? Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) : Buffer.from(l, 'utf8')))
        .flatMap((b) => [b, Buffer.from('\r\n')]),
    );
    fs.writeFileSync(file, bytes);

    const r = await importLog({ store, file, ...base });
    expect(r).toMatchObject({
      format: 'generic',
      mode: 'lines',
      preserved: true,
      lines: 11,
      records: 6,
      toolCalls: 1,
      malformed: 4,
      duplicates: 1,
      duplicateLines: [8],
      zonelessTimestamps: 1,
      missingUserIds: 1,
      syntheticRequestIds: 1,
      sha256: sha256(bytes),
      firstTimestamp: '2026-10-08T10:00:00.000Z',
      lastTimestamp: '2026-10-08T10:00:06.500Z',
    });
    expect(r.problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'not JSON'],
      [4, '[0]: not a JSON object'],
      [5, expect.stringMatching(/^timestamp: not an ISO 8601 date-time/)],
      [7, 'not valid UTF-8'],
    ]);
    const rows = store.db
      .prepare('SELECT request_id, ts_ms, user_id, line FROM audit_records ORDER BY line')
      .all();
    expect(rows).toEqual([
      { request_id: 'r1', ts_ms: Date.UTC(2026, 9, 8, 10, 0, 0), user_id: 'u1', line: 1 },
      { request_id: 'r3', ts_ms: Date.UTC(2026, 9, 8, 10, 0, 0), user_id: 'u1', line: 3 },
      { request_id: 'r9', ts_ms: Date.UTC(2026, 9, 8, 10, 0, 3), user_id: 'u3', line: 9 },
      { request_id: 'r10', ts_ms: Date.UTC(2026, 9, 8, 10, 0, 4), user_id: 'u3', line: 10 },
      { request_id: 'r11', ts_ms: Date.UTC(2026, 9, 8, 10, 0, 5), user_id: null, line: 11 },
      {
        request_id: `${r.sha256.slice(0, 12)}:12`,
        ts_ms: Date.UTC(2026, 9, 8, 10, 0, 6, 500),
        user_id: 'u4',
        line: 12,
      },
    ]);
    // The digests hashed while writing equal the ones recomputed from the rows (nulls, tool calls).
    expect(importDigests(store, r.importId, null)).toEqual({
      records: r.recordsSha256,
      toolCalls: r.toolCallsSha256,
    });
  });

  it('records the import in the custody log with digests that match the rows', async () => {
    const { store, dir } = setup();
    const file = path.join(dir, 'a.jsonl');
    const toolCalls = [{ name: 'search_kb', arguments: { query: 'q' } }];
    fs.writeFileSync(
      file,
      `${rec({ timestamp: '2026-10-08T10:00:00Z', request_id: 'a', user_id: 'u', tool_calls: toolCalls })}\n`,
    );
    const r = await importLog({ store, file, ...base });
    const event = listEvents(store.db).find((e) => (e.action as string) === 'audit.imported');
    expect(event?.details).toMatchObject({
      sha256: r.sha256,
      records: 1,
      format: 'generic',
      recordsSha256: r.recordsSha256,
    });
    expect(importDigests(store, r.importId, null).records).toBe(r.recordsSha256);
    expect(() => store.db.prepare("UPDATE audit_records SET user_id = 'x'").run()).toThrow(/append-only/);
    // The tool call the import wrote cannot be deleted: the trigger refuses a row that exists.
    const toolCallRows = () => store.db.prepare('SELECT COUNT(*) AS n FROM audit_tool_calls').get();
    expect(toolCallRows()).toEqual({ n: 1 });
    expect(() => store.db.prepare('DELETE FROM audit_tool_calls').run()).toThrow(
      'audit_tool_calls is append-only: rows cannot be deleted',
    );
    expect(toolCallRows()).toEqual({ n: 1 });
    expect((await verifyCase({ store, actor: 'tester' })).ok).toBe(true);
    // An imported row edited after its trigger was dropped is named by verify.
    store.db.exec('DROP TRIGGER audit_records_no_update');
    store.db.prepare("UPDATE audit_records SET user_id = 'someone-else'").run();
    const after = await verifyCase({ store, actor: 'tester' });
    expect(after.messages).toContain(
      `a.jsonl: audit import ${r.importId} disagrees with custody event seq ${event!.seq}: the imported records were changed after the import`,
    );
  });

  it('imports a file only once, and reuses evidence already in the case by path or sha256', async () => {
    const { store, dir } = setup();
    const line = rec({ timestamp: '2026-10-08T10:00:00Z', request_id: 'x1', user_id: 'u' });
    writeTree(dir, { 'bundle/logs/requests.jsonl': `${line}\n` });
    await ingestBundle({ store, bundle: path.join(dir, 'bundle'), ...base });
    const r = await importLog({ store, file: 'logs/requests.jsonl', ...base });
    expect(r).toMatchObject({
      file: 'logs/requests.jsonl',
      preserved: false,
      records: 1,
      alreadyImported: false,
    });
    const again = await importLog({ store, file: sha256(`${line}\n`), ...base });
    expect(again).toMatchObject({
      alreadyImported: true,
      records: 1,
      importId: r.importId,
      recordsSha256: r.recordsSha256,
    });
    await expect(importLog({ store, file: 'logs/none.jsonl', ...base })).rejects.toThrow(
      /logs\/none\.jsonl: no such file, and no evidence at that path/,
    );
    await expect(importLog({ store, file: path.join(dir, 'bundle'), ...base })).rejects.toThrow(
      /not a single log file/,
    );
    // The same bytes at an outside path are the evidence already held, not a second copy.
    const evidenceRows = () =>
      (store.db.prepare('SELECT count(*) AS n FROM evidence').get() as { n: number }).n;
    const rows = evidenceRows();
    writeTree(dir, { 'outside/copy.jsonl': `${line}\n` });
    const outside = await importLog({ store, file: path.join(dir, 'outside', 'copy.jsonl'), ...base });
    expect(outside).toMatchObject({ preserved: false, alreadyImported: true, importId: r.importId });
    expect(evidenceRows()).toBe(rows);
  });

  it('resumes an interrupted import where it stopped, ending with the same rows as a clean one', async () => {
    const { store, dir } = setup();
    const file = path.join(dir, 'big.jsonl');
    const pad = 'x'.repeat(600);
    const text = Array.from({ length: 3000 }, (_, i) =>
      rec({
        timestamp: Date.UTC(2026, 9, 8) + i * 1000,
        request_id: `q${i}`,
        user_id: `u${i % 7}`,
        response: pad,
      }),
    ).join('\n');
    fs.writeFileSync(file, `${text}\n`);
    const controller = new AbortController();
    await expect(
      importLog({
        store,
        file,
        ...base,
        batchSize: 100,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    ).rejects.toThrow(/cancelled/);
    const partial = store.db.prepare('SELECT status, committed_line FROM audit_imports').get() as {
      status: string;
      committed_line: number;
    };
    expect(partial.status).toBe('cancelled');
    expect(partial.committed_line).toBeGreaterThan(0);
    expect(partial.committed_line).toBeLessThan(3000);
    setWindow(store, { actor: 'tester', spec: manualWindow('2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z') });
    expect(() => blastRadius(store)).toThrow(/unfinished log import: big\.jsonl \(cancelled\)/);

    const resumed = await importLog({ store, file, ...base, batchSize: 100 });
    expect(resumed).toMatchObject({ resumed: true, records: 3000, lines: 3000, malformed: 0, duplicates: 0 });

    const other = setup();
    const clean = await importLog({ store: other.store, file, ...base });
    expect(resumed.recordsSha256).toBe(clean.recordsSha256);
    expect(blastRadius(store).inside.requests).toBe(3000);
  });
});

describe('audit import: parsing on a worker thread', () => {
  it('writes the same rows, counts and digests as parsing on this thread, batch by batch', async () => {
    const file = path.join(setup().dir, 'mixed.jsonl');
    const tools = ['lookup_order', 'search_kb', 'refund_order'];
    const lines = Array.from({ length: 400 }, (_, i) => {
      if (i % 53 === 7) return '{"timestamp": "2026-10-08T10:00:00Z", "request_id": '; // truncated
      if (i % 61 === 9) return ''; // blank
      if (i % 67 === 11) return rec({ timestamp: 'someday', request_id: `t${i}` }); // no usable time
      return rec({
        timestamp: Date.UTC(2026, 9, 8) + i * 1000,
        // Every 31st line repeats an earlier request id, often one written in an earlier batch.
        request_id: i % 31 === 30 ? `t${i - 29}` : `t${i}`,
        user_id: i % 5 === 0 ? undefined : `u${i % 13}`,
        tool_calls: Array.from({ length: i % 4 }, (_, k) => ({
          name: tools[(i + k) % 3],
          arguments: { order_id: `NW-${i}-${k}` },
        })),
      });
    });
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const a = setup();
    const b = setup();
    const onWorker = await importLog({ store: a.store, file, ...base, batchSize: 17 });
    const here = await importLog({ store: b.store, file, ...base, batchSize: 17, worker: false });
    const strip = (r: typeof here) => ({ ...r, caseId: '', seconds: 0, readSeconds: 0, recordsPerSecond: 0 });
    expect(strip(onWorker)).toEqual(strip(here));
    expect(onWorker).toMatchObject({ malformed: 14, duplicates: 12, lines: 393 });
    expect(onWorker.toolCalls).toBeGreaterThan(64);
    const rows = (store: CaseStore) => [
      store.db.prepare('SELECT * FROM audit_records ORDER BY id').raw().all(),
      store.db.prepare('SELECT * FROM audit_tool_calls ORDER BY record_id, idx').raw().all(),
    ];
    expect(rows(a.store)).toEqual(rows(b.store));
    expect(importDigests(a.store, onWorker.importId, null)).toEqual({
      records: onWorker.recordsSha256,
      toolCalls: onWorker.toolCallsSha256,
    });
    expect((await verifyCase({ store: a.store, actor: 'tester' })).ok).toBe(true);
  });
});

describe('audit import of documents, OpenTelemetry lines and mapped layouts', () => {
  it('reads a pretty-printed JSON document and reads each record back from the evidence', async () => {
    const { store, dir } = setup();
    const file = path.join(dir, 'export.json');
    const doc = [
      {
        timestamp: '2026-10-08T10:00:00Z',
        request_id: 'd1',
        user_id: 'u',
        messages: [{ role: 'user', content: 'hi' }],
        response: 'hello',
        tool_calls: [],
      },
      {
        timestamp: '2026-10-08T10:00:01Z',
        request_id: 'd2',
        user_id: 'u',
        response: 'bye',
        tool_calls: [{ name: 'search_kb', arguments: { query: 'q' } }],
      },
    ];
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    const r = await importLog({ store, file, ...base });
    expect(r).toMatchObject({ mode: 'document', format: 'generic', records: 2, toolCalls: 1 });
    const d = recordDetail(store, 'd2');
    expect(d).toMatchObject({
      response: 'bye',
      toolCalls: [{ name: 'search_kb', arguments: '{"query":"q"}', callId: null }],
    });
    expect(d.source).toMatchObject({ item: '[1]', line: 1, sha256: r.sha256 });
    expect(recordDetail(store, 'd1').messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('attributes a tool execution on a later OTLP line to the model span of its trace', async () => {
    const { store, dir } = setup();
    const span = (
      spanId: string,
      start: string,
      attributes: { key: string; value: { stringValue: string } }[],
    ) => ({
      resourceSpans: [
        {
          scopeSpans: [
            { spans: [{ traceId: 't1', spanId, name: 'x', startTimeUnixNano: start, attributes }] },
          ],
        },
      ],
    });
    const a = (key: string, v: string) => ({ key, value: { stringValue: v } });
    const file = path.join(dir, 'spans.jsonl');
    fs.writeFileSync(
      file,
      [
        JSON.stringify(
          span('s1', '1791453600000000000', [a('gen_ai.operation.name', 'chat'), a('user.id', 'u1')]),
        ),
        JSON.stringify(
          span('s2', '1791453601000000000', [
            a('gen_ai.operation.name', 'execute_tool'),
            a('gen_ai.tool.name', 'send_email'),
          ]),
        ),
        'not json',
      ].join('\n'),
    );
    const r = await importLog({ store, file, ...base });
    expect(r).toMatchObject({
      format: 'otel',
      records: 1,
      toolCalls: 1,
      malformed: 1,
      problems: [{ line: 3, item: null, reason: 'not JSON' }],
    });
    expect(store.db.prepare('SELECT request_id, user_id, tools, line FROM audit_records').get()).toEqual({
      request_id: 't1/s1',
      user_id: 'u1',
      tools: 'send_email',
      line: 1,
    });
  });

  it('follows --map for a layout of its own', async () => {
    const { store, dir } = setup();
    const file = path.join(dir, 'custom.jsonl');
    fs.writeFileSync(
      file,
      `${JSON.stringify({ ts: '2026-10-08T10:00:00Z', rid: 'm1', who: { id: 'acct-7' }, out: { text: 'done' }, actions: [{ name: 'lookup_order' }] })}\n`,
    );
    await expect(importLog({ store, file, ...base })).rejects.toThrow(/cannot tell the log format/);
    const r = await importLog({
      store,
      file,
      ...base,
      format: 'generic',
      map: ['timestamp=ts', 'request_id=rid', 'user_id=who.id', 'tool_calls=actions'],
    });
    expect(r).toMatchObject({
      records: 1,
      mapping: { request_id: 'rid', timestamp: 'ts', tool_calls: 'actions', user_id: 'who.id' },
    });
    expect(recordDetail(store, 'm1')).toMatchObject({
      userId: 'acct-7',
      toolCalls: [{ name: 'lookup_order' }],
    });
  });

  it.skipIf(withoutShared())(
    'imports the real documents in their formats and reads their records back',
    async () => {
      const { store } = setup();
      const logs = path.join(fixturesDir, 'logs');
      const cases: [string, string, number, number][] = [
        ['langfuse-microsoft-agent-2025-12-17.trace.json', 'otel', 2, 1],
        ['otel-contrib-openai-test_chat_completion_tool_calls_with_content.yaml', 'openai-chat', 2, 2],
        ['tgi-test_flash_llama_grammar_tools_openai.json', 'openai-chat', 1, 1],
      ];
      for (const [name, format, records, toolCalls] of cases) {
        const r = await importLog({ store, file: path.join(logs, name), ...base });
        expect(r, name).toMatchObject({ format, mode: 'document', records, toolCalls, malformed: 0 });
      }
      expect(recordDetail(store, 'chatcmpl-ASYMVzdmBGDbUoHFmt6R16tdtZUzR').response).toMatch(
        /^Today, the weather in Seattle/,
      );
      const chat = recordDetail(store, 'resp_0e32bda5b6259ecd00694279e49fe48194b26952c13124bd05');
      expect(chat).toMatchObject({
        modelVersion: 'gpt-5-mini-2025-08-07',
        source: { item: 'observations[2]', format: 'otel' },
      });
      expect(chat.response).toMatch(/^Current conditions in Tokyo/);
      await expect(
        importLog({ store, file: path.join(logs, 'navirag-openai-batch_input.jsonl'), ...base }),
      ).rejects.toThrow(/navirag-openai-batch_input\.jsonl: an OpenAI Batch API input file/);
    },
  );
});

describe('a failed audit import', () => {
  it('stores the log once however often it is tried, and records each refusal in the custody log', async () => {
    const { store, dir } = setup();
    const file = path.join(dir, 'mystery.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ colour: 'blue' })}\n`);
    for (let i = 0; i < 2; i++)
      await expect(importLog({ store, file, ...base })).rejects.toThrow(
        /mystery\.jsonl: cannot tell the log format/,
      );
    const rows = store.db.prepare('SELECT count(*) AS n FROM evidence WHERE sha256 IS NOT NULL').get() as {
      n: number;
    };
    expect(rows.n).toBe(1);
    const failed = listEvents(store.db).filter((e) => e.action === 'audit.import.failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]?.details).toMatchObject({
      importId: null,
      format: 'auto',
      reason: expect.stringMatching(/cannot tell/),
    });
    // The same path with other bytes is other evidence.
    fs.writeFileSync(file, `${JSON.stringify({ colour: 'red' })}\n`);
    await expect(importLog({ store, file, ...base })).rejects.toThrow(/cannot tell/);
    expect((store.db.prepare('SELECT count(*) AS n FROM evidence').get() as { n: number }).n).toBe(2);
    expect((await verifyCase({ store, actor: 'tester' })).ok).toBe(true);
  });
});
