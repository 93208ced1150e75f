/**
 * The offline install kit (`npm run kit`, scripts/kit.mjs), as an air-gapped custodian uses it:
 * built here, checked with the real `sha256sum -c`, unpacked into an empty folder outside the
 * repository, then run inside a network namespace that has no interface but loopback (`unshare -n`,
 * root only): `probity demo`, `probity verify`, a report export, and `probity serve` answering the
 * page and an API call with its token. Where unshare cannot make that namespace, the offline part is
 * skipped with the reason printed; the kit's contents are checked either way.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;
const kitName = `probity-${version}-${process.platform}-${process.arch}`;

function sh(cmd: string, args: string[], opts: { cwd?: string; timeout?: number } = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeout ?? 240_000, cwd: opts.cwd });
}

/** Why the offline run cannot happen here, or null when `unshare -n` gives a namespace. */
function noNamespace(): string | null {
  const r = sh('unshare', ['-n', 'true'], { timeout: 10_000 });
  if (r.error) return `unshare is not available (${r.error.message})`;
  if (r.status !== 0)
    return `unshare -n failed: ${(r.stderr || '').trim() || `exit ${r.status}`} (needs root)`;
  return null;
}

let work: string;
let distDir: string;
let unpacked: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-kit-'));
  distDir = path.join(work, 'dist');
  const built = sh(process.execPath, [path.join(root, 'scripts', 'kit.mjs'), '--out', distDir], {
    cwd: root,
    timeout: 600_000,
  });
  if (built.status !== 0) throw new Error(`npm run kit failed:\n${built.stderr}`);
  unpacked = path.join(work, 'air-gapped');
  fs.mkdirSync(unpacked);
}, 600_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the install kit', () => {
  it('is one tarball named by package.json’s version, with a SHA256SUMS that sha256sum -c accepts', () => {
    expect(fs.readdirSync(distDir).sort()).toEqual(['SHA256SUMS', `${kitName}.tar.gz`]);
    const check = sh('sha256sum', ['-c', 'SHA256SUMS'], { cwd: distDir });
    expect(check.stdout).toContain(`${kitName}.tar.gz: OK`);
    expect(check.status).toBe(0);

    // A kit altered after it was written is refused by the same check.
    const copy = path.join(work, 'altered');
    fs.mkdirSync(copy);
    fs.copyFileSync(path.join(distDir, 'SHA256SUMS'), path.join(copy, 'SHA256SUMS'));
    const bytes = fs.readFileSync(path.join(distDir, `${kitName}.tar.gz`));
    bytes[bytes.length >> 1]! ^= 1;
    fs.writeFileSync(path.join(copy, `${kitName}.tar.gz`), bytes);
    expect(sh('sha256sum', ['-c', 'SHA256SUMS'], { cwd: copy }).status).not.toBe(0);
  });

  it('unpacks to the launcher, the bundles, the UI, production dependencies only and their licences', () => {
    const untar = sh('tar', ['xzf', path.join(distDir, `${kitName}.tar.gz`)], { cwd: unpacked });
    expect(untar.status, untar.stderr).toBe(0);
    const kit = path.join(unpacked, kitName);
    for (const f of [
      'probity',
      'README-INSTALL.txt',
      'lib/probity.mjs',
      'lib/hash-worker.mjs',
      'lib/audit-parse-worker.mjs',
      'renderer/index.html',
      'resources/report.css',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      `node_modules/@duckdb/node-bindings-${process.platform}-${process.arch}/duckdb.node`,
      'node_modules/@duckdb/node-api/package.json',
      'LICENSES/INDEX.tsv',
    ])
      expect(fs.existsSync(path.join(kit, f)), f).toBe(true);
    expect(fs.statSync(path.join(kit, 'probity')).mode & 0o111).not.toBe(0);

    // Only what runs: no devDependency, no install-time downloader, no source map.
    const packages = fs
      .readdirSync(path.join(kit, 'node_modules'))
      .flatMap((p) =>
        p.startsWith('@') ? fs.readdirSync(path.join(kit, 'node_modules', p)).map((q) => `${p}/${q}`) : [p],
      )
      .sort();
    expect(packages).toEqual([
      '@duckdb/node-api',
      '@duckdb/node-bindings',
      `@duckdb/node-bindings-${process.platform}-${process.arch}`,
      'better-sqlite3',
      'bindings',
      'detect-libc',
      'file-uri-to-path',
    ]);
    const all = sh('find', [kit, '-name', '*.map']).stdout.trim();
    expect(all).toBe('');

    // Every shipped package has its licence.
    const index = fs.readFileSync(path.join(kit, 'LICENSES', 'INDEX.tsv'), 'utf8');
    for (const p of [...packages, 'react', 'zod', 'yaml', 'hash-wasm', 'recharts'])
      expect(index, p).toMatch(new RegExp(`^${p.replace('/', '\\/')}@`, 'm'));
    for (const line of index.trim().split('\n').slice(1)) {
      const file = line.split('\t')[2]!;
      expect(fs.statSync(path.join(kit, 'LICENSES', file)).size, file).toBeGreaterThan(0);
    }

    const v = sh(path.join(kit, 'probity'), ['--version']);
    expect(v.stdout.trim()).toBe(`probity ${version}`);
  });

  const why = noNamespace();
  if (why) console.log(`kit test: the run without a network is SKIPPED: ${why}`);
  it.skipIf(why !== null)(
    'runs demo, verify, report export and serve inside a namespace with no network',
    () => {
      const kit = path.join(unpacked, kitName);
      const home = path.join(work, 'home');
      const out = path.join(work, 'out.txt');
      // Loopback is down in a fresh namespace; browser mode needs it up (there is still no route out).
      const script = `
set -e
ip link set lo up 2>/dev/null || true
if ip -o link show | grep -v ': lo:'; then echo "an interface other than loopback is present"; exit 9; fi
P="${kit}/probity"
"$P" demo --home "${home}" > "${work}/ids.txt"
CASE=$(head -1 "${work}/ids.txt")
"$P" verify "$CASE" --home "${home}" > "${work}/verify.txt"
"$P" report export "$CASE" --out "${work}/report" --format html,json --home "${home}" > /dev/null
"$P" serve --home "${home}" --port 0 > "${work}/url.txt" 2> "${work}/serve.err" &
SERVER=$!
i=0; while [ ! -s "${work}/url.txt" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
"${kit}/node/bin/node" --input-type=module -e '
const u = new URL(process.argv[1]);
const page = await fetch(u);
const list = await fetch(new URL("/api/cases:list", u), { method: "POST", headers: { "x-probity-token": u.searchParams.get("token"), "content-type": "application/json" }, body: "{}" });
const refused = await fetch(new URL("/api/cases:list", u), { method: "POST", body: "{}" });
const body = await list.json();
console.log(JSON.stringify({ page: page.status, html: (await page.text()).includes("<div id=\\"root\\""), api: list.status, cases: body.result?.length, refused: refused.status }));
' "$(head -1 "${work}/url.txt")" > "${out}"
kill $SERVER
# The audit: a log of the incident imported, then indexed by DuckDB from the kit's own binding.
LOG=$("$P" evidence "$CASE" --home "${home}" | grep -o 'logs/requests-[0-9-]*\\.jsonl' | head -1)
"$P" audit import "$CASE" "$LOG" --home "${home}" > /dev/null
"$P" audit index "$CASE" --home "${home}" > "${work}/index.txt"
`;
      const r = sh('unshare', ['-n', 'sh', '-c', script], { timeout: 240_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(fs.readFileSync(path.join(work, 'verify.txt'), 'utf8')).toMatch(/: OK — 25 objects/);
      expect(fs.readFileSync(path.join(work, 'index.txt'), 'utf8')).toMatch(
        /: indexed [1-9]\d* records, \d+ tool calls from 1 object/,
      );
      const served = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
      expect(served).toEqual({ page: 200, html: true, api: 200, cases: 2, refused: 401 });
      const html = fs.readFileSync(path.join(work, 'report', 'report.html'), 'utf8');
      // report.css from the kit's resources/ is inlined.
      const css = fs.readFileSync(path.join(kit, 'resources', 'report.css'), 'utf8');
      expect(html).toContain(css.trim().split('\n')[0]);
    },
    300_000,
  );
});
