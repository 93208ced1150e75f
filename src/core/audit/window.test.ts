import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, tempDir, writeTree } from '../../../test/helpers';
import { TIMELINE, COMPROMISED_VERSION } from '../../demo/constants';
import { buildDeploymentEvidence } from '../../demo/deployment';
import { ingestBundle } from '../ingest/ingest';
import { deploymentWindow, manualWindow, parseDeploymentRecords, windowFromDeployments } from './window';

const ev = (timestamp: string, event: string, version: string) =>
  JSON.stringify({ timestamp, event, model_version: version });

describe('window from deployment records', () => {
  it('finds the demo window: the compromised version deployed → isolated', () => {
    const events = parseDeploymentRecords(buildDeploymentEvidence('probity-demo').historyJsonl);
    expect(events.map((e) => e.kind)).toEqual(['deploy', 'other', 'deploy', 'other', 'other', 'isolate']);
    const w = windowFromDeployments(events, 'history.jsonl');
    expect(w.version).toBe(COMPROMISED_VERSION);
    expect([Date.parse(w.start.timestamp), Date.parse(w.end.timestamp)]).toEqual([
      Date.parse(TIMELINE.compromisedDeployedAt),
      Date.parse(TIMELINE.isolatedAt),
    ]);
    expect([w.start.line, w.end.line]).toEqual([3, 6]);
  });

  it('starts at the first of repeated deployments and ends at a deployment of another version', () => {
    const text = [
      '# deploy log',
      ev('2026-01-01T00:00:00Z', 'deployed', 'v1'),
      ev('2026-01-05T00:00:00Z', 'deployed', 'v2'),
      ev('2026-01-06T00:00:00Z', 'deployed', 'v2'),
      ev('2026-01-09T00:00:00Z', 'deployed', 'v3'),
      ev('2026-01-10T00:00:00Z', 'rolled back', 'v1'),
    ].join('\n');
    const events = parseDeploymentRecords(text);
    const w = windowFromDeployments(events, 'd.jsonl', 'v2');
    expect([w.start.timestamp, w.end.timestamp, w.end.event]).toEqual([
      '2026-01-05T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
      'deployed',
    ]);
    // Without --version: the version deployed last before the last isolation (v3).
    expect(windowFromDeployments(events, 'd.jsonl').version).toBe('v3');
  });

  it('reads a JSON array and other field names', () => {
    const events = parseDeploymentRecords(
      JSON.stringify([
        { time: 1767225600, action: 'release', version: 'a' },
        { time: 1767312000, action: 'quarantine', version: 'a' },
      ]),
    );
    expect(windowFromDeployments(events, 'x').start.timestamp).toBe('2026-01-01T00:00:00.000Z');
  });

  it('names the file when the records do not define a window', () => {
    const never = parseDeploymentRecords(ev('2026-01-01T00:00:00Z', 'deployed', 'v1'));
    expect(() => windowFromDeployments(never, 'd.jsonl')).toThrow(/d\.jsonl: no isolation event/);
    expect(() => windowFromDeployments(never, 'd.jsonl', 'v1')).toThrow(/never isolated/);
    expect(() => windowFromDeployments(never, 'd.jsonl', 'v9')).toThrow(/no deployment of version v9/);
  });
});

describe('manual window', () => {
  it('normalises both ends to UTC and records zone-less inputs', () => {
    const w = manualWindow('2026-10-06T16:12:00+02:00', '2026-10-20 09:30:00');
    expect([w.startMs, w.endMs]).toEqual([
      Date.parse(TIMELINE.compromisedDeployedAt),
      Date.parse(TIMELINE.isolatedAt),
    ]);
    expect(w.source).toEqual({
      kind: 'manual',
      from: '2026-10-06T14:12:00.000Z',
      to: '2026-10-20T09:30:00.000Z',
      zonelessInputs: ['2026-10-20 09:30:00'],
    });
    expect(() => manualWindow('2026-10-20T00:00:00Z', '2026-10-06T00:00:00Z')).toThrow(/must be after/);
    expect(() => manualWindow('soon', '2026-10-06T00:00:00Z')).toThrow(/--from soon/);
  });
});

describe('deployment records already in the evidence', () => {
  it('finds the one deployment history of an ingested bundle, and names them when there are several', async () => {
    const { ws, cleanup } = newWorkstation();
    const dir = tempDir('probity-audit-deploy-');
    const store = ws.createCase({ title: 'w', actor: 't' });
    try {
      const history = buildDeploymentEvidence('probity-demo').historyJsonl;
      writeTree(dir, { 'incident/deployment/history.jsonl': history, 'incident/logs/x.jsonl': '{}\n' });
      await ingestBundle({ store, bundle: path.join(dir, 'incident'), actor: 't', host: 'h' });
      const w = await deploymentWindow(store, { actor: 't', host: 'h' });
      expect(w.source).toMatchObject({
        kind: 'deployments',
        evidencePath: 'deployment/history.jsonl',
        version: COMPROMISED_VERSION,
      });
      expect(w.startMs).toBe(Date.parse(TIMELINE.compromisedDeployedAt));
      writeTree(dir, {
        'more/rollout-history.jsonl': history
          .replace(/deployed/g, 'released')
          .replace(/"isolated"/, '"rolled back"'),
      });
      await ingestBundle({ store, bundle: path.join(dir, 'more'), actor: 't', host: 'h' });
      await expect(deploymentWindow(store, { actor: 't', host: 'h' })).rejects.toThrow(
        /several deployment records \(deployment\/history\.jsonl, rollout-history\.jsonl\); pass --deployments PATH/,
      );
      const chosen = await deploymentWindow(store, { ref: 'rollout-history.jsonl', actor: 't', host: 'h' });
      expect(chosen.endMs).toBe(Date.parse(TIMELINE.isolatedAt));
    } finally {
      store.close();
      cleanup();
      rmrf(dir);
    }
  });
});
