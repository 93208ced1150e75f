import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newWorkstation, rmrf, sha256, tempDir, writeTree } from '../../../test/helpers';
import { listEvents } from '../store/custody';
import { listEvidence } from '../store/queries';
import { verifyCase } from '../verify/verify';
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

describe('names, corrupt archives and re-runs', () => {
  it('keeps a literal "caf%E9.bin" apart from the non-UTF-8 name caf<0xE9>.bin', async () => {
    const { store, work } = setup();
    const tar = path.join(work, 'names.tar');
    python(`
import tarfile, io
with tarfile.open(${JSON.stringify(tar)}, 'w', format=tarfile.GNU_FORMAT, encoding='utf-8', errors='surrogateescape') as t:
    for name, data in [('caf%E9.bin', b'literal'), ('caf\\udce9.bin', b'latin-1')]:
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
`);
    await ingest(store, tar);
    const byPath = Object.fromEntries(listEvidence(store).map((e) => [e.path, e]));
    expect(Object.keys(byPath).sort()).toEqual(['caf%25E9.bin', 'caf%E9.bin']);
    expect(byPath['caf%25E9.bin']!.sha256).toBe(sha256('literal'));
    expect(byPath['caf%E9.bin']!.sha256).toBe(sha256('latin-1'));
    expect(byPath['caf%E9.bin']!.rawNameHex).toBe(
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x62, 0x69, 0x6e]).toString('hex'),
    );
  });

  it('refuses a corrupt .tar.gz naming the entry it stopped in, and leaves no staged objects', async () => {
    const { store, work } = setup();
    const src = path.join(work, 'src');
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 4; i++)
      files[`f${i}.bin`] = Buffer.from(Array.from({ length: 300_000 }, (_, k) => (k * 7919 + i * 31) % 251));
    writeTree(src, files);
    const good = path.join(work, 'good.tgz');
    execFileSync('tar', ['-czf', good, '-C', src, 'f0.bin', 'f1.bin', 'f2.bin', 'f3.bin']);
    const bytes = fs.readFileSync(good);
    const quoted = (f: string) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Cut short inside the third member's data: the error names that entry.
    const cut = path.join(work, 'cut.tgz');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expect(ingest(store, cut)).rejects.toThrow(
      new RegExp(
        `^${quoted(cut)}: gzip stream is corrupt or truncated in the data of entry "f\\d\\.bin" \\(unexpected end of file\\)$`,
      ),
    );
    // Bytes garbled in the middle: whichever layer notices first names where — the entry gzip broke
    // in or after, or the tar header (by its byte offset) that no longer parses.
    const bad = path.join(work, 'bad.tgz');
    const garbled = Buffer.from(bytes);
    for (let i = Math.floor(garbled.length * 0.6); i < Math.floor(garbled.length * 0.6) + 64; i++)
      garbled[i] = garbled[i]! ^ 0x55;
    fs.writeFileSync(bad, garbled);
    await expect(ingest(store, bad)).rejects.toThrow(
      new RegExp(`^${quoted(bad)}: (.*entry "f\\d\\.bin"|entry ".*\\(header at byte \\d+\\)$)`),
    );
    expect(store.db.prepare('SELECT count(*) FROM staged_objects').pluck().get()).toBe(0);
    const objects = fs.readdirSync(store.objectsDir, { recursive: true }).filter((f) => String(f).length > 3);
    expect(objects).toEqual([]);
    const failed = listEvents(store.db).at(-1)!;
    expect(failed.action).toBe('ingest.failed');
    expect(failed.details.objectsStagedForResume).toBe(0);
    expect((await verifyCase({ store, actor: 'c', workers: 1 })).ok).toBe(true);
  });

  it('says a finished bundle is already in the case instead of adding it twice; --again adds it', async () => {
    const { store, work } = setup();
    writeTree(work, { 'bundle/a.bin': 'a', 'bundle/b.bin': 'b' });
    const bundle = path.join(work, 'bundle');
    await ingest(store, bundle);
    await expect(ingest(store, bundle)).rejects.toThrow(
      /bundle: already in the case \(ingest 1, finished \S+, 2 files\); nothing was added — give --again to preserve it once more/,
    );
    expect(listEvidence(store)).toHaveLength(2);
    // Changed content under the same path is a new ingest.
    writeTree(work, { 'bundle/c.bin': 'c' });
    await ingest(store, bundle);
    expect(listEvidence(store)).toHaveLength(5);
    await ingestBundle({ store, bundle, actor: 'c', host: 'h', again: true });
    expect(listEvidence(store)).toHaveLength(8);
  });
});
