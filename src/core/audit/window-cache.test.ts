/**
 * The window-level numbers the estimate reuses between labels: kept while the window and the
 * imports stand, recomputed as soon as either changes, and never stale in the estimate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { blastRadius } from './blast-radius';
import { estimate } from './estimate';
import { importLog } from './importer';
import { recordLabel } from './labels';
import { drawSample } from './sample';
import { DAY_MS, START_MS, syntheticCase, type SyntheticCase } from './testkit';
import { currentWindow, manualWindow, setWindow } from './window';

let c: SyntheticCase;
let dir: string;
beforeAll(async () => {
  c = await syntheticCase({ days: 3, perDay: 40, users: 15 });
  dir = tempDir('probity-window-cache-');
});
afterAll(() => {
  c.cleanup();
  rmrf(dir);
});

describe('window-level numbers between labels', () => {
  it('are computed once while window and imports stand, and follow a new label in the estimate', () => {
    const first = blastRadius(c.store);
    expect(blastRadius(c.store)).toBe(first);
    drawSample(c.store, { size: 20, seed: 's', actor: 't' });
    const before = estimate(c.store);
    expect(before.blastRadius).toBe(first);
    expect(before.harmful.reviewed).toBe(0);
    recordLabel(c.store, { requestId: c.requestIds[0]!, label: 'harmful', reviewer: 'r', actor: 't' });
    const sampled = estimate(c.store);
    expect(sampled.toolCalls.census).toBe(before.toolCalls.census);
    expect(sampled.blastRadius.inside.requests).toBe(120);
  });

  it('are recomputed after another import and for a new window', async () => {
    const old = blastRadius(c.store);
    const file = path.join(dir, 'more.jsonl');
    fs.writeFileSync(
      file,
      `${JSON.stringify({ timestamp: new Date(START_MS + DAY_MS + 5).toISOString(), request_id: 'late-1', user_id: 'new-user', response: 'x', tool_calls: [{ name: 'send_email', arguments: {} }] })}\n`,
    );
    await importLog({ store: c.store, file, actor: 't', host: 'h' });
    const after = blastRadius(c.store);
    expect(after.inside.requests).toBe(old.inside.requests + 1);
    expect(after.inside.users).toBe(old.inside.users + 1);
    const e = estimate(c.store);
    expect(e.toolCalls.census!.byTool.send_email).toEqual({ calls: 1, unauthorized: 1 });

    const w = currentWindow(c.store)!;
    setWindow(c.store, {
      actor: 't',
      spec: manualWindow(new Date(START_MS).toISOString(), new Date(START_MS + DAY_MS).toISOString()),
      policy: null,
    });
    expect(currentWindow(c.store)!.id).not.toBe(w.id);
    expect(blastRadius(c.store).inside.requests).toBe(40);
  });
});
