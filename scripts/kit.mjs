#!/usr/bin/env node
// `npm run kit`: the offline install kit, for a workstation that has no network and no npm.
//
//   dist/probity-<version>-<platform>-<arch>.tar.gz   the kit (one folder of the same name)
//   dist/SHA256SUMS                                    its digest, for `sha256sum -c SHA256SUMS`
//
// Inside the kit: the command line and browser-mode host bundled into lib/ (with its two worker
// threads), the built UI in renderer/, report.css in resources/, the production dependencies that
// cannot be bundled (better-sqlite3 with its native binary for this Node's ABI; DuckDB's Node API with
// its N-API binding and libduckdb for this platform), this Node binary
// under node/ (so the target machine needs no Node of its own), a `probity` launcher,
// README-INSTALL.txt and the licence of everything bundled under LICENSES/.
//
// Options: --sourcemap (ship source maps; off by default), --no-node (leave Node out: the launcher
// then uses the `node` on PATH, which must be 20.19 or later), --out DIR (instead of dist/).
// Where Electron's binary is present and electron-builder is installed, the desktop packages
// (AppImage, deb; electron-builder.yml) are written too; otherwise one line says why not.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`probity kit: ${line}\n`);
function fail(line) {
  say(line);
  process.exit(2);
}

const { values: flags } = parseArgs({
  options: {
    sourcemap: { type: 'boolean', default: false },
    'no-node': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const kitName = `probity-${pkg.version}-${process.platform}-${process.arch}`;
const distDir = path.resolve(flags.out ?? path.join(root, 'dist'));
const stage = path.join(distDir, kitName);
const tarball = path.join(distDir, `${kitName}.tar.gz`);
fs.rmSync(stage, { recursive: true, force: true });
fs.rmSync(tarball, { force: true });
fs.mkdirSync(stage, { recursive: true });

/** Packages whose code ends up in the kit, by name → folder, for LICENSES/. */
const shipped = new Map();
const NODE_MODULES_PACKAGE = /(?:^|[\\/])node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/g;
function notePackageOf(file) {
  const matches = [...file.matchAll(NODE_MODULES_PACKAGE)];
  const last = matches.at(-1);
  if (!last) return;
  const dir = file.slice(0, last.index + last[0].length);
  const name = last[1].replaceAll('\\', '/');
  if (!shipped.has(name)) shipped.set(name, path.resolve(root, dir.replace(/^[\\/]/, '/')));
}

// 1. The UI, built as browser mode serves it.
say('building the UI…');
const { build: viteBuild } = await import('vite');
await viteBuild({
  configFile: path.join(root, 'vite.renderer.config.ts'),
  logLevel: 'warn',
  build: { outDir: path.join(stage, 'renderer'), emptyOutDir: true, sourcemap: flags.sourcemap },
  plugins: [
    {
      name: 'probity-kit-licences',
      apply: 'build',
      generateBundle() {
        for (const id of this.getModuleIds()) if (!id.startsWith('\0')) notePackageOf(id.split('?')[0]);
      },
    },
  ],
});

// 2. The command line, browser-mode host and workers: plain JavaScript, one file each.
say('bundling the command line and its workers…');
const esbuild = await import('esbuild');
// better-sqlite3 loads a native binary through `bindings`, and @duckdb/node-api loads
// @duckdb/node-bindings, which requires the binding package of the platform (an optional dependency,
// so named here): shipped as packages, never bundled.
const DUCKDB_BINDING = `@duckdb/node-bindings-${process.platform}-${process.arch}`;
const NATIVE = ['better-sqlite3', '@duckdb/node-api', DUCKDB_BINDING];
const bundled = await esbuild.build({
  absWorkingDir: root,
  entryPoints: {
    probity: 'src/cli/packaged.ts',
    'hash-worker': 'src/core/hashing/worker.ts',
    'audit-parse-worker': 'src/core/audit/parse-worker.ts',
  },
  outdir: path.join(stage, 'lib'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: [...NATIVE, '@duckdb/*'],
  // Bundled CommonJS dependencies call require() for Node's built-in modules; ESM has none.
  banner: {
    js: "import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);",
  },
  sourcemap: flags.sourcemap,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
for (const input of Object.keys(bundled.metafile.inputs)) notePackageOf(path.resolve(root, input));

// 3. Production dependencies that stay packages: the native ones and what they need at run time.
// prebuild-install is better-sqlite3's install-time downloader: never run in the kit, never shipped.
const INSTALL_TIME_ONLY = new Set(['prebuild-install']);
function copyPackage(name) {
  const from = path.join(root, 'node_modules', name);
  if (!fs.existsSync(path.join(from, 'package.json'))) fail(`${from}: not installed; run \`npm ci\` first`);
  const to = path.join(stage, 'node_modules', name);
  if (fs.existsSync(to)) return;
  const meta = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(from, src);
      if (rel === '') return true;
      const top = rel.split(path.sep)[0];
      // The build tree keeps only the loadable binary; sources, deps and docs stay behind.
      if (top === 'build')
        return rel === 'build' || rel === path.join('build', 'Release') || /\.node$/.test(rel);
      if (['src', 'deps', 'docs', 'test', 'tests', 'benchmark', '.github'].includes(top)) return false;
      return !/\.(md|gyp|gypi|map|ts|cc|c|h)$/i.test(rel) || /^licen[cs]e/i.test(path.basename(rel));
    },
  });
  fs.rmSync(path.join(to, 'build', 'Release', 'test_extension.node'), { force: true });
  shipped.set(name, from);
  for (const dep of Object.keys(meta.dependencies ?? {})) if (!INSTALL_TIME_ONLY.has(dep)) copyPackage(dep);
}
for (const name of NATIVE) copyPackage(name);

// 4. report.css, read by the report at export time.
fs.mkdirSync(path.join(stage, 'resources'), { recursive: true });
fs.copyFileSync(path.join(root, 'resources', 'report.css'), path.join(stage, 'resources', 'report.css'));

// 5. Node itself, so the air-gapped machine needs none (and better-sqlite3's ABI matches it).
const licencesDir = path.join(stage, 'LICENSES');
fs.mkdirSync(licencesDir, { recursive: true });
let nodeShipped = false;
if (!flags['no-node']) {
  const prefix = path.dirname(path.dirname(process.execPath));
  const nodeLicence = [
    path.join(prefix, 'share', 'doc', 'nodejs', 'LICENSE'),
    path.join(prefix, 'share', 'doc', 'node', 'LICENSE'),
    path.join(prefix, 'LICENSE'),
  ].find((f) => fs.existsSync(f));
  if (!nodeLicence) {
    say(
      `${process.execPath}: Node's LICENSE not found beside it; leaving Node out (the launcher uses the node on PATH)`,
    );
  } else {
    fs.mkdirSync(path.join(stage, 'node', 'bin'), { recursive: true });
    fs.copyFileSync(process.execPath, path.join(stage, 'node', 'bin', 'node'));
    fs.chmodSync(path.join(stage, 'node', 'bin', 'node'), 0o755);
    fs.copyFileSync(nodeLicence, path.join(licencesDir, `node-${process.versions.node}.txt`));
    nodeShipped = true;
  }
}

// 6. Licences of every package whose code is in the kit.
const LICENCE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;
const index = [];
for (const [name, dir] of [...shipped].sort(([a], [b]) => a.localeCompare(b))) {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const files = fs.readdirSync(dir).filter((f) => LICENCE_FILE.test(f));
  const target = `${name.replace('/', '__')}-${meta.version}.txt`;
  const licence = typeof meta.license === 'string' ? meta.license : (meta.license?.type ?? 'unstated');
  const text = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n\n');
  fs.writeFileSync(
    path.join(licencesDir, target),
    text || `${name} ${meta.version}: licence ${licence} (the package ships no licence file)\n`,
  );
  index.push(`${name}@${meta.version}\t${licence}\t${target}`);
}
if (nodeShipped)
  index.push(`node@${process.versions.node}\tMIT (and bundled licences)\tnode-${process.versions.node}.txt`);
fs.writeFileSync(path.join(licencesDir, 'INDEX.tsv'), `package\tlicence\tfile\n${index.join('\n')}\n`);

// 7. The launcher and the instructions.
const launcher = `#!/bin/sh
# Probity ${pkg.version}: the command line, and browser mode with \`./probity serve\`. Offline.
here=$(dirname -- "$(readlink -f -- "$0")")
node="$here/node/bin/node"
[ -x "$node" ] || node=node
exec "$node" "$here/lib/probity.mjs" "$@"
`;
fs.writeFileSync(path.join(stage, 'probity'), launcher, { mode: 0o755 });
fs.writeFileSync(
  path.join(stage, 'README-INSTALL.txt'),
  `Probity ${pkg.version} for ${process.platform}-${process.arch}: offline install kit

This folder is the whole installation: nothing is downloaded, compiled or installed elsewhere.
${nodeShipped ? `It carries its own Node.js (${process.versions.node}) under node/.` : 'It uses the node on PATH, which must be 20.19 or later.'}

On the air-gapped workstation:

  1. Check the kit against the digest you carried beside it:
       sha256sum -c SHA256SUMS
  2. Unpack it wherever it should live:
       tar xzf ${kitName}.tar.gz
  3. Run it:
       ./${kitName}/probity serve        browser mode on 127.0.0.1; open the URL it prints
       ./${kitName}/probity --help       the command line (probity demo, ingest, verify, report …)

Cases live in --home DIR, else PROBITY_HOME, else ~/.local/share/probity.
PDF reports (probity report export --format pdf) print with a Chromium found on the machine
(/usr/bin/chromium); HTML, JSON and the signed manifest need nothing else.

What is inside:
  probity            the launcher
  lib/               the command line, the browser-mode host and its worker threads (bundled)
  renderer/          the workstation UI served by \`probity serve\`
  resources/         report.css, inlined into every report
  node_modules/      the native modules: better-sqlite3 and its loader, built for Node's ABI ${process.versions.modules};
                     @duckdb/node-api with its N-API binding and libduckdb for ${process.platform}-${process.arch}
${nodeShipped ? '  node/              Node.js itself\n' : ''}  LICENSES/          the licence of every package in the kit (INDEX.tsv lists them)
`,
);

// 8. The tarball (one top-level folder, files sorted, owners and times normalised) and its digest.
say('packing…');
const mtime = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }).stdout?.trim();
const tar = spawnSync(
  'tar',
  [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    `--mtime=@${mtime || Math.floor(Date.now() / 1000)}`,
    '-C',
    distDir,
    '-cf',
    '-',
    kitName,
  ],
  { maxBuffer: 1 << 30, encoding: 'buffer' },
);
if (tar.status !== 0) fail(`tar: ${tar.stderr?.toString().trim() || 'failed'}`);
const { gzipSync } = await import('node:zlib');
const gz = gzipSync(tar.stdout, { level: 9 });
fs.writeFileSync(tarball, gz);
const digest = createHash('sha256').update(gz).digest('hex');
fs.writeFileSync(path.join(distDir, 'SHA256SUMS'), `${digest}  ${path.basename(tarball)}\n`);
fs.rmSync(stage, { recursive: true, force: true });

process.stdout.write(`${tarball}\n`);
say(`${path.basename(tarball)}: ${(gz.length / 1e6).toFixed(1)} MB, sha256 ${digest} (in SHA256SUMS)`);

// 9. The desktop packages, where they can be made here.
const electronDir = path.join(root, 'node_modules', 'electron');
let electronBinary = false;
try {
  const rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8').trim();
  electronBinary = fs.existsSync(path.join(electronDir, 'dist', rel));
} catch {
  electronBinary = false;
}
const builderBin = path.join(root, 'node_modules', '.bin', 'electron-builder');
if (!electronBinary) {
  say("Electron's binary is not on this machine: wrote the browser-mode kit only (no desktop package).");
} else if (!fs.existsSync(builderBin)) {
  say('electron-builder is not installed: wrote the browser-mode kit only (no desktop package).');
} else {
  say('building the desktop packages (electron-builder.yml)…');
  const built = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) fail('the desktop build failed (see above)');
  const made = spawnSync(builderBin, ['--config', 'electron-builder.yml', '--linux', '--publish', 'never'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (made.status !== 0) fail('electron-builder failed (see above)');
}
