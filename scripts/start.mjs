#!/usr/bin/env node
// `npm start`: open the desktop app. Where Electron's binary is missing, run Electron's own
// installer once; where that cannot succeed (an offline machine), say so in one line and start
// browser mode instead, printing the URL to open.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function electronPresent() {
  try {
    const rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
    return fs.existsSync(path.join(electronDir, 'dist', rel));
  } catch {
    return false;
  }
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts }).status ?? 1;
}

if (!electronPresent() && fs.existsSync(path.join(electronDir, 'install.js'))) {
  process.stderr.write('probity: Electron’s binary is not installed; running Electron’s installer once…\n');
  const r = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    cwd: electronDir,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 120_000,
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
  });
  if (r.status !== 0) {
    const why =
      (r.stderr?.toString() ?? '')
        .split('\n')
        .find((l) => /error|ENOTFOUND|ECONN|EAI_AGAIN|timed out/i.test(l)) ?? 'the download failed';
    process.stderr.write(
      `probity: Electron could not be installed on this machine (${why.trim().slice(0, 160)}); starting browser mode instead.\n`,
    );
  }
}

/**
 * better-sqlite3 is a native module built for Node's ABI (the CLI and the tests use that build).
 * Electron needs its own: build a copy of the package against Electron's headers once, into
 * node_modules/.probity-electron/, which the desktop main process loads via `nativeBinding`.
 * Building needs Electron's headers, so network access, the first time.
 */
function ensureElectronSqlite() {
  const outDir = path.join(root, 'node_modules', '.probity-electron');
  const version = JSON.parse(fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8')).version;
  const marker = path.join(outDir, 'electron-version');
  const binary = path.join(outDir, 'better_sqlite3.node');
  if (fs.existsSync(binary) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === version)
    return true;
  process.stderr.write(`probity: building better-sqlite3 for Electron ${version} (once)…\n`);
  const src = path.join(outDir, 'better-sqlite3');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), src, { recursive: true });
  fs.rmSync(path.join(src, 'build'), { recursive: true, force: true });
  const status = run(
    'npm',
    [
      'exec',
      '--yes',
      '--',
      'node-gyp',
      'rebuild',
      `--target=${version}`,
      '--runtime=electron',
      '--dist-url=https://electronjs.org/headers',
    ],
    {
      cwd: src,
    },
  );
  const built = path.join(src, 'build', 'Release', 'better_sqlite3.node');
  if (status !== 0 || !fs.existsSync(built)) {
    process.stderr.write(
      'probity: better-sqlite3 could not be built for Electron (see above); starting browser mode instead.\n',
    );
    return false;
  }
  fs.copyFileSync(built, binary);
  fs.writeFileSync(marker, version);
  return true;
}

/** out/renderer is newer than every file it is built from: no need to build it again. */
function rendererFresh() {
  let built;
  try {
    built = fs.statSync(path.join(root, 'out', 'renderer', 'index.html')).mtimeMs;
  } catch {
    return false;
  }
  const newest = (p) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return 0;
    if (!st.isDirectory()) return st.mtimeMs;
    return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((e) => newest(path.join(p, e))));
  };
  const inputs = ['src/renderer', 'src/shared', 'vite.renderer.config.ts', 'package-lock.json'];
  return inputs.every((p) => newest(path.join(root, p)) < built);
}

if (electronPresent() && ensureElectronSqlite()) {
  if (run(bin('electron-vite'), ['build']) !== 0) process.exit(1);
  const child = spawn(bin('electron'), ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!rendererFresh() && run('npm', ['run', '-s', 'build:web']) !== 0) process.exit(1);
  const args = [path.join(root, 'bin', 'probity.js'), 'serve', ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  process.on('SIGINT', () => child.kill('SIGINT'));
  child.on('exit', (code) => process.exit(code ?? 0));
}
