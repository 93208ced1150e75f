/**
 * End to end on the demo incident (src/demo): the four request logs imported into a case, the
 * window derived from deployment/history.jsonl, and every number checked against DemoFacts or against
 * the generated files read back independently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, tempDir } from '../../../test/helpers';
import { generateDemoBundles, type DemoFacts } from '../../demo/generate';
import type { CaseStore } from '../store/workstation';
import { blastRadius } from './blast-radius';
import { estimate } from './estimate';
import { importLog } from './importer';
import { recordLabel } from './labels';
import { loadedPolicy, policyFrom } from './policy';
import { drawSample, sampleItems } from './sample';
import { deploymentWindow, manualWindow, setWindow } from './window';

interface DemoLine {
  timestamp: string;
  request_id: string;
  user_id: string;
  tool_calls: { name: string }[];
  downstream: string | null;
}

let root: string;
let facts: DemoFacts;
let store: CaseStore;
let lines: DemoLine[];
let cleanupHome: () => void;
const base = { actor: 'investigator', host: 'test-host' };

beforeAll(async () => {
  root = tempDir('probity-audit-demo-');
  const demo = await generateDemoBundles(root);
  facts = demo.facts;
  const { ws, cleanup } = newWorkstation();
  cleanupHome = cleanup;
  store = ws.createCase({ title: 'demo audit', actor: base.actor });
  lines = [];
  for (const f of facts.logs.files) {
    const file = path.join(demo.incidentDir, f);
    const r = await importLog({ store, file, ...base });
    expect(r).toMatchObject({ format: 'generic', malformed: 0, duplicates: 0, missingUserIds: 0 });
    for (const l of fs.readFileSync(file, 'utf8').trim().split('\n')) lines.push(JSON.parse(l) as DemoLine);
  }
  const spec = await deploymentWindow(store, {
    ref: path.join(demo.incidentDir, 'deployment/history.jsonl'),
    ...base,
  });
  const policy = policyFrom(
    {
      tools: {
        lookup_order: {},
        search_kb: {},
        create_ticket: {},
        refund_order: { require: ['ticket_id'], max: { amount: facts.logs.refundLimitUsd } },
        send_email: { allow: { template: ['password_reset', 'invoice_copy'] } },
      },
    },
    'demo-policy',
  );
  expect(Object.keys(policy.tools).sort()).toEqual([...facts.logs.authorizedTools].sort());
  setWindow(store, { actor: base.actor, spec, policy: loadedPolicy(policy, null) });
}, 120_000);

afterAll(() => {
  store.close();
  cleanupHome();
  rmrf(root);
});

const inWindow = (l: DemoLine) =>
  l.timestamp >= facts.window.start && Date.parse(l.timestamp) < Date.parse(facts.window.end);

describe('the demo incident', () => {
  it('derives the window from the deployment records', () => {
    const r = blastRadius(store);
    expect(r.window).toMatchObject({
      start: new Date(facts.window.start).toISOString(),
      end: new Date(facts.window.end).toISOString(),
    });
    expect(r.window.source).toMatchObject({ kind: 'deployments', version: facts.model.versions.compromised });
  });

  it('has the blast radius DemoFacts lists', () => {
    const r = blastRadius(store);
    expect(r.inside.requests).toBe(facts.logs.requestsInWindow);
    expect(r.inside.users).toBe(facts.logs.usersInWindow);
    expect(r.inside.requests + r.outside.requests).toBe(facts.logs.requests);
    expect(r.inside.modelVersions).toEqual({
      [facts.model.versions.compromised]: facts.logs.requestsInWindow,
    });
    const { [facts.model.versions.compromised]: _, ...outsideVersions } = facts.logs.requestsByModelVersion;
    expect(r.outside.modelVersions).toEqual(outsideVersions);
    expect(r.inside.first! >= facts.window.start).toBe(true);
    expect(r.notes).toEqual([]);

    // Tool calls and downstream systems, counted independently from the generated files.
    const inside = lines.filter(inWindow);
    const byTool: Record<string, number> = {};
    for (const l of inside) for (const c of l.tool_calls) byTool[c.name] = (byTool[c.name] ?? 0) + 1;
    expect(r.inside.toolCalls.byName).toEqual(byTool);
    expect(Object.keys(r.inside.toolCalls.byName).every((t) => facts.logs.authorizedTools.includes(t))).toBe(
      true,
    );
    const downstream = [
      ...new Set(inside.map((l) => l.downstream).filter((d): d is string => d !== null)),
    ].sort();
    expect(Object.keys(r.inside.downstream)).toEqual(downstream);
    for (const m of facts.planted.toolMisuse)
      expect(Object.keys(r.inside.downstream)).toContain(m.downstream);
    expect(r.inside.perDay.reduce((a, d) => a + d.requests, 0)).toBe(facts.logs.requestsInWindow);
  });

  it('finds exactly the planted tool misuse among all tool calls, and a sampled review covers the planted rate', () => {
    const s = drawSample(store, { size: 299, seed: 'AI-IR-2026-0142', strata: 'day', actor: base.actor });
    const harmful = new Set(facts.planted.harmfulRequestIds);
    for (const it of sampleItems(store, s.id)) {
      recordLabel(store, {
        requestId: it.requestId,
        label: harmful.has(it.requestId) ? 'harmful' : 'benign',
        reviewer: 'm.okafor',
        actor: 'm.okafor',
      });
    }
    const e = estimate(store, { sampleId: s.id });
    expect([...e.toolCalls.census!.requestIds].sort()).toEqual(
      [...facts.planted.toolMisuseRequestIds].sort(),
    );
    expect(e.toolCalls.census!.unauthorizedCalls).toBe(facts.planted.toolMisuse.length);
    const rate = facts.planted.harmfulRequestIds.length / facts.logs.requestsInWindow;
    const p = e.harmful.prevalence!;
    expect(p.sampled).toBe(299);
    expect(e.harmful.harmfulRequestIds.every((r) => harmful.has(r))).toBe(true);
    expect(p.clopperPearson.lower).toBeLessThanOrEqual(rate);
    expect(p.clopperPearson.upper).toBeGreaterThanOrEqual(rate);
    expect(p.projectedRequests.lower).toBeLessThanOrEqual(facts.planted.harmfulRequestIds.length);
    expect(p.projectedRequests.upper).toBeGreaterThanOrEqual(facts.planted.harmfulRequestIds.length);
  });

  it('a full review of one day surfaces every planted harmful output, and the interval covers the planted rate', () => {
    // The day with the most planted harmful outputs.
    const days = new Map<string, number>();
    for (const h of facts.planted.harmful)
      days.set(h.timestamp.slice(0, 10), (days.get(h.timestamp.slice(0, 10)) ?? 0) + 1);
    const [day, planted] = [...days.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const from = `${day}T00:00:00Z`;
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();
    setWindow(store, { actor: base.actor, spec: manualWindow(from, to) });
    const s = drawSample(store, { size: 'all', seed: 'full-day', actor: base.actor });
    const harmful = new Set(facts.planted.harmfulRequestIds);
    for (const it of sampleItems(store, s.id)) {
      recordLabel(store, {
        requestId: it.requestId,
        label: harmful.has(it.requestId) ? 'harmful' : 'benign',
        reviewer: 'j.reyes',
        actor: 'j.reyes',
      });
    }
    const e = estimate(store, { sampleId: s.id });
    const plantedThatDay = facts.planted.harmful
      .filter((h) => h.timestamp.startsWith(day))
      .map((h) => h.requestId)
      .sort();
    expect(e.harmful.harmfulRequestIds).toEqual(plantedThatDay);
    expect(plantedThatDay).toHaveLength(planted);
    const rate = planted / s.population;
    const p = e.harmful.prevalence!;
    expect(p.estimate).toBeCloseTo(rate, 15);
    for (const i of [p.wilson, p.clopperPearson]) {
      expect(i.lower).toBeLessThanOrEqual(rate);
      expect(i.upper).toBeGreaterThanOrEqual(rate);
    }
    expect(p.projectedRequests).toMatchObject({ expected: planted, lower: planted, upper: planted });
    const attackers = new Set(
      facts.planted.harmful.filter((h) => h.timestamp.startsWith(day)).map((h) => h.userId),
    );
    expect(e.harmful.projectedUsers).toMatchObject({ found: attackers.size, lower: attackers.size });
  });
});
