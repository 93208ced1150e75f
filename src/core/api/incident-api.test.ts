/**
 * The Post-mortem channels over the shared service on the demo incident: the record filled in as
 * the app does it, "Retrain" refused by the gate with the missing considerations named and then
 * accepted, the live preview showing the record, and a signed export that checks out — and is
 * refused by name with a wrong passphrase.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CustodianView } from '../../shared/custodians';
import { CONSIDERATION_KEYS, type IncidentView } from '../../shared/incident';
import type { ReportExportView } from '../../shared/report';
import { demoService, fails, ok } from './testkit';

describe('incident and report channels', () => {
  const { service, demo } = demoService('ic');

  it('fills the record, holds the gate, previews and exports a signed bundle', async () => {
    const caseId = demo().incidentCaseId;
    const update = (change: Record<string, unknown>) => service.handle('incident:update', { caseId, change });
    let v = ok<IncidentView>(await service.handle('incident:view', { caseId }));
    expect(v.header.incidentId).toBe(caseId);
    expect(v.header.type).toBe('Model Compromise');
    expect(v.gate.open).toBe(false);

    ok(
      await update({
        kind: 'header',
        status: 'isolated',
        severity: 'critical',
        detected: '2026-10-20T08:00:00Z',
      }),
    );
    ok(await update({ kind: 'role', role: 'incident-commander', name: 'Dana Reyes' }));
    ok(
      await update({
        kind: 'trigger',
        criterion: 'file-integrity',
        applied: true,
        note: 'shard 2 mismatched',
      }),
    );
    ok(
      await update({
        kind: 'action',
        action: 'isolate',
        strategy: 'roll-back',
        at: '2026-10-20T09:30:00Z',
        note: 'r6',
      }),
    );
    v = ok<IncidentView>(
      await update({ kind: 'timeline', text: 'Vendor notified', at: '2026-10-20T10:00:00Z' }),
    );
    expect(v.header).toMatchObject({
      status: 'isolated',
      severity: 'critical',
      detected: '2026-10-20T08:00:00.000Z',
    });
    expect(v.roles.find((r) => r.role === 'incident-commander')!.name).toBe('Dana Reyes');
    expect(v.triggers.find((t) => t.key === 'file-integrity')).toMatchObject({ applied: true });
    expect(v.timeline.some((t) => t.text.includes('Vendor notified') && t.source.kind === 'manual')).toBe(
      true,
    );

    const refused = fails(await update({ kind: 'decide', option: 'retrain', reason: 'custom model needed' }));
    for (const key of CONSIDERATION_KEYS.slice(0, 1)) expect(refused.message).toContain(key.split('-')[0]);
    for (const key of CONSIDERATION_KEYS)
      ok(await update({ kind: 'consideration', consideration: key, note: `${key}: planned` }));
    v = ok<IncidentView>(await update({ kind: 'decide', option: 'retrain', reason: 'custom model needed' }));
    expect(v.gate).toMatchObject({ open: true, missing: [] });
    expect(v.decision!.option).toBe('retrain');

    expect(fails(await update({ kind: 'header', status: 'done' })).message).toMatch(/status/);
    expect(fails(await update({ kind: 'checklist', n: 3, status: 'done', note: 'x' })).message).toMatch(
      /7–12/,
    );

    const preview = ok<{ html: string }>(await service.handle('report:preview', { caseId }));
    expect(preview.html).toContain(caseId);
    expect(preview.html).toContain('Dana Reyes');
    expect(preview.html).not.toMatch(/<script/i);

    ok<CustodianView>(await service.handle('custodians:add', { name: 'dana', passphrase: 'pass phrase' }));
    expect(
      fails(
        await service.handle('report:export', {
          caseId,
          formats: ['html'],
          custodian: 'dana',
          passphrase: 'nope',
        }),
      ).message,
    ).toMatch(/custodian dana/);
    const r = ok<ReportExportView>(
      await service.handle('report:export', {
        caseId,
        formats: ['html', 'json'],
        custodian: 'dana',
        passphrase: 'pass phrase',
      }),
    );
    expect(r.verification).toMatchObject({ ok: true, problems: [] });
    expect(r.signer!.name).toBe('dana');
    expect(r.files).toEqual(
      expect.arrayContaining(['MANIFEST.sha256', 'MANIFEST.sha256.sig', 'signer.pub.pem', 'report.html']),
    );
    expect(r.commands.join('\n')).toMatch(/openssl pkeyutl -verify/);
    const json = JSON.parse(fs.readFileSync(path.join(r.out, 'report.json'), 'utf8')) as {
      incident: unknown;
    };
    expect(JSON.stringify(json.incident)).toContain('Dana Reyes');
  }, 120_000);
});
