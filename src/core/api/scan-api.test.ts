/**
 * The scan channels: `scan:state` answers whether a re-scan is due (the app's banner), and
 * `scan:rescan` re-judges the preserved objects and answers what changed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../shared/contract';
import type { CaseScanState, RescanResult } from '../../shared/scan';
import { pickleBytes, sbu } from '../formats/testkit.ts';
import { SCANNER_RULES } from '../formats/rules.ts';
import { caseFromFolder, rmrf, tempDir, workstation, writeTree } from '../integrity/testkit.ts';
import { recordScan, scanCaseObjects } from '../scan/case-scan';
import { ProbityService } from './service';

function ok<T>(e: Envelope<unknown>): T {
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
  return e.result as T;
}

const { ws, cleanup } = workstation();
const folder = tempDir('probity-scan-api-');
afterAll(() => {
  cleanup();
  rmrf(folder);
});

describe('scan channels', () => {
  it('reports a due re-scan for a case judged under other rules, re-scans it once, then reports none', async () => {
    writeTree(folder, {
      'model.bin': pickleBytes([0x80, 4], sbu('os'), sbu('system'), 0x93, sbu('id'), 0x85, 0x52, 0x2e),
    });
    const store = await caseFromFolder(ws, folder, 'scan api');
    const caseId = store.id;
    // A scan recorded under an older rule set that judged model.bin safe.
    const objects = (await scanCaseObjects(store)).map((o) => ({
      ...o,
      level: 'safe' as const,
      findings: [],
      rules: { version: '2026.11-1', digest: '0'.repeat(64) },
    }));
    recordScan(store, objects, 'tester', 'scan');
    store.close();
    const service = new ProbityService({
      workstation: ws,
      actor: 'tester',
      host: 'h',
      mode: 'browser',
      version: 't',
    });

    const before = ok<CaseScanState>(await service.handle('scan:state', { caseId }));
    expect(before.outdated).toBe(true);
    expect(before.lastRun?.ruleSets).toEqual([{ version: '2026.11-1', digest: '0'.repeat(64) }]);

    const r = ok<RescanResult>(await service.handle('scan:rescan', { caseId }));
    expect(r.rules.digest).toBe(SCANNER_RULES.digest);
    expect(r.changed).toEqual([expect.stringMatching(/^model\.bin: safe → dangerous under rules /)]);
    const after = ok<CaseScanState>(await service.handle('scan:state', { caseId }));
    expect(after.outdated).toBe(false);
    expect(after.lastRun?.changed.map((c) => c.path)).toEqual(['model.bin']);

    const again = ok<RescanResult>(await service.handle('scan:rescan', { caseId }));
    expect(again.changed).toEqual([]);
    expect(again.reconfirmed).toBe(1);
  });

  it('refuses an unknown case by name', async () => {
    const service = new ProbityService({
      workstation: ws,
      actor: 'tester',
      host: 'h',
      mode: 'browser',
      version: 't',
    });
    const e = await service.handle('scan:rescan', { caseId: 'AI-IR-2026-0404' });
    expect(e.ok).toBe(false);
  });
});
