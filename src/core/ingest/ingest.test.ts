import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  newWorkstation,
  repoRoot,
  rmrf,
  sha256,
  sha256File,
  tempDir,
  writeTree,
} from '../../../test/helpers';
import { listEvents } from '../store/custody';
import { caseOverview, listEvidence } from '../store/queries';
import { verifyCase } from '../verify/verify';
import type { CaseStore, Workstation } from '../store/workstation';
import { ingestBundle } from './ingest';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(): { ws: Workstation; store: CaseStore; bundle: string } {
  const { ws, cleanup } = newWorkstation();
  const bundle = tempDir('probity-bundle-');
  const store = ws.createCase({ title: 'Test incident', actor: 'custodian' });
  cleanups.push(
    cleanup,
    () => rmrf(bundle),
    () => store.close(),
  );
  return { ws, store, bundle };
}

const ingest = (store: CaseStore, bundle: string) =>
  ingestBundle({ store, bundle, actor: 'custodian', host: 'test-host' });

describe('ingest of a folder bundle', () => {
  it('stores every file read-only at objects/sha256/<2>/<62> with its metadata and custody events', async () => {
    const { store, bundle } = setup();
    const weights = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const tree = {
      'model/model.safetensors': weights,
      'model/config.json': '{"model_type":"llama"}',
      'model/tokenizer.json': '{"model":{}}',
      'adapters/a/adapter_config.json': '{"r":8}',
      'deployment/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\n',
      'empty.txt': '',
    };
    writeTree(bundle, tree);
    const s = await ingest(store, bundle);
    expect(s.files).toBe(6);
    expect(s.bytes).toBe(Object.values(tree).reduce((n, v) => n + Buffer.byteLength(v), 0));
    const items = listEvidence(store);
    const byPath = Object.fromEntries(items.map((e) => [e.path, e]));
    expect(byPath['model/model.safetensors']!.sha256).toBe(sha256(weights));
    expect(byPath['model/model.safetensors']!.kind).toBe('weights');
    expect(byPath['model/config.json']!.kind).toBe('model-config');
    expect(byPath['model/tokenizer.json']!.kind).toBe('tokenizer');
    expect(byPath['adapters/a/adapter_config.json']!.kind).toBe('adapter');
    expect(byPath['deployment/deployment.yaml']!.kind).toBe('deployment-manifest');
    // Zero-byte files are evidence too: the empty object is stored.
    expect(byPath['empty.txt']!.size).toBe(0);
    expect(byPath['empty.txt']!.sha256).toBe(sha256(''));
    for (const e of items) {
      const obj = store.objectPath(e.sha256!);
      expect(obj).toBe(path.join(store.dir, 'objects', 'sha256', e.sha256!.slice(0, 2), e.sha256!.slice(2)));
      expect(sha256File(obj)).toBe(e.sha256);
      expect(fs.statSync(obj).mode & 0o222).toBe(0);
      expect(e.custodian).toBe('custodian');
      expect(e.host).toBe('test-host');
      expect(e.sourcePath).toBe(path.join(bundle, e.path));
    }
    expect(fs.readdirSync(store.tmpDir)).toEqual([]);
    const actions = listEvents(store.db).map((e) => e.action);
    expect(actions[0]).toBe('case.created');
    expect(actions[1]).toBe('ingest.started');
    expect(actions.filter((a) => a === 'evidence.stored')).toHaveLength(6);
    expect(actions.at(-1)).toBe('ingest.finished');
    const report = await verifyCase({ store, actor: 'custodian' });
    expect(report.ok).toBe(true);
    expect(report.objectsChecked).toBe(6);
  });

  it('records symlinks as links and never follows them out of the bundle', async () => {
    const { store, bundle } = setup();
    const outside = tempDir('probity-outside-');
    cleanups.push(() => rmrf(outside));
    fs.writeFileSync(path.join(outside, 'secret.bin'), 'outside the bundle');
    writeTree(bundle, { 'a.txt': 'inside' });
    fs.symlinkSync(path.join(outside, 'secret.bin'), path.join(bundle, 'escape.bin'));
    fs.symlinkSync(outside, path.join(bundle, 'escape-dir'));
    fs.symlinkSync('a.txt', path.join(bundle, 'rel-link'));
    const s = await ingest(store, bundle);
    expect(s.files).toBe(1);
    expect(s.links).toBe(3);
    const links = listEvidence(store, { kind: 'link' });
    expect(links.map((l) => [l.path, l.linkTarget, l.sha256])).toEqual([
      ['escape-dir', outside, null],
      ['escape.bin', path.join(outside, 'secret.bin'), null],
      ['rel-link', 'a.txt', null],
    ]);
    const stored = listEvidence(store)
      .filter((e) => e.sha256)
      .map((e) => e.sha256);
    expect(stored).not.toContain(sha256('outside the bundle'));
  });

  it('keeps non-UTF-8 names, escaped, with the original bytes recorded', async () => {
    const { store, bundle } = setup();
    const raw = Buffer.concat([
      Buffer.from(bundle + '/'),
      Buffer.from([0x6d, 0x6f, 0x64, 0xe9, 0x6c, 0x65, 0x2e, 0x62, 0x69, 0x6e]),
    ]);
    fs.writeFileSync(raw, 'latin-1 named weights');
    await ingest(store, bundle);
    const [e] = listEvidence(store);
    expect(e!.path).toBe('mod%E9le.bin');
    expect(e!.rawNameHex).toBe('6d6f64e96c652e62696e');
    expect(e!.sha256).toBe(sha256('latin-1 named weights'));
  });

  it('checks a checksum list in the bundle: matched, mismatched, missing, new — and keeps the evidence', async () => {
    const { store, bundle } = setup();
    writeTree(bundle, {
      'model/a.safetensors': 'AAAA',
      'model/b.safetensors': 'tampered',
      'model/extra.json': '{}',
      'model/checksums.sha256': `${sha256('AAAA')}  a.safetensors\n${sha256('original')} *b.safetensors\n${sha256('gone')}  c.safetensors\n`,
      'model/SHA256SUMS.bsd': `SHA256 (a.safetensors) = ${sha256('AAAA')}\n`,
    });
    fs.renameSync(path.join(bundle, 'model/SHA256SUMS.bsd'), path.join(bundle, 'model/a.sha256'));
    const s = await ingest(store, bundle);
    expect(s.manifest.matched).toBe(2);
    expect(s.manifest.mismatched).toBe(1);
    expect(s.manifest.missing).toBe(1);
    expect(s.manifest.new).toBe(1);
    const mism = s.manifest.checks.find((c) => c.status === 'mismatched')!;
    expect(mism).toMatchObject({
      listedPath: 'model/b.safetensors',
      expected: sha256('original'),
      actual: sha256('tampered'),
    });
    const byPath = Object.fromEntries(listEvidence(store).map((e) => [e.path, e]));
    expect(byPath['model/b.safetensors']!.manifestStatus).toBe('mismatched');
    expect(byPath['model/a.safetensors']!.manifestStatus).toBe('matched');
    expect(byPath['model/extra.json']!.manifestStatus).toBe('new');
    // Preserved as found, all the same.
    expect(byPath['model/b.safetensors']!.sha256).toBe(sha256('tampered'));
    expect(caseOverview(store).manifest).toEqual({ matched: 2, mismatched: 1, missing: 1, new: 1 });
  });

  it('matches absolute paths in a checksum list, as the playbook writes them', async () => {
    const { store, bundle } = setup();
    writeTree(bundle, {
      'w.gguf': 'weights',
      'checksums.sha256': `${sha256('weights')}  /evidence/AI-IR-2026-0001/model/w.gguf\n`,
    });
    const s = await ingest(store, bundle);
    expect(s.manifest.checks).toEqual([
      {
        manifestPath: 'checksums.sha256',
        listedPath: 'w.gguf',
        expected: sha256('weights'),
        actual: sha256('weights'),
        status: 'matched',
      },
    ]);
  });

  it('fails naming the file when it changes size while being read, and records nothing', async () => {
    const { store, bundle } = setup();
    const live = path.join(bundle, 'growing.log');
    fs.writeFileSync(live, Buffer.alloc(1024 * 1024, 1));
    // A writer appending as fast as it can until it is stopped, already writing when the ingest starts
    // (a loaded machine can take longer than any fixed delay to start it).
    const writer = spawn(process.execPath, [
      '-e',
      `const fs=require('fs');const b=Buffer.alloc(4096,2);const end=Date.now()+60000;(function go(){for(let i=0;i<64;i++)fs.appendFileSync(${JSON.stringify(live)},b);if(Date.now()<end)setImmediate(go)})()`,
    ]);
    cleanups.push(() => writer.kill());
    while (fs.statSync(live).size < 2 * 1024 * 1024) await new Promise((r) => setTimeout(r, 20));
    await expect(ingest(store, bundle)).rejects.toThrow(/growing\.log: the file changed while being read/);
    writer.kill();
    expect(listEvidence(store)).toEqual([]);
    const actions = listEvents(store.db).map((e) => e.action);
    expect(actions.at(-1)).toBe('ingest.failed');
    expect(fs.readdirSync(store.tmpDir)).toEqual([]);
  });

  it('refuses a missing bundle path with a named error', async () => {
    const { store } = setup();
    await expect(ingest(store, '/nonexistent/bundle-dir')).rejects.toThrow(
      /\/nonexistent\/bundle-dir: cannot read the bundle: no such file or directory/,
    );
  });
});

