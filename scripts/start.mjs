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
    const why = (r.stderr?.toString() ?? '').split('\n').find((l) => /error|ENOTFOUND|ECONN|EAI_AGAIN|timed out/i.test(l)) ?? 'the download failed';
    process.stderr.write(`probity: Electron could not be installed on this machine (${why.trim().slice(0, 160)}); starting browser mode instead.\n`);
  }
}

if (electronPresent()) {
  if (run(bin('electron-vite'), ['build']) !== 0) process.exit(1);
  const child = spawn(bin('electron'), ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (run('npm', ['run', '-s', 'build:web']) !== 0) process.exit(1);
  const args = [path.join(root, 'bin', 'probity.js'), 'serve', ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  process.on('SIGINT', () => child.kill('SIGINT'));
  child.on('exit', (code) => process.exit(code ?? 0));
}
