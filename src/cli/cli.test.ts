import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rmrf, sha256, tempDir, writeTree } from '../../test/helpers';
import { runProbity } from './testkit';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const cli = (home: string, ...args: string[]) => runProbity(home, args);

function setup() {
  const home = tempDir('probity-cli-');
  const bundle = tempDir('probity-bundle-');
  cleanups.push(
    () => rmrf(home),
    () => rmrf(bundle),
  );
  return { home, bundle };
}

describe('probity CLI', () => {
  it('creates, ingests, lists, logs and verifies, with exit codes 0 / 1 / 2', () => {
    const { home, bundle } = setup();
    writeTree(bundle, {
      'model/w.safetensors': 'weights-as-deployed',
      'model/config.json': '{"model_type":"llama"}',
      'model/checksums.sha256': `${sha256('weights-as-shipped')}  w.safetensors\n${sha256('{"model_type":"llama"}')}  config.json\n`,
    });
    const created = cli(home, 'case', 'create', '--title', 'CLI incident', '--examiner', 'R. Roe');
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^AI-IR-\d{4}-0001$/);

    // A checksum mismatch is preserved as found, recorded, and exits 1.
    const ing = cli(home, 'ingest', id, bundle);
    expect(ing.code).toBe(1);
    expect(ing.stdout).toMatch(/stored 3 files/);
    expect(ing.stdout).toMatch(/1 matched, 1 mismatched, 0 missing, 0 new/);
    expect(ing.stdout).toMatch(
      /MISMATCHED {2}model\/w\.safetensors: sha256 [0-9a-f]{64}, model\/checksums\.sha256 lists/,
    );

    const ev = cli(home, 'evidence', id, '--json');
    expect(ev.code).toBe(0);
    const items = JSON.parse(ev.stdout) as { path: string; kind: string; manifestStatus: string | null }[];
    expect(items.map((i) => [i.path, i.kind, i.manifestStatus])).toEqual([
      ['model/checksums.sha256', 'checksums', null],
      ['model/config.json', 'model-config', 'matched'],
      ['model/w.safetensors', 'weights', 'mismatched'],
    ]);
    expect(cli(home, 'evidence', id, '--kind', 'weights').stdout).toMatch(/weights .* model\/w\.safetensors/);

    const log = JSON.parse(cli(home, 'log', id, '--json').stdout) as { action: string }[];
    expect(log.map((e) => e.action)).toEqual([
      'case.created',
      'ingest.started',
      'evidence.stored',
      'evidence.stored',
      'evidence.stored',
      'ingest.finished',
    ]);

    const ok = cli(home, 'verify', id);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/OK — 3 objects .* custody chain verified through seq 6/);

    const list = cli(home, 'case', 'list', '--json');
    expect(JSON.parse(list.stdout)).toMatchObject([
      { id, title: 'CLI incident', examiner: 'R. Roe', evidenceCount: 3 },
    ]);

    // Tamper with an object: verify names the file and exits 1.
    const obj = path.join(
      home,
      'cases',
      id,
      'objects',
      'sha256',
      sha256('weights-as-deployed').slice(0, 2),
      sha256('weights-as-deployed').slice(2),
    );
    fs.chmodSync(obj, 0o644);
    fs.writeFileSync(obj, 'weights-as-deployeD');
    const bad = cli(home, 'verify', id, '--json');
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { ok: boolean; messages: string[] };
    expect(report.ok).toBe(false);
    expect(report.messages[0]).toMatch(/^model\/w\.safetensors: object modified/);
  });

  it('exits 2 with one line naming the file for a missing bundle', () => {
    const { home } = setup();
    const id = cli(home, 'case', 'create', '--title', 't').stdout.trim();
    const r = cli(home, 'ingest', id, '/no/such/bundle');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'probity ingest: /no/such/bundle: cannot read the bundle: no such file or directory',
    ]);
    const j = cli(home, 'ingest', id, '/no/such/bundle', '--json');
    expect(JSON.parse(j.stdout)).toEqual({
      error: {
        code: 'not-found',
        message: '/no/such/bundle: cannot read the bundle: no such file or directory',
        file: '/no/such/bundle',
      },
    });
  });

  it('exits 2 on bad usage', () => {
    const { home } = setup();
    expect(cli(home, 'frobnicate').code).toBe(2);
    expect(cli(home, 'verify').code).toBe(2);
    expect(cli(home, 'verify', 'AI-IR-2026-0999').stderr).toMatch(/AI-IR-2026-0999: no such case/);
    expect(cli(home, 'case', 'create').stderr).toMatch(/needs a title/);
    expect(cli(home, 'evidence', 'AI-IR-2026-0001', '--kind', 'nonsense').stderr).toMatch(
      /--kind nonsense: not a kind/,
    );
    expect(cli(home, 'case', 'list', '--bogus').code).toBe(2);
    expect(cli(home, '--help').code).toBe(0);
  });
});
