/**
 * `npm run bench`: Probity's speed, measured side by side with real peers in the same run on the
 * same files, printed as ratios (machines here are shared and noisy: absolute seconds mean little,
 * ratios against a peer measured a moment earlier mean more). Each measurement is the best of
 * BENCH_REPEAT runs (default 2).
 *
 * Inputs are generated once into bench/.data (a 2 GiB file and a bundle of 4 × 512 MiB files) and
 * reused by later runs. BENCH_SCALE=0.25 shrinks them for a quick look.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const data = path.join(here, '.data');
const scale = Number(process.env.BENCH_SCALE ?? '1');
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? '2'));
const MiB = 1024 * 1024;
const BIG = Math.round(2048 * scale) * MiB;
const PART = Math.round(512 * scale) * MiB;

function ensureFile(file: string, size: number): void {
  if (fs.existsSync(file) && fs.statSync(file).size === size) return;
  process.stderr.write(`generating ${path.basename(file)} (${size / MiB} MiB)…\n`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const block = randomBytes(16 * MiB);
  const fd = fs.openSync(file, 'w');
  for (let off = 0; off < size; off += block.length) {
    block.writeUInt32LE(off / block.length, 0); // no two blocks alike
    fs.writeSync(fd, block, 0, Math.min(block.length, size - off));
  }
  fs.closeSync(fd);
}

/** Best wall time of `fn` over `repeat` runs; `prepare` runs untimed before each. */
function seconds(prepare: () => void, fn?: () => void): number {
  const timed = fn ?? prepare;
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    if (fn) prepare();
    const t = process.hrtime.bigint();
    timed();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return best;
}

/** Best in-process time reported by the Probity child over `repeat` runs (Node's start-up excluded). */
function childSeconds(prepare: () => void, args: string[], rss: { kb: number }): number {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    prepare();
    const r = probity(args);
    rss.kb = Math.max(rss.kb, r.maxRssKb);
    best = Math.min(best, r.seconds);
  }
  return best;
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * MiB,
  });
}

/** Read files once, discarding the bytes, so they sit in the page cache for every contender. */
function warm(files: string[]): void {
  execFileSync('sh', ['-c', 'cat "$@" > /dev/null', 'sh', ...files], { stdio: 'ignore' });
}

function probity(args: string[]): { seconds: number; maxRssKb: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'child.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { seconds: number; maxRssKb: number };
}

/**
 * Two safetensors files of about `size` bytes each: 64 BF16 tensors of random bits, the second file
 * with every 8th tensor perturbed (so the diff does float work on some tensors, byte compares on the
 * rest). Written once and reused.
 */
