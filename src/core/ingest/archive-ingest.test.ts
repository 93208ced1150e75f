import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, sha256, tempDir, writeTree } from '../../../test/helpers';
import { listEvents } from '../store/custody';
import { listEvidence } from '../store/queries';
import { verifyCase } from '../store/verify';
import type { CaseStore } from '../store/workstation';
import { ingestBundle } from './ingest';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(): { store: CaseStore; work: string } {
  const { ws, cleanup } = newWorkstation();
  const work = tempDir('probity-arch-');
  const store = ws.createCase({ title: 'archives', actor: 'c' });
  cleanups.push(
    cleanup,
    () => rmrf(work),
    () => store.close(),
  );
  return { store, work };
}

const ingest = (store: CaseStore, bundle: string) => ingestBundle({ store, bundle, actor: 'c', host: 'h' });

const FILES = {
  'model/model.safetensors': Buffer.alloc(2 * 1024 * 1024 + 3, 5),
  'model/config.json': '{"model_type":"llama"}',
  'model/empty.bin': '',
  'logs/requests.jsonl': '{"request_id":"r1","response":"ok"}\n'.repeat(500),
};

function python(script: string): void {
  execFileSync('python3', ['-c', script]);
}

describe('archive bundles', () => {
  for (const kind of ['tar', 'tar.gz', 'zip'] as const) {
    it(`stores every member of a .${kind} bundle with the same digests as the files`, async () => {
      const { store, work } = setup();
      const src = path.join(work, 'src');
      writeTree(src, FILES);
      fs.symlinkSync('model.safetensors', path.join(src, 'model/current'));
      const archive = path.join(work, `bundle.${kind}`);
      if (kind === 'tar') execFileSync('tar', ['-cf', archive, '-C', src, 'model', 'logs']);
      else if (kind === 'tar.gz') execFileSync('tar', ['-czf', archive, '-C', src, 'model', 'logs']);
      else execFileSync('zip', ['-qry', archive, 'model', 'logs'], { cwd: src });
      const s = await ingest(store, archive);
      expect(s.files).toBe(4);
      expect(s.links).toBe(1);
      const byPath = Object.fromEntries(listEvidence(store).map((e) => [e.path, e]));
      for (const [p, content] of Object.entries(FILES)) expect(byPath[p]!.sha256).toBe(sha256(content));
      expect(byPath['model/current']!.linkTarget).toBe('model.safetensors');
      expect(byPath['model/model.safetensors']!.sourcePath).toBe(`${archive}!/model/model.safetensors`);
      expect((await verifyCase({ store, actor: 'c' })).ok).toBe(true);
    });
  }

  it('refuses a tar with a ../ member, naming it, and stores nothing', async () => {
    const { store, work } = setup();
    writeTree(path.join(work, 'a/b'), { 'ok.txt': 'ok' });
    writeTree(work, { 'evil.txt': 'evil' });
    const archive = path.join(work, 'bad.tar');
    execFileSync('tar', ['-cPf', archive, '-C', path.join(work, 'a/b'), 'ok.txt', '../../evil.txt']);
    await expect(ingest(store, archive)).rejects.toThrow(/bad\.tar: entry "\.\.\/\.\.\/evil\.txt": .*\.\./);
    expect(listEvidence(store)).toEqual([]);
  });

  it('refuses a zip with an absolute path, naming it', async () => {
    const { store, work } = setup();
    const archive = path.join(work, 'abs.zip');
    python(
      `import zipfile\nz=zipfile.ZipFile(${JSON.stringify(archive)},'w')\nz.writestr('fine.txt','x')\nz.writestr('/etc/cron.d/evil','y')\nz.close()`,
    );
    await expect(ingest(store, archive)).rejects.toThrow(
      /abs\.zip: entry "\/etc\/cron\.d\/evil": .*absolute/,
    );
    expect(listEvidence(store)).toEqual([]);
  });

  it('keeps both copies of a duplicate name in a zip, numbered, with a warning', async () => {
    const { store, work } = setup();
    const archive = path.join(work, 'dup.zip');
    python(
      `import zipfile,warnings\nwarnings.simplefilter('ignore')\nz=zipfile.ZipFile(${JSON.stringify(archive)},'w')\nz.writestr('config.json','first')\nz.writestr('config.json','second')\nz.close()`,
    );
    const s = await ingest(store, archive);
    expect(s.warnings.join('\n')).toMatch(/config\.json: the archive holds this name 2 times/);
    expect(listEvidence(store).map((e) => [e.path, e.occurrence, e.sha256])).toEqual([
      ['config.json', 1, sha256('first')],
      ['config.json', 2, sha256('second')],
    ]);
  });

  it('names a corrupt or truncated archive and records nothing', async () => {
    const { store, work } = setup();
    writeTree(work, { 'src/a.bin': Buffer.alloc(300_000, 1) });
    const tgz = path.join(work, 'cut.tar.gz');
    execFileSync('tar', ['-czf', tgz, '-C', path.join(work, 'src'), 'a.bin']);
    fs.truncateSync(tgz, Math.floor(fs.statSync(tgz).size / 2));
    await expect(ingest(store, tgz)).rejects.toThrow(/cut\.tar\.gz/);
    const zip = path.join(work, 'cut.zip');
    execFileSync('zip', ['-q', zip, 'a.bin'], { cwd: path.join(work, 'src') });
    fs.truncateSync(zip, fs.statSync(zip).size - 30);
    await expect(ingest(store, zip)).rejects.toThrow(
      /cut\.zip: .*(end of central directory|truncated|corrupt)/i,
    );
    fs.writeFileSync(path.join(work, 'notreally.tar'), 'this is not a tar archive at all');
    await expect(ingest(store, path.join(work, 'notreally.tar'))).rejects.toThrow(
      /notreally\.tar: named like an archive but is not one/,
    );
    expect(listEvidence(store)).toEqual([]);
    expect(listEvents(store.db).filter((e) => e.action === 'ingest.failed').length).toBeGreaterThanOrEqual(1);
    expect(fs.readdirSync(store.tmpDir)).toEqual([]);
  });

  it('keeps non-UTF-8 member names of a tar, escaped, with the raw bytes', async () => {
    const { store, work } = setup();
    const dir = path.join(work, 'src');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x77, 0xe8, 0x69, 0x67, 0x68, 0x74])]),
      'w',
    );
    const archive = path.join(work, 'names.tar');
    execFileSync('tar', ['-cf', archive, '-C', dir, '.']);
    await ingest(store, archive);
    const [e] = listEvidence(store);
    expect(e!.path).toBe('w%E8ight');
    // The raw bytes are the name as the archive stores it, "./" prefix included.
    expect(e!.rawNameHex).toBe('2e2f77e869676874');
  });
});