describe('verify', () => {
  it('names the file whose object had a byte flipped, and the file whose object was deleted', async () => {
    const { store, bundle } = setup();
    writeTree(bundle, {
      'model/w.safetensors': Buffer.alloc(2 * 1024 * 1024, 3),
      'config.json': '{"a":1}',
      'tok.json': '{"b":2}',
    });
    await ingest(store, bundle);
    const [w] = listEvidence(store).filter((e) => e.path === 'model/w.safetensors');
    const obj = store.objectPath(w!.sha256!);
    fs.chmodSync(obj, 0o644);
    const fd = fs.openSync(obj, 'r+');
    fs.writeSync(fd, Buffer.from([4]), 0, 1, 1_000_000);
    fs.closeSync(fd);
    const [c] = listEvidence(store).filter((e) => e.path === 'config.json');
    fs.rmSync(store.objectPath(c!.sha256!), { force: true });
    const r = await verifyCase({ store, actor: 'custodian' });
    expect(r.ok).toBe(false);
    expect(r.messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config\.json: object missing from the store/),
        expect.stringMatching(
          /^model\/w\.safetensors: object modified: sha256 is now [0-9a-f]{64}, recorded /,
        ),
      ]),
    );
    expect(r.problems).toHaveLength(2);
    const last = listEvents(store.db).at(-1)!;
    expect(last.action).toBe('verify.run');
    expect(last.details).toMatchObject({ ok: false });
  });

  it('names the seq of a custody row edited after dropping its trigger, and the missing trigger', async () => {
    const { store, bundle } = setup();
    writeTree(bundle, { 'a.bin': 'a', 'b.bin': 'b' });
    await ingest(store, bundle);
    const target = listEvents(store.db).find((e) => e.action === 'evidence.stored')!;
    store.db.exec('DROP TRIGGER custody_no_update');
    store.db.prepare("UPDATE custody SET actor = 'mallory' WHERE seq = ?").run(target.seq);
    const r = await verifyCase({ store, actor: 'custodian' });
    expect(r.ok).toBe(false);
    expect(r.messages).toContain(
      `custody log: chain broken at seq ${target.seq}: event content does not match its hash: the row was edited`,
    );
    expect(r.messages).toContain(
      'case.db: trigger missing: custody_no_update (append-only protection removed)',
    );
  });

  it('names an evidence row edited to hide a swapped object', async () => {
    const { store, bundle } = setup();
    writeTree(bundle, { 'a.bin': 'original' });
    await ingest(store, bundle);
    store.db.exec('DROP TRIGGER evidence_no_update');
    store.db.prepare('UPDATE evidence SET size = 999').run();
    const r = await verifyCase({ store, actor: 'custodian' });
    expect(r.messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^a\.bin: evidence row edited: size is 999, the custody event recorded 8 \(evidence row 1, custody event seq \d+\)/,
        ),
      ]),
    );
  });
});

