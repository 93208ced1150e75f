/**
 * A case scanned under an older rule set (a danger table without torch._inductor.codecache, made
 * by loading the scanner against a reduced table), then re-scanned under the current rules: the
 * verdict that changed is a finding and a custody event; a second re-scan changes nothing.
 */
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { listEvents, verifyChain } from '../store/custody.ts';
import { pickleBytes, sbu } from '../formats/testkit.ts';
import { caseFromFolder, rmrf, tempDir, workstation, writeTree } from '../integrity/testkit.ts';
import type { CaseStore } from '../store/workstation.ts';

const { ws, cleanup } = workstation();
const folder = tempDir('probity-rescan-');
afterAll(() => {
  cleanup();
  rmrf(folder);
});

const COMPILE = pickleBytes(
  [0x80, 4],
  sbu('torch._inductor.codecache'),
  sbu('compile_file'),
  0x93,
  sbu('/tmp/x.cpp'),
  0x85,
  0x52,
  0x2e,
);
const BENIGN = pickleBytes([0x80, 4], sbu('collections'), sbu('OrderedDict'), 0x93, 0x29, 0x52, 0x2e);

type CaseScanModule = typeof import('./case-scan.ts');

/** The scanner as it was before torch._inductor.codecache entered the danger table. */
async function olderScanner(): Promise<CaseScanModule> {
  vi.resetModules();
  vi.doMock('../formats/danger.ts', async (importOriginal) => {
    const real = await importOriginal<typeof import('../formats/danger.ts')>();
    const reduced = Object.fromEntries(
      Object.entries(real.DANGER_TABLE).filter(([k]) => !k.startsWith('torch._inductor')),
    );
    return {
      ...real,
      DANGER_TABLE: reduced,
      dangerOf: (dotted: string) => (dotted.startsWith('torch._inductor') ? null : real.dangerOf(dotted)),
    };
  });
  const mod = await import('./case-scan.ts');
  vi.doUnmock('../formats/danger.ts');
  return mod;
}

async function currentScanner(): Promise<CaseScanModule> {
  vi.resetModules();
  return import('./case-scan.ts');
}

describe('rescan', () => {
  let store: CaseStore;

  it('records the rules of a scan; a re-scan under newer rules reports the changed verdict as an event and a finding', async () => {
    writeTree(folder, { 'model.bin': COMPILE, 'state.pkl': BENIGN });
    store = await caseFromFolder(ws, folder, 'rescan case');
    const older = await olderScanner();
    const first = await older.scanCase(store, 'tester', 'scan');
    const oldRules = first.rules;
    const current = await currentScanner();
    const now = current.caseScanState(store).current;
    expect(oldRules.digest).not.toBe(now.digest);
    const model = first.objects.find((o) => o.path === 'model.bin');
    expect(model?.level).toBe('suspicious');
    expect(model?.rules.digest).toBe(oldRules.digest);

    // The app's banner condition: the last scan predates the current rules.
    expect(current.caseScanState(store).outdated).toBe(true);

    const again = await current.scanCase(store, 'tester', 'rescan');
    expect(again.changed.map((c) => current.changeLine(c))).toEqual([
      expect.stringMatching(
        /^model\.bin: suspicious → dangerous under rules 2026\.\d\d-\d+ \(.*torch\._inductor\.codecache/,
      ),
    ]);
    expect(again.reconfirmed).toEqual(['state.pkl']);
    const events = listEvents(store.db).filter((e) => e.action === 'scan.verdict.changed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      subject: 'model.bin',
      details: { from: 'suspicious', to: 'dangerous', fromRules: oldRules, toRules: now },
    });
    const state = current.caseScanState(store);
    expect(state.outdated).toBe(false);
    expect(state.lastRun?.changed.map((c) => c.path)).toEqual(['model.bin']);
    expect(state.verdicts.find((v) => v.path === 'model.bin')).toMatchObject({
      level: 'dangerous',
      rules: now,
    });
    expect(verifyChain(store.db).breaks).toEqual([]);
  });

  it('re-running the re-scan reports no change and re-confirms every verdict', async () => {
    const current = await currentScanner();
    const r = await current.scanCase(store, 'tester', 'rescan');
    expect(r.changed).toEqual([]);
    expect(r.reconfirmed.sort()).toEqual(['model.bin', 'state.pkl']);
    expect(listEvents(store.db).filter((e) => e.action === 'scan.verdict.changed')).toHaveLength(1);
    expect(current.caseScanState(store).lastRun?.changed).toEqual([]);
    store.close();
  });

  it('an object the scanner cannot read is not analysed, with the reason, never safe', async () => {
    const dir = path.join(folder, 'b');
    writeTree(dir, { 'broken.pkl': Buffer.from([0x80, 4, 0x8c, 50, 0x61]) });
    const s = await caseFromFolder(ws, dir, 'broken');
    const current = await currentScanner();
    const r = await current.scanCase(s, 'tester', 'scan');
    expect(r.objects[0]?.level).not.toBe('safe');
    expect(r.added).toEqual(['broken.pkl']);
    s.close();
  });
});
