/**
 * The desktop build (`npm run build`, electron-vite): it must build, every entry must parse as
 * JavaScript (a bundler shim placed inside a string once broke main silently), and the two worker
 * entries the desktop main process hands to the core must do their work: the bundled hashing
 * worker hashes a file, the bundled log-parsing worker imports a log with the same digests as the
 * source build. Electron itself is not needed for any of this.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { newWorkstation, repoRoot, rmrf, tempDir } from '../../test/helpers';
import { importLog } from '../core/audit/importer';
import { setParseWorkerUrl } from '../core/audit/parse-lines';
import { HashPool, setHashWorkerUrl } from '../core/hashing/pool';

const out = path.join(repoRoot, 'out');
let build: { status: number | null; output: string };

beforeAll(() => {
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      timeout: 240_000,
    },
  );
  build = { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}, 260_000);

describe('the desktop build', () => {
  it('builds main, preload, both workers and the renderer', () => {
    expect(build.status, build.output.slice(-3000)).toBe(0);
    for (const f of [
      'main/index.js',
      'main/hash-worker.js',
      'main/audit-parse-worker.js',
      'preload/index.cjs',
      'renderer/index.html',
    ])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
  });

  it('every main and preload file parses', () => {
    const files = [
      ...fs
        .readdirSync(path.join(out, 'main'), { recursive: true })
        .map((f) => path.join(out, 'main', String(f))),
      path.join(out, 'preload/index.cjs'),
    ].filter((f) => /\.(c?js)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const r = spawnSync(process.execPath, ['--check', f], { encoding: 'utf8' });
      expect(r.status, `${path.relative(repoRoot, f)}: ${r.stderr}`).toBe(0);
    }
  });

  it('electron-builder.yml packs that build: the workers unpacked beside the archive, report.css as a resource', () => {
    const config = parseYaml(fs.readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as {
      files: string[];
      asarUnpack: string[];
      extraResources: { from: string; to: string }[];
    };
    // electron-builder's globs: `**/` any folders, `**` anything, `*` within one name.
    const glob = (g: string) =>
      new RegExp(
        `^${g
          .split(/(\*\*\/|\*\*|\*)/)
          .map((t) =>
            t === '**/'
              ? '(?:.*/)?'
              : t === '**'
                ? '.*'
                : t === '*'
                  ? '[^/]*'
                  : t.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
          )
          .join('')}$`,
      );
    const packed = (rel: string) => config.files.some((g) => !g.startsWith('!') && glob(g).test(rel));
    const unpacked = (rel: string) => config.asarUnpack.some((g) => glob(g).test(rel));
    for (const f of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'package.json'])
      expect(packed(f), f).toBe(true);
    const workers = fs.readdirSync(path.join(out, 'main')).filter((f) => /worker\.js$/.test(f));
    expect(workers.sort()).toEqual(['audit-parse-worker.js', 'hash-worker.js']);
    for (const w of workers) expect(unpacked(`out/main/${w}`), w).toBe(true);
    expect(unpacked('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    // DuckDB's binding and the libduckdb it loads from its own folder.
    for (const f of ['duckdb.node', 'libduckdb.so'])
      expect(unpacked(`node_modules/@duckdb/node-bindings-linux-x64/${f}`), f).toBe(true);
    expect(unpacked('node_modules/@duckdb/node-api/lib/index.js')).toBe(false);
    expect(config.extraResources).toContainEqual({ from: 'resources/report.css', to: 'report.css' });
    expect(fs.existsSync(path.join(repoRoot, 'resources/report.css'))).toBe(true);
  });

  describe('the bundled workers', () => {
    const dir = tempDir('probity-build-workers-');
    afterAll(() => rmrf(dir));

    it('the hashing worker hashes', async () => {
      setHashWorkerUrl(pathToFileURL(path.join(out, 'main/hash-worker.js')));
      const file = path.join(dir, 'blob.bin');
      const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      fs.writeFileSync(file, data);
      const pool = new HashPool(1);
      try {
        const r = await pool.run({ type: 'hash', label: 'blob.bin', file, chunkSize: 1024 * 1024 });
        expect(r).toMatchObject({ type: 'hashed', sha256: createHash('sha256').update(data).digest('hex') });
      } finally {
        await pool.close();
      }
    });

    it('the log-parsing worker imports a log as the source build does', async () => {
      const log = path.join(dir, 'requests.jsonl');
      const lines = Array.from({ length: 500 }, (_, i) =>
        JSON.stringify({
          timestamp: new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString(),
          request_id: `req-${i}`,
          user_id: `u-${i % 37}`,
          messages: [{ role: 'user', content: `question ${i}` }],
          response: `answer ${i}`,
          tool_calls: i % 5 === 0 ? [{ name: 'lookup_order', arguments: { order: `A-${i}` } }] : [],
        }),
      );
      fs.writeFileSync(log, `${lines.join('\n')}\nnot json\n`);
      const digests: (string | null)[][] = [];
      for (const worker of [false, true]) {
        if (worker) setParseWorkerUrl(pathToFileURL(path.join(out, 'main/audit-parse-worker.js')));
        const { ws, cleanup } = newWorkstation();
        const store = ws.createCase({ title: 'parse', actor: 't' });
        try {
          const r = await importLog({ store, file: log, actor: 't', host: 'h', worker });
          expect(r).toMatchObject({ records: 500, malformed: 1, toolCalls: 100 });
          digests.push([r.recordsSha256, r.toolCallsSha256]);
        } finally {
          store.close();
          cleanup();
        }
      }
      expect(digests[1]).toEqual(digests[0]);
    });
  });
});
