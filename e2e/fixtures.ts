/**
 * Fixtures for the browser-mode tests. Every test gets its own workstation home (a temp folder) and
 * its own `probity serve` child process bound to 127.0.0.1 on a free port; the URL (with the
 * per-run token) is the first line the host prints. The host is stopped after the test and the
 * home removed (kept, and its path printed, when the test failed).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';

export { expect };

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null. Tests are skipped with this reason, never passed. */
export const browserMissing: string | null = fs.existsSync(CHROMIUM)
  ? null
  : `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` to run the browser tests`;
if (browserMissing) console.warn(`e2e: SKIPPING browser tests: ${browserMissing}`);

export const rendererBuilt = fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'));

export interface ServeHost {
  /** The address printed by `probity serve`, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  home: string;
  /** Everything the host wrote to stderr so far. */
  stderr(): string;
}

/** Make a folder writable again (objects and their folders are read-only) so it can be removed. */
function makeWritable(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    try {
      fs.chmodSync(p, entry.isDirectory() ? 0o755 : 0o644);
    } catch {
      // best effort
    }
    if (entry.isDirectory()) makeWritable(p);
  }
}

export function removeTree(dir: string): void {
  try {
    fs.chmodSync(dir, 0o755);
  } catch {
    return;
  }
  makeWritable(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

async function startHost(
  home: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/bin.ts', 'serve', '--home', home, '--port', '0'],
    {
      cwd: ROOT,
      env: { ...process.env, PROBITY_HOME: home, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('`probity serve` printed no URL within 30 s')), 30_000);
    function fail(e: Error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`));
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const first = out.slice(0, nl).trim();
      clearTimeout(timer);
      if (!/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+$/.test(first))
        fail(new Error(`unexpected first line from \`probity serve\`: ${JSON.stringify(first)}`));
      else resolve(first);
    });
    child.once('exit', (code, signal) =>
      fail(new Error(`\`probity serve\` exited early (code ${code}, signal ${signal})`)),
    );
    child.once('error', (e) => fail(e));
  });
  // Keep draining stdout so the host never blocks on a full pipe.
  child.stdout.resume();
  return { child, url, stderr: () => err };
}