describe('interrupted ingest', () => {
  it('leaves the case consistent when killed mid-way, and a re-run completes without copying again', async () => {
    const { ws, store, bundle } = setup();
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 24; i++)
      files[`shard-${String(i).padStart(2, '0')}.bin`] = Buffer.alloc(12 * 1024 * 1024, i + 1);
    writeTree(bundle, files);
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin/probity.js'), 'ingest', store.id, bundle, '--home', ws.home, '--json'],
      {
        stdio: 'ignore',
      },
    );
    cleanups.push(() => child.kill('SIGKILL'));
    const ro = new Database(path.join(store.dir, 'case.db'), { readonly: true });
    cleanups.push(() => ro.close());
    const deadline = Date.now() + 30_000;
    let staged = 0;
    while (Date.now() < deadline) {
      try {
        staged = (ro.prepare('SELECT count(*) AS n FROM staged_objects').get() as { n: number }).n;
      } catch {
        staged = 0;
      }
      if (staged >= 4) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(staged).toBeGreaterThanOrEqual(4);
    // Consistent: no evidence rows, the chain holds, the run is visibly unfinished.
    expect(listEvidence(store)).toEqual([]);
    const mid = listEvents(store.db).map((e) => e.action);
    expect(mid.at(-1)).toBe('ingest.started');
    expect(caseOverview(store).ingests[0]!.status).toBe('running');

    const s = await ingest(store, bundle);
    expect(s.files).toBe(24);
    expect(s.reused).toBeGreaterThanOrEqual(4);
    expect(listEvidence(store)).toHaveLength(24);
    expect(fs.readdirSync(store.tmpDir)).toEqual([]);
    const r = await verifyCase({ store, actor: 'custodian' });
    expect(r.ok).toBe(true);
    const starts = listEvents(store.db).filter((e) => e.action === 'ingest.started');
    expect(starts.map((e) => e.details.resumed)).toEqual([false, true]);
  });

  it('is cancelled cleanly through its AbortSignal and resumes', async () => {
    const { store, bundle } = setup();
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 16; i++) files[`f${i}.bin`] = Buffer.alloc(32 * 1024 * 1024, i);
    writeTree(bundle, files);
    const controller = new AbortController();
    // One worker reads the files one after another, so the abort lands while most are unread.
    const p = ingestBundle({
      store,
      bundle,
      actor: 'c',
      host: 'h',
      workers: 1,
      chunkSize: 1024 * 1024,
      signal: controller.signal,
      onProgress: (pr) => {
        if (pr.bytesDone > 0) controller.abort();
      },
    });
    await expect(p).rejects.toThrow(/cancelled/);
    expect(listEvents(store.db).at(-1)!.action).toBe('ingest.cancelled');
    expect(fs.readdirSync(store.tmpDir)).toEqual([]);
    const s = await ingest(store, bundle);
    expect(s.files).toBe(16);
  });

  it('records a cancellation that arrives before any file is read', async () => {
    const { store, bundle } = setup();
    writeTree(bundle, { 'a.bin': 'a' });
    const controller = new AbortController();
    controller.abort();
    await expect(
      ingestBundle({ store, bundle, actor: 'c', host: 'h', signal: controller.signal }),
    ).rejects.toThrow(/cancelled/);
    expect(listEvents(store.db).at(-1)!.details).toMatchObject({ objectsStagedForResume: 0 });
    expect(listEvidence(store)).toEqual([]);
  });
});

describe('disk full', () => {
  const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
  it.skipIf(!canMount)('fails with a clear message on ENOSPC and leaves the case consistent', async () => {
    const mnt = tempDir('probity-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt]);
    cleanups.push(() => {
      spawnSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    });
    const { Workstation } = await import('../store/workstation');
    const ws = new Workstation(mnt, 'h');
    const store = ws.createCase({ title: 'small disk', actor: 'c' });
    cleanups.push(() => store.close());
    const bundle = tempDir('probity-bundle-');
    cleanups.push(() => rmrf(bundle));
    writeTree(bundle, { 'big.bin': Buffer.alloc(12 * 1024 * 1024, 9) });
    await expect(ingest(store, bundle)).rejects.toThrow(
      /big\.bin: cannot write to the object store: no space left on device/,
    );
    expect(listEvidence(store)).toEqual([]);
    expect(fs.readdirSync(store.tmpDir)).toEqual([]);
    const r = await verifyCase({ store, actor: 'c' });
    expect(r.ok).toBe(true);
  });
  if (!canMount) console.log('skipped: the disk-full test mounts a small tmpfs and needs root');
});
