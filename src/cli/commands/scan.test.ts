/**
 * `probity scan` and `probity rescan` through the real binary: the verdicts with their rules
 * version, a re-scan that finds nothing changed, and the usage errors of `rescan`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { SCANNER_RULES } from '../../core/formats/rules';
import { pickleBytes, sbu } from '../../core/formats/testkit';
import { writeTree } from '../../core/integrity/testkit';
import { runProbity } from '../testkit';

const cli = (home: string, ...args: string[]) => runProbity(home, args);

const home = tempDir('probity-cli-scan-');
const bundle = tempDir('probity-cli-scan-files-');
afterAll(() => {
  rmrf(home);
  rmrf(bundle);
});

describe('probity scan / rescan', () => {
  it('records each verdict with the rules version; rescan re-confirms; rescan needs one case or --all', () => {
    writeTree(bundle, {
      'model.bin': pickleBytes([0x80, 4], sbu('os'), sbu('system'), 0x93, sbu('id'), 0x85, 0x52, 0x2e),
      'state.pkl': pickleBytes([0x80, 4], sbu('collections'), sbu('OrderedDict'), 0x93, 0x29, 0x52, 0x2e),
    });
    const id = cli(home, 'case', 'create', '--title', 'scan', '--examiner', 'x').stdout.trim();
    expect(cli(home, 'ingest', id, bundle).code).toBe(0);
    const scan = cli(home, 'scan', id);
    expect(scan.code).toBe(1);
    expect(scan.stdout).toContain(`judged under rules ${SCANNER_RULES.version}`);
    expect(scan.stdout).toMatch(/model\.bin: dangerous \(.*os\.system/);

    const again = cli(home, 'rescan', '--all', '--json');
    const parsed = JSON.parse(again.stdout) as {
      caseId: string;
      changed: unknown[];
      reconfirmed: string[];
    }[];
    expect(parsed).toEqual([expect.objectContaining({ caseId: id, changed: [] })]);
    expect(parsed[0]?.reconfirmed.sort()).toEqual(['model.bin', 'state.pkl']);

    const neither = cli(home, 'rescan');
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('give one case id or --all');
    const both = cli(home, 'rescan', id, '--all');
    expect(both.code).not.toBe(0);
    expect(both.stderr).not.toMatch(/\n\s+at /);
  }, 180_000);
});
