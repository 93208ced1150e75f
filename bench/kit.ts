/**
 * `npm run bench` (kit part): the offline install kit as a custodian meets it. Builds the kit
 * (scripts/kit.mjs) into bench/.data/kit, prints its size, then times the whole path from the
 * tarball to a page: `tar xzf`, `probity serve` started, its URL printed, the page fetched with the
 * token. Targets: under 150 MB compressed, under 10 s to a served page.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'bench', '.data', 'kit');

function fail(line: string): never {
  console.error(`bench kit: ${line}`);
  process.exit(1);
}

async function servedWithin(launcher: string, home: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const child = spawn(launcher, ['serve', '--port', '0', '--home', home], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const line = text.split('\n')[0];
        if (text.includes('\n') && line) resolve(line.trim());
      });
      child.on('exit', (code) => reject(new Error(`probity serve exited ${code}`)));
    });
    const page = await fetch(url);
    if (page.status !== 200) fail(`${url}: HTTP ${page.status}`);
    await page.text();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  fs.rmSync(out, { recursive: true, force: true });
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'kit.mjs'), '--out', out], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0) fail(`npm run kit failed:\n${built.stderr}`);
  const tarball = built.stdout.trim().split('\n').pop()!;
  const size = fs.statSync(tarball).size;

  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-kit-bench-'));
  try {
    const t0 = process.hrtime.bigint();
    const untar = spawnSync('tar', ['xzf', tarball, '-C', target]);
    if (untar.status !== 0) fail(`tar xzf ${tarball}: ${untar.stderr.toString()}`);
    const untarSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const kit = path.join(target, path.basename(tarball, '.tar.gz'));
    const unpackedBytes = Number(spawnSync('du', ['-sb', kit], { encoding: 'utf8' }).stdout.split('\t')[0]);
    const serveSeconds = await servedWithin(path.join(kit, 'probity'), path.join(target, 'home'));
    const total = untarSeconds + serveSeconds;
    console.log('\ninstall kit');
    console.log(
      `  ${path.basename(tarball)}: ${(size / 1e6).toFixed(1)} MB compressed, ${(unpackedBytes / 1e6).toFixed(1)} MB unpacked (target < 150 MB compressed: ${size < 150e6 ? 'met' : 'NOT met'})`,
    );
    console.log(
      `  tar xzf → served page: ${total.toFixed(2)} s (tar ${untarSeconds.toFixed(2)} s, serve to first page ${serveSeconds.toFixed(2)} s; target < 10 s: ${total < 10 ? 'met' : 'NOT met'})`,
    );
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

await main();
