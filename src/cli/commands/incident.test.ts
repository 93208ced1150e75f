import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView, RetrainingGate, TimelineEntry } from '../../shared/incident';
import { rmrf, tempDir } from '../../../test/helpers';
import { runProbity } from '../testkit';

let home: string;
let incident: string;
let reference: string;

const cli = (...args: string[]) => runProbity(home, args, { PROBITY_PASSPHRASE: '' });

function json<T>(...args: string[]): T {
  const r = cli(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

beforeAll(() => {
  home = tempDir('probity-incident-cli-');
  const demo = cli('demo', '--json');
  expect(demo.code, demo.stderr).toBe(0);
  ({ incidentCaseId: incident, referenceCaseId: reference } = JSON.parse(demo.stdout) as {
    incidentCaseId: string;
    referenceCaseId: string;
  });
}, 120_000);

afterAll(() => rmrf(home));

describe('probity incident on the demo incident', () => {
  it(
    'records the incident through custody events, refuses bad input and a gated retrain, and reports it',
    { timeout: 240_000 },
    () => {
      // Header: detected normalised to UTC.
      const set = cli(
        'incident',
        'set',
        incident,
        '--status',
        'isolated',
        '--severity',
        'critical',
        '--detected',
        '2026-10-08T09:30:00+02:00',
      );
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toMatch(/detected 2026-10-08T07:30:00\.000Z \(custody seq \d+\)/);

      // Bad input: the field and the reason, exit 2, a JSON error with --json.
      const bad = cli('incident', 'set', incident, '--severity', 'apocalyptic');
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe(
        'probity incident set: severity "apocalyptic": not one of critical, high, medium, low',
      );
      const badJson = cli('incident', 'set', incident, '--detected', 'tuesday', '--json');
      expect(badJson.code).toBe(2);
      expect(JSON.parse(badJson.stdout).error.message).toMatch(/^detected "tuesday": /);
      expect(cli('incident', 'role', incident, 'chef', 'X').stderr).toMatch(/role "chef": not one of/);
      expect(cli('incident', 'role', incident, 'ai-investigator', 'Ana', '--custodian', 'nobody').code).toBe(
        2,
      );
      expect(cli('incident', 'action', incident, 'isolate').stderr).toMatch(
        /strategy is required to isolate/,
      );
      expect(cli('incident', 'action', incident, 'escalate').stderr).toMatch(
        /action "escalate": not one of acknowledge, preserve, isolate/,
      );
      expect(cli('incident', 'checklist', incident, '2', '--status', 'done', '--note', 'x').stderr).toMatch(
        /only items 7–12/,
      );
      expect(
        cli('incident', 'checklist', incident, '9', '--status', 'finished', '--note', 'x').stderr,
      ).toMatch(/status "finished"/);
      expect(
        cli('incident', 'gate', incident, '--consideration', 'training-data-audit', '--evidence', 'abc')
          .stderr,
      ).toMatch(/--evidence abc: not an evidence id/);
      expect(cli('incident', 'replacement', incident).stderr).toMatch(/exactly one of --case/);
      expect(cli('incident', 'replacement', incident, '--case', incident).stderr).toMatch(
        /cannot be the compromised case/,
      );

      expect(cli('incident', 'role', incident, 'incident-commander', 'Dana Ruiz').code).toBe(0);
      expect(
        cli('incident', 'trigger', incident, 'file-integrity', '--note', 'adapter hash differs').code,
      ).toBe(0);
      expect(cli('incident', 'trigger', incident, 'backdoor-detected').code).toBe(0);
      expect(cli('incident', 'trigger', incident, 'backdoor-detected', '--remove').code).toBe(0);
      expect(cli('incident', 'action', incident, 'acknowledge', '--at', '2026-10-08T07:45:00Z').code).toBe(0);
      expect(cli('incident', 'action', incident, 'preserve', '--at', '2026-10-08T07:50:00Z').code).toBe(0);
      const iso = cli(
        'incident',
        'action',
        incident,
        'isolate',
        '--strategy',
        'roll-back',
        '--framework',
        'untriggered-backdoor',
        '--at',
        '2026-10-08T08:00:00Z',
        '--note',
        'r6 cached',
      );
      expect(iso.code, iso.stderr).toBe(0);
      expect(iso.stdout).toContain('roll-back: Previous version known-good and available');

      // Retrain is gated: exit 1 with the missing considerations listed.
      const refused = cli('incident', 'decide', incident, 'retrain', '--reason', 'custom model needed');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/retrain refused: 6 of 6 .*training-data-audit .*output-comparison/);
      const keys = [
        'training-data-audit',
        'infrastructure-security',
        'process-isolation',
        'validation-protocol',
        'incremental-verification',
      ];
      for (const k of keys)
        expect(cli('incident', 'gate', incident, '--consideration', k, '--note', `${k}: planned`).code).toBe(
          0,
        );
      expect(json<RetrainingGate>('incident', 'gate', incident).missing).toEqual(['output-comparison']);
      expect(
        cli('incident', 'decide', incident, 'retrain', '--reason', 'custom model needed').stderr,
      ).toMatch(/1 of 6 .*output-comparison \(Output comparison/);
      expect(
        cli('incident', 'gate', incident, '--consideration', 'output-comparison', '--evidence', '1').code,
      ).toBe(0);
      const decided = cli('incident', 'decide', incident, 'retrain', '--reason', 'custom model needed');
      expect(decided.code, decided.stderr).toBe(0);

      expect(
        cli(
          'incident',
          'factor',
          incident,
          'fine-tuning-data-compromise',
          '--value',
          'yes',
          '--note',
          'poisoned rows',
        ).code,
      ).toBe(0);
      expect(
        cli('incident', 'checklist', incident, '9', '--status', 'done', '--note', 'other deployments checked')
          .code,
      ).toBe(0);
      expect(cli('incident', 'replacement', incident, '--case', reference).code).toBe(0);
      expect(
        cli(
          'incident',
          'timeline',
          incident,
          '--add',
          'Vendor notified by phone',
          '--at',
          '2026-10-08T10:00:00Z',
        ).code,
      ).toBe(0);

      const timeline = json<TimelineEntry[]>('incident', 'timeline', incident);
      const times = timeline.map((t) => Date.parse(t.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(timeline.find((t) => t.source.kind === 'manual')?.text).toBe('Vendor notified by phone');

      const v = json<IncidentView>('incident', 'show', incident);
      expect(v.header).toMatchObject({
        incidentId: incident,
        type: 'Model Compromise',
        status: 'isolated',
        severity: 'critical',
        detected: '2026-10-08T07:30:00.000Z',
      });
      expect(v.roles[0]).toMatchObject({ role: 'incident-commander', name: 'Dana Ruiz' });
      expect(v.triggers.filter((t) => t.applied).map((t) => t.key)).toEqual(['file-integrity']);
      expect(v.actions.map((a) => a.done)).toEqual([true, true, true]);
      expect(v.actions[1]!.ingests![0]).toMatchObject({
        status: 'finished',
        manifest: { mismatched: expect.any(Number) },
      });
      expect(v.decision).toMatchObject({ option: 'retrain' });
      expect(v.gate.open).toBe(true);
      expect(v.replacement.link).toEqual({ kind: 'case', caseId: reference });
      expect(v.checklist[8]).toMatchObject({
        status: 'recorded',
        manual: { note: 'other deployments checked' },
      });
      expect(v.history.filter((h) => h.action === 'incident.trigger.set')).toHaveLength(3);

      const text = cli('incident', 'show', incident);
      expect(text.stdout).toMatch(
        /^Incident ID: AI-IR-\d{4}-\d{4} {2}Type: Model Compromise {2}Detected: 2026-10-08T07:30:00.000Z$/m,
      );
      expect(text.stdout).toContain('RETRAINING GATE (every consideration attested)');

      // The chain still verifies; the exported report carries the incident.
      expect(cli('verify', incident).code).toBe(0);
      const out = path.join(tempDir('probity-incident-report-'), 'bundle');
      const exported = cli('report', 'export', incident, '--out', out, '--format', 'html,json');
      expect(exported.code, exported.stderr).toBe(0);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as {
        incident: IncidentView;
      };
      expect(report.incident.header.severity).toBe('critical');
      expect(report.incident.decision?.option).toBe('retrain');
      const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
      expect(html).toContain('id="incident"');
      expect(html).toContain('Vendor notified by phone');
      expect(html).toContain('Retraining gate open');
      rmrf(path.dirname(out));
    },
  );
});
