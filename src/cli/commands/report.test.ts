import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, rmrf, tempDir, writeTree } from '../../../test/helpers';
import { runProbity } from '../testkit';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const cli = (home: string, env: Record<string, string>, ...args: string[]) =>
  runProbity(home, args, { PROBITY_PASSPHRASE: '', ...env });

function dir(prefix: string): string {
  const d = tempDir(prefix);
  cleanups.push(() => rmrf(d));
  return d;
}

const ALICE = { PROBITY_PASSPHRASE: 'alice passphrase' };

function setupCase(home: string): string {
  const bundle = dir('probity-cli-bundle-');
  writeTree(bundle, {
    'model/w.safetensors': 'tensor-bytes-0xC0FFEE',
    'model/config.json': '{"model_type":"llama"}',
  });
  const id = cli(home, {}, 'case', 'create', '--title', 'Signed incident').stdout.trim();
  expect(cli(home, {}, 'ingest', id, bundle).code).toBe(0);
  return id;
}

describe('probity custodian', () => {
  it(
    'adds with a passphrase from the environment, refuses none or an empty one, lists, rotates and revokes',
    { timeout: 120_000 },
    () => {
      const home = dir('probity-cli-home-');
      const none = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'bin/probity.js'), 'custodian', 'add', '--name', 'alice', '--home', home],
        {
          encoding: 'utf8',
          env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'PROBITY_PASSPHRASE')),
          input: '',
        },
      );
      expect(none.status).toBe(2);
      expect(none.stderr.trim()).toBe(
        'probity custodian add: no passphrase for new custodian alice: set PROBITY_PASSPHRASE or run on a terminal',
      );
      expect(cli(home, { PROBITY_PASSPHRASE: '' }, 'custodian', 'add', '--name', 'alice').stderr).toMatch(
        /refusing an empty passphrase/,
      );

      const added = cli(home, ALICE, 'custodian', 'add', '--name', 'alice', '--role', 'incident commander');
      expect(added.code).toBe(0);
      const fp = /([0-9a-f]{64})/.exec(added.stdout)![1]!;
      expect(added.stdout.trim()).toBe(`custodian alice (incident commander) ${fp}`);

      const list = cli(home, {}, 'custodian', 'list');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^alice +active +incident commander +${fp}$`, 'm'));

      const rotated = cli(
        home,
        { ...ALICE, PROBITY_NEW_PASSPHRASE: 'new one' },
        'custodian',
        'rotate',
        '--name',
        'alice',
      );
      expect(rotated.code).toBe(0);
      expect(rotated.stdout).toMatch(new RegExp(`custodian alice: key ${fp} retired, now [0-9a-f]{64}`));
      const revoked = cli(home, {}, 'custodian', 'revoke', '--name', 'alice', '--reason', 'left the team');
      expect(revoked.code).toBe(0);
      expect(cli(home, {}, 'custodian', 'revoke', '--name', 'alice').stderr).toMatch(/--reason is required/);
      const json = JSON.parse(cli(home, {}, 'custodian', 'list', '--json').stdout) as {
        custodians: { name: string; status: string; keys: { status: string }[] }[];
        logProblems: string[];
      };
      expect(json.custodians[0]).toMatchObject({ name: 'alice', status: 'revoked' });
      expect(json.custodians[0]!.keys.map((k) => k.status)).toEqual(['retired', 'revoked']);
      expect(json.logProblems).toEqual([]);
    },
  );
});

describe('probity checkpoint, report and case transfer', () => {
  it('signs, exports, verifies and refuses, with exit codes 0 / 1 / 2', { timeout: 180_000 }, () => {
    const home = dir('probity-cli-home-');
    const id = setupCase(home);
    expect(cli(home, ALICE, 'custodian', 'add', '--name', 'alice').code).toBe(0);

    expect(cli(home, { PROBITY_PASSPHRASE: 'wrong' }, 'checkpoint', id, '--sign-as', 'alice').stderr).toMatch(
      /key\.pem: wrong passphrase, or the key file is damaged/,
    );
    const cp = cli(home, ALICE, 'checkpoint', id, '--sign-as', 'alice');
    expect(cp.code).toBe(0);
    const signed = JSON.parse(cp.stdout) as {
      checkpoint: { caseId: string; lastSeq: number };
      signer: { name: string };
    };
    expect(signed.checkpoint.caseId).toBe(id);
    expect(signed.signer.name).toBe('alice');
    const pinned = path.join(dir('probity-cli-cp-'), 'checkpoint.json');
    fs.writeFileSync(pinned, cp.stdout);
    expect(cli(home, {}, 'checkpoint', id, '--check', pinned).stdout).toMatch(/checkpoint holds/);

    // verify checks the signed events against the workstation's keys.
    const v = cli(home, {}, 'verify', id);
    expect(v.code).toBe(0);

    const out = path.join(dir('probity-cli-out-'), 'bundle');
    const exp = cli(
      home,
      ALICE,
      'report',
      'export',
      id,
      '--out',
      out,
      '--sign-as',
      'alice',
      '--format',
      'html,json',
    );
    expect(exp.code).toBe(0);
    expect(exp.stdout.trim()).toBe(out);
    const fp = (
      JSON.parse(cli(home, {}, 'custodian', 'list', '--json').stdout) as {
        custodians: { fingerprint: string }[];
      }
    ).custodians[0]!.fingerprint;
    const ok = cli(home, {}, 'report', 'verify', out, '--pin', fp);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`OK — 6 files match MANIFEST\\.sha256; signed by custodian alice \\(${fp}\\)`),
    );
    expect(cli(home, {}, 'report', 'verify', out, '--pin', 'nonsense').code).toBe(2);

    const json = path.join(out, 'report.json');
    fs.appendFileSync(json, ' ');
    const bad = cli(home, {}, 'report', 'verify', out);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAILED — 1 problem\n {2}report\.json: altered: sha256 is/);

    const noPdf = cli(
      home,
      { PROBITY_CHROMIUM: '/nonexistent/chromium' },
      'report',
      'export',
      id,
      '--out',
      path.join(path.dirname(out), 'b2'),
    );
    expect(noPdf.code).toBe(2);
    expect(noPdf.stderr.trim().split('\n')).toEqual([
      'probity report export: report.pdf: Chromium not found (looked for /nonexistent/chromium); install chromium, set PROBITY_CHROMIUM, or leave pdf out of --format',
    ]);

    // Case transfer to a second workstation.
    const tar = path.join(path.dirname(out), 'case.tar');
    expect(cli(home, ALICE, 'case', 'export', id, '--out', tar, '--sign-as', 'alice').code).toBe(0);
    const home2 = dir('probity-cli-home2-');
    const tampered = path.join(path.dirname(out), 'tampered.tar');
    const bytes = fs.readFileSync(tar);
    const at = bytes.indexOf(Buffer.from('tensor-bytes-0xC0FFEE'));
    bytes[at] = 0x54; // 't' → 'T' inside the stored object
    fs.writeFileSync(tampered, bytes);
    const refused = cli(home2, {}, 'case', 'import', tampered);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /tampered\.tar: refused: objects\/sha256\/[0-9a-f]{2}\/[0-9a-f]{62}: sha256 is/,
    );
    const imp = cli(home2, {}, 'case', 'import', tar, '--pin', fp);
    expect(imp.code).toBe(0);
    expect(imp.stdout.trim()).toBe(id);
    expect(imp.stderr).toMatch(new RegExp(`new key learnt from the case: alice \\(${fp}\\)`));
    expect(cli(home2, {}, 'verify', id).code).toBe(0);

    // A revoked custodian can no longer sign.
    expect(cli(home, {}, 'custodian', 'revoke', '--name', 'alice', '--reason', 'laptop stolen').code).toBe(0);
    const after = cli(home, ALICE, 'checkpoint', id, '--sign-as', 'alice');
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(
      /custodian alice \([0-9a-f]{64}\) was revoked at .*: laptop stolen; it can no longer sign/,
    );
  });
});

describe('probity ingest and verify --sign-as', () => {
  interface LoggedEvent {
    seq: number;
    action: string;
    signature: string | null;
    signer: string | null;
  }
  const logOf = (home: string, id: string) =>
    JSON.parse(cli(home, {}, 'log', id, '--json').stdout) as LoggedEvent[];

  it(
    'signs every event of the ingest and the verify run; refuses a bad key by name, appending nothing',
    {
      timeout: 180_000,
    },
    () => {
      const home = dir('probity-cli-home-');
      const bundle = dir('probity-cli-bundle-');
      writeTree(bundle, {
        'model/w.safetensors': 'tensor-bytes-signed',
        'model/config.json': '{"model_type":"llama"}',
      });
      const id = cli(home, {}, 'case', 'create', '--title', 'Signed ingest').stdout.trim();
      const added = cli(home, ALICE, 'custodian', 'add', '--name', 'alice');
      const fp = /([0-9a-f]{64})/.exec(added.stdout)![1]!;
      const before = logOf(home, id).length;

      // Refusals: each names the custodian and the reason, exits 2, and appends nothing.
      const wrong = cli(home, { PROBITY_PASSPHRASE: 'wrong' }, 'ingest', id, bundle, '--sign-as', 'alice');
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/^probity ingest: custodian alice: .*key\.pem: wrong passphrase/m);
      const unknown = cli(home, ALICE, 'ingest', id, bundle, '--sign-as', 'bob');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/^probity ingest: custodian bob: not on this workstation/m);
      const wrongVerify = cli(home, { PROBITY_PASSPHRASE: 'wrong' }, 'verify', id, '--sign-as', 'alice');
      expect(wrongVerify.code).toBe(2);
      expect(wrongVerify.stderr).toMatch(/custodian alice: .*wrong passphrase/);
      expect(logOf(home, id)).toHaveLength(before);

      const ing = cli(home, ALICE, 'ingest', id, bundle, '--sign-as', 'alice');
      expect(ing.code).toBe(0);
      const events = logOf(home, id).slice(before);
      expect(events.map((e) => e.action)).toEqual([
        'custodian.key',
        'ingest.started',
        'evidence.stored',
        'evidence.stored',
        'ingest.finished',
      ]);
      for (const e of events) {
        expect(e.signer).toBe(fp);
        expect(e.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
      }

      const v = cli(home, ALICE, 'verify', id, '--sign-as', 'alice');
      expect(v.stdout).toMatch(/: OK — 2 objects/);
      expect(v.code).toBe(0);
      const run = logOf(home, id).at(-1)!;
      expect(run).toMatchObject({ action: 'verify.run', signer: fp });
      expect(run.signature).not.toBeNull();
      // Unsigned and signed events side by side still verify.
      expect(cli(home, {}, 'verify', id).code).toBe(0);

      // A signature stripped with raw SQL (trigger dropped, columns set to NULL, trigger recreated).
      const started = events.find((e) => e.action === 'ingest.started')!;
      const db = new Database(path.join(home, 'cases', id, 'case.db'));
      const trigger = (
        db.prepare("SELECT sql FROM sqlite_master WHERE name = 'custody_no_update'").get() as { sql: string }
      ).sql;
      db.exec('DROP TRIGGER custody_no_update');
      db.prepare('UPDATE custody SET signature = NULL, signer = NULL WHERE seq = ?').run(started.seq);
      db.exec(trigger);
      db.close();
      const stripped = cli(home, {}, 'verify', id);
      expect(stripped.code).toBe(1);
      expect(stripped.stdout).toContain(
        `custody log: seq ${started.seq}: signature removed (signed by custodian alice (${fp}) when recorded)`,
      );

      expect(cli(home, {}, 'custodian', 'revoke', '--name', 'alice', '--reason', 'laptop stolen').code).toBe(
        0,
      );
      const n = logOf(home, id).length;
      const revoked = cli(home, ALICE, 'ingest', id, bundle, '--sign-as', 'alice');
      expect(revoked.code).toBe(2);
      expect(revoked.stderr).toMatch(/custodian alice \([0-9a-f]{64}\) was revoked at .*: laptop stolen/);
      expect(logOf(home, id)).toHaveLength(n);
    },
  );
});
