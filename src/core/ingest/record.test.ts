import { afterEach, describe, expect, it } from 'vitest';
import { newWorkstation } from '../../../test/helpers';
import { listEvents, verifyChain } from '../store/custody';
import { listEvidence } from '../store/queries';
import { checkChecksumLists } from './checksums';
import { insertIngest } from './queries';
import { recordIngest, type IngestRecord } from './record';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup() {
  const { ws, cleanup } = newWorkstation();
  cleanups.push(cleanup);
  const store = ws.createCase({ title: 'record', actor: 'tester' });
  cleanups.unshift(() => store.close());
  const ingestId = insertIngest(store.db, {
    bundle: '/evidence/bundle',
    bundleKind: 'dir',
    startedAt: '2026-10-08T10:00:00.000Z',
    custodian: 'tester',
    host: 'h',
  });
  const record: IngestRecord = {
    ingestId,
    bundle: '/evidence/bundle',
    bundleKind: 'dir',
    entries: [
      {
        entry: {
          key: 'link',
          path: 'model/latest',
          occurrence: 1,
          rawNameHex: null,
          type: 'link',
          size: 0,
          mtime: null,
          mtimeMs: null,
          sourcePath: '/evidence/bundle/model/latest',
          linkTarget: 'v2',
          source: null,
        },
        object: null,
        kind: 'link',
        decision: null,
      },
    ],
    checksums: checkChecksumLists([], [], () => false),
    warnings: 0,
    actor: 'tester',
    host: 'h',
    at: '2026-10-08T10:00:01.000Z',
  };
  return { store, record };
}

describe('recordIngest', () => {
  it('writes the evidence row, its event and the finished event inside the transaction', () => {
    const { store, record } = setup();
    const totals = store.db.transaction(() => recordIngest(store.db, record))();
    expect(totals).toEqual({ bytes: 0, reused: 0, links: 1 });
    expect(listEvidence(store).map((e) => [e.path, e.kind, e.linkTarget])).toEqual([
      ['model/latest', 'link', 'v2'],
    ]);
    const actions = listEvents(store.db).map((e) => e.action);
    expect(actions.slice(-2)).toEqual(['evidence.stored', 'ingest.finished']);
    expect(verifyChain(store.db).breaks).toEqual([]);
  });

  it('refuses to write outside a transaction, and writes nothing', () => {
    const { store, record } = setup();
    const before = listEvents(store.db).length;
    expect(() => recordIngest(store.db, record)).toThrow(/recorded outside a transaction/);
    expect(listEvidence(store)).toEqual([]);
    expect(listEvents(store.db)).toHaveLength(before);
  });
});