function makeWeightPair(dir: string, size: number): [string, string] {
  const a = path.join(dir, 'a.safetensors');
  const b = path.join(dir, 'b.safetensors');
  const tensors = 64;
  const elems = Math.floor(size / tensors / 2 / 256) * 256;
  if (fs.existsSync(a) && fs.existsSync(b) && fs.statSync(a).size > elems * 2 * tensors) return [a, b];
  process.stderr.write(`generating two ${Math.round(size / MiB)} MiB safetensors files…\n`);
  fs.mkdirSync(dir, { recursive: true });
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const bytes = elems * 2;
  for (let i = 0; i < tensors; i++) {
    header[`model.layers.${i}.mlp.up_proj.weight`] = {
      dtype: 'BF16',
      shape: [elems / 256, 256],
      data_offsets: [i * bytes, (i + 1) * bytes],
    };
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const fa = fs.openSync(a, 'w');
  const fb = fs.openSync(b, 'w');
  for (const fd of [fa, fb]) fs.writeSync(fd, Buffer.concat([len, Buffer.from(json)]));
  for (let i = 0; i < tensors; i++) {
    // Random BF16 bit patterns with a sane exponent, so values are finite and small.
    const t = randomBytes(bytes);
    for (let k = 1; k < bytes; k += 2) t[k] = 0x3c + (t[k]! & 0x3);
    fs.writeSync(fa, t);
    if (i % 8 === 0) for (let k = 0; k < bytes; k += 4096) t[k] = t[k]! ^ 0x01;
    fs.writeSync(fb, t);
  }
  fs.closeSync(fa);
  fs.closeSync(fb);
  return [a, b];
}

function main(): void {
  const bigFile = path.join(data, 'big.bin');
  const bundle = path.join(data, 'bundle4');
  ensureFile(bigFile, BIG);
  for (let i = 0; i < 4; i++) ensureFile(path.join(bundle, `part-${i}.safetensors`), PART);
  const work = path.join(data, 'work');
  const bigBundle = path.join(data, 'bundle1');
  fs.mkdirSync(bigBundle, { recursive: true });
  const linked = path.join(bigBundle, 'big.bin');
  if (!fs.existsSync(linked)) fs.linkSync(bigFile, linked);

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `Probity benchmark — ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`,
  );
  console.log(`inputs: ${BIG / MiB} MiB file; bundle of 4 × ${PART / MiB} MiB; best of ${repeat}\n`);

  // Warm the page cache for every input, so each contender reads from memory alike.
  warm([bigFile, ...fs.readdirSync(bundle).map((f) => path.join(bundle, f))]);

  // 1. Ingest vs cp + sync of the same file.
  const cpDest = path.join(work, 'cp-copy.bin');
  const tCp = seconds(
    () => {
      fs.rmSync(work, { recursive: true, force: true });
      fs.mkdirSync(work, { recursive: true });
      sh('sync', []);
    },
    () => {
      sh('cp', [bigFile, cpDest]);
      sh('sync', []);
    },
  );
  const ingestRss = { kb: 0 };
  const tIngest = childSeconds(
    () => {
      fs.rmSync(work, { recursive: true, force: true });
      fs.mkdirSync(work, { recursive: true });
      sh('sync', []);
    },
    ['ingest', path.join(work, 'home'), bigBundle],
    ingestRss,
  );
  // The bound: SHA-256 of one file is sequential, so one file cannot be preserved faster than this.
  const tOpensslSource = seconds(() => sh('openssl', ['dgst', '-sha256', bigFile]));
  const home = path.join(work, 'home');
  const caseId = fs.readdirSync(path.join(home, 'cases'))[0]!;
  const objects = path.join(home, 'cases', caseId, 'objects', 'sha256');
  const objectFiles = fs
    .readdirSync(objects)
    .flatMap((d) => fs.readdirSync(path.join(objects, d)).map((f) => path.join(objects, d, f)));
  const bigObject = objectFiles[0]!;

  // 2. Single-file verify vs openssl dgst -sha256.
  const tOpenssl = seconds(() => sh('openssl', ['dgst', '-sha256', bigObject]));
  const tSha256sum = seconds(() => sh('sha256sum', [bigObject]));
  const tVerify1 = childSeconds(() => {}, ['verify', home, caseId], { kb: 0 });

  // 3. Four-file ingest and verify vs sequential openssl on the same four files.
  const bundleRss = { kb: 0 };
  const tIngest4 = childSeconds(
    () => {
      fs.rmSync(home, { recursive: true, force: true });
      sh('sync', []);
    },
    ['ingest', home, bundle],
    bundleRss,
  );
  const case4 = fs.readdirSync(path.join(home, 'cases'))[0]!;
  const obj4Dir = path.join(home, 'cases', case4, 'objects', 'sha256');
  const obj4 = fs
    .readdirSync(obj4Dir)
    .flatMap((d) => fs.readdirSync(path.join(obj4Dir, d)).map((f) => path.join(obj4Dir, d, f)));
  warm(obj4);
  const tOpenssl4 = seconds(() => {
    for (const f of obj4) sh('openssl', ['dgst', '-sha256', f]);
  });
  const tVerify4 = childSeconds(() => {}, ['verify', home, case4], bundleRss);

  // 4. Weight diff of two safetensors files vs openssl hashing both.
  const [wa, wb] = makeWeightPair(path.join(data, 'weights'), Math.round(1024 * scale) * MiB);
  warm([wa, wb]);
  const tDiff = childSeconds(() => {}, ['diff', wa, wb], { kb: 0 });
  const tOpensslBoth = seconds(() => {
    sh('openssl', ['dgst', '-sha256', wa]);
    sh('openssl', ['dgst', '-sha256', wb]);
  });
  const WEIGHTS = 2 * fs.statSync(wa).size;

  const gbps = (bytes: number, s: number) => `${(bytes / s / 1e9).toFixed(2)} GB/s`;
  const rows: [string, string, string, string][] = [
    [
      'ingest 1 file (read → hash → write, fsync) vs openssl dgst',
      `${tIngest.toFixed(2)} s`,
      `${tOpensslSource.toFixed(2)} s`,
      `${(tIngest / tOpensslSource).toFixed(2)}× the SHA-256 bound (target ≤ 1.15×)`,
    ],
    [
      '  the same ingest vs cp + sync',
      `${tIngest.toFixed(2)} s`,
      `${tCp.toFixed(2)} s`,
      `${(tIngest / tCp).toFixed(2)}× (target ≤ 1.50×)`,
    ],
    [
      'ingest 4 files vs sequential openssl ÷ 2 cores',
      `${tIngest4.toFixed(2)} s`,
      `${(tOpenssl4 / 2).toFixed(2)} s`,
      `${(tIngest4 / (tOpenssl4 / 2)).toFixed(2)}× (target ≤ 1.15×)`,
    ],
    [
      'verify 1 file vs openssl dgst -sha256',
      gbps(BIG, tVerify1),
      gbps(BIG, tOpenssl),
      `${(tOpenssl / tVerify1).toFixed(2)}× (target ≥ 0.90×)`,
    ],
    ['  (sha256sum on the same file)', '', gbps(BIG, tSha256sum), `${(tSha256sum / tVerify1).toFixed(2)}×`],
    [
      'verify 4 files vs sequential openssl',
      gbps(4 * PART, tVerify4),
      gbps(4 * PART, tOpenssl4),
      `${(tOpenssl4 / tVerify4).toFixed(2)}× (target ≥ 1.60×)`,
    ],
    [
      'diff-weights (2 safetensors files) vs openssl on both',
      `${tDiff.toFixed(2)} s`,
      `${tOpensslBoth.toFixed(2)} s`,
      `${(tDiff / tOpensslBoth).toFixed(2)}× (target ≤ 1.50×)`,
    ],
    ['  (bytes compared)', gbps(WEIGHTS, tDiff), gbps(WEIGHTS, tOpensslBoth), ''],
    ['peak RSS while ingesting', `${(ingestRss.kb / 1024).toFixed(0)} MB`, '', `target ≤ 300 MB`],
    [
      'peak RSS while ingesting / verifying 4 files',
      `${(bundleRss.kb / 1024).toFixed(0)} MB`,
      '',
      'target ≤ 300 MB',
    ],
  ];
  const w = [58, 12, 12, 44];
  console.log(['measure', 'probity', 'peer', 'ratio'].map((h, i) => h.padEnd(w[i]!)).join(' '));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join(' '));
  fs.rmSync(work, { recursive: true, force: true });
}

main();