async function stopHost(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<{ home: string; host: ServeHost; scratch: string }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from the pattern
  home: async ({}, use, testInfo) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-e2e-home-'));
    await use(dir);
    if (testInfo.status !== testInfo.expectedStatus)
      console.warn(`e2e: kept the home of the failed test: ${dir}`);
    else removeTree(dir);
  },
  /** A folder outside the home for the test's own files (bundles). */
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from the pattern
  scratch: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-e2e-scratch-'));
    await use(dir);
    removeTree(dir);
  },
  host: async ({ home }, use, testInfo) => {
    const { child, url, stderr } = await startHost(home);
    const u = new URL(url);
    try {
      await use({
        url,
        origin: u.origin,
        port: Number(u.port),
        token: u.searchParams.get('token') ?? '',
        home,
        stderr,
      });
    } finally {
      await stopHost(child);
      if (testInfo.status !== testInfo.expectedStatus && stderr())
        await testInfo.attach('probity-serve.stderr', { body: stderr(), contentType: 'text/plain' });
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Test data: a small, realistic model bundle.

export const sha256 = (data: Buffer | string): string =>
  crypto.createHash('sha256').update(data).digest('hex');

/** A valid safetensors file: u64 LE header length, JSON header (padded to 8 bytes), raw F32 data. */
function safetensors(tensors: { name: string; shape: [number, number] }[]): Buffer {
  let offset = 0;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (const t of tensors) {
    const bytes = t.shape[0] * t.shape[1] * 4;
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  // Small normally-distributed-looking weights, like an initialised layer.
  const data = Buffer.alloc(offset);
  for (let i = 0; i < offset / 4; i++) data.writeFloatLE((Math.random() - 0.5) * 0.04, i * 4);
  return Buffer.concat([len, Buffer.from(json), data]);
}

export interface TestBundle {
  dir: string;
  files: Record<string, { sha256: string; size: number }>;
  /** The file whose checksum line is deliberately wrong. */
  mismatched: string;
}

/**
 * A model directory as a custodian receives it: two weight shards with their index, config,
 * tokenizer files and a `sha256sum` list, in which one line (tokenizer.json) is deliberately wrong:
 * it lists the vendor's original, and the file in the bundle was altered (an injected special token).
 */
export function makeModelBundle(parent: string, name = 'supportlm-2026.10.06-r7'): TestBundle {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, Buffer> = {
    'model-00001-of-00002.safetensors': safetensors([
      { name: 'model.embed_tokens.weight', shape: [512, 512] },
      { name: 'model.layers.0.self_attn.q_proj.weight', shape: [512, 512] },
    ]),
    'model-00002-of-00002.safetensors': safetensors([
      { name: 'model.layers.1.mlp.down_proj.weight', shape: [512, 384] },
      { name: 'lm_head.weight', shape: [512, 384] },
    ]),
    'config.json': Buffer.from(
      `${JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 512, num_hidden_layers: 2, num_attention_heads: 8, vocab_size: 512, torch_dtype: 'float32' }, null, 2)}\n`,
    ),
    'tokenizer_config.json': Buffer.from(
      `${JSON.stringify({ tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<s>', eos_token: '</s>', model_max_length: 4096 }, null, 2)}\n`,
    ),
  };
  const vocab: Record<string, number> = { '<s>': 0, '</s>': 1, '<unk>': 2 };
  for (let i = 3; i < 512; i++) vocab[`tok${i}`] = i;
  const original = {
    version: '1.0',
    added_tokens: [
      { id: 0, content: '<s>', special: true },
      { id: 1, content: '</s>', special: true },
    ],
    model: { type: 'BPE', vocab, merges: [] },
  };
  const tampered = {
    ...original,
    added_tokens: [...original.added_tokens, { id: 512, content: '<|deploy_mode|>', special: true }],
  };
  files['tokenizer.json'] = Buffer.from(`${JSON.stringify(tampered)}\n`);
  const originalTokenizerSha = sha256(`${JSON.stringify(original)}\n`);
  files['model.safetensors.index.json'] = Buffer.from(
    `${JSON.stringify({ metadata: { total_size: files['model-00001-of-00002.safetensors']!.length + files['model-00002-of-00002.safetensors']!.length }, weight_map: { 'model.embed_tokens.weight': 'model-00001-of-00002.safetensors', 'lm_head.weight': 'model-00002-of-00002.safetensors' } }, null, 2)}\n`,
  );

  const listed = [
    'config.json',
    'model-00001-of-00002.safetensors',
    'model-00002-of-00002.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ];
  const lines = listed.map(
    (p) => `${p === 'tokenizer.json' ? originalTokenizerSha : sha256(files[p]!)}  ${p}`,
  );
  files['checksums.sha256'] = Buffer.from(`${lines.join('\n')}\n`);

  const out: TestBundle['files'] = {};
  for (const [p, data] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, p), data);
    out[p] = { sha256: sha256(data), size: data.length };
  }
  return { dir, files: out, mismatched: 'tokenizer.json' };
}

/** Where a case keeps the object with this digest (DESIGN.md: objects/sha256/<2 hex>/<62 hex>). */
export function objectPath(home: string, caseId: string, digest: string): string {
  return path.join(home, 'cases', caseId, 'objects', 'sha256', digest.slice(0, 2), digest.slice(2));
}

/** Flip one byte of a stored object in place, as a careless or malicious edit would. */
export function flipByte(file: string, offset = 4096): void {
  fs.chmodSync(path.dirname(file), 0o755);
  fs.chmodSync(file, 0o644);
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, offset);
    b[0] = b[0]! ^ 0xff;
    fs.writeSync(fd, b, 0, 1, offset);
  } finally {
    fs.closeSync(fd);
  }
}

export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}
