import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ArchiveEntry } from '../io/archive/types';
import { ProbityError, type ErrorCode } from '../util/errors';
import type { StoredObject, WorkerReply, WorkerRequest } from './protocol';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type PoolRequest = DistributiveOmit<WorkerRequest, 'seq'>;

export interface JobHandlers {
  onProgress?: (label: string, bytes: number, total: number) => void;
  onTgzEntry?: (entry: ArchiveEntry, object: StoredObject | null) => void;
}

interface Job {
  req: WorkerRequest;
  handlers: JobHandlers;
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

let workerUrlOverride: URL | null = null;

/**
 * Hosts that bundle the code (Electron's main process) point the pool at their built worker file;
 * under tsx and vitest the TypeScript source is loaded with tsx's loader.
 */
export function setHashWorkerUrl(url: URL): void {
  workerUrlOverride = url;
}

let builtWorker: URL | null = null;

interface WorkerBuildIndex {
  file: string;
  inputs: { path: string; size: number; mtimeMs: number }[];
}

/** The bundled worker, rebuilt only when one of the sources it was built from changed. */
function cachedWorkerBuild(entry: string, cacheDir: string, name = 'hash-worker'): string {
  const indexFile = path.join(cacheDir, `${name}.json`);
  try {
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as WorkerBuildIndex;
    const fresh = index.inputs.every((i) => {
      const st = fs.statSync(i.path, { throwIfNoEntry: false });
      return st !== undefined && st.size === i.size && st.mtimeMs === i.mtimeMs;
    });
    if (fresh && fs.existsSync(index.file)) return index.file;
  } catch {
    /* no index yet, or unreadable: build */
  }
  // Named so that the bundled main process carries no CommonJS `require` call (electron.vite.config.ts).
  const loadPackage = createRequire(import.meta.url);
  const esbuild = loadPackage('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: path.resolve(path.dirname(entry), '../../..'),
  });
  const code = out.outputFiles[0]!.contents;
  const file = path.join(
    cacheDir,
    `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`,
  );
  fs.mkdirSync(cacheDir, { recursive: true });
  const writeAtomically = (target: string, data: string | Uint8Array) => {
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, target);
  };
  if (!fs.existsSync(file)) writeAtomically(file, code);
  const root = path.resolve(path.dirname(entry), '../../..');
  const inputs = Object.keys(out.metafile.inputs).map((rel) => {
    const abs = path.resolve(root, rel);
    const st = fs.statSync(abs);
    return { path: abs, size: st.size, mtimeMs: st.mtimeMs };
  });
  writeAtomically(indexFile, JSON.stringify({ file, inputs } satisfies WorkerBuildIndex));
  return file;
}

/**
 * Another worker entry under src/core (a TypeScript source file), bundled and cached the same way
 * as the hashing worker under its own `name`. Throws where it cannot be built (esbuild absent, or
 * the entry is not there because the host itself is bundled).
 */
export function bundledWorkerUrl(entry: URL, name: string): URL {
  const file = fileURLToPath(entry);
  if (!fs.existsSync(file)) throw new Error(`${file}: no worker source to bundle`);
  const cacheDir = path.resolve(path.dirname(file), '../../../node_modules/.cache/probity');
  return pathToFileURL(cachedWorkerBuild(file, cacheDir, name));
}

/**
 * Run from source (the CLI through tsx, vitest), the worker is bundled once with esbuild into a
 * content-addressed file under node_modules/.cache/probity, so each thread starts on plain
 * JavaScript in tens of milliseconds instead of loading a TypeScript loader of its own. Where
 * esbuild is not there, worker-dev.mjs registers tsx inside the thread instead (Node 20 does not
 * apply `--import` hooks to workers).
 */
function workerUrl(): URL {
  if (workerUrlOverride) return workerUrlOverride;
  if (builtWorker) return builtWorker;
  try {
    const entry = fileURLToPath(new URL('./worker.ts', import.meta.url));
    const cacheDir = path.resolve(path.dirname(entry), '../../../node_modules/.cache/probity');
    builtWorker = pathToFileURL(cachedWorkerBuild(entry, cacheDir));
  } catch {
    builtWorker = new URL('./worker-dev.mjs', import.meta.url);
  }
  return builtWorker;
}

export function defaultWorkerCount(): number {
  return Math.max(
    1,
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
  );
}

/**
 * A fixed pool of hashing workers (one per core by default), one job per worker at a time, replies
 * matched by seq. cancel() raises a shared flag the workers check between reads, so a multi-GB
 * read stops within one chunk and its temp file is removed.
 */
export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, { job: Job; worker: Worker }>();
  private readonly cancelBuf = new SharedArrayBuffer(4);
  private readonly cancelFlag = new Int32Array(this.cancelBuf);
  private nextSeq = 1;
  private closed = false;

  private deaths = 0;

  constructor(size = defaultWorkerCount()) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const url = workerUrl();
    // A bundled worker is plain JavaScript: it needs none of the loaders (tsx) the parent may run under.
    const plain = !url.pathname.endsWith('worker-dev.mjs');
    const w = new Worker(url, { workerData: { cancel: this.cancelBuf }, ...(plain ? { execArgv: [] } : {}) });
    w.on('message', (m: WorkerReply) => this.onReply(w, m));
    w.on('error', (err) => this.onWorkerDeath(w, err));
    w.on('exit', (code) => {
      if (!this.closed) this.onWorkerDeath(w, new Error(`exited with code ${code}`));
    });
    w.unref();
    this.workers.push(w);
    return w;
  }

  get size(): number {
    return this.workers.length;
  }

  run(req: PoolRequest, handlers: JobHandlers = {}): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new ProbityError('internal', 'hash pool is closed'));
    if (Atomics.load(this.cancelFlag, 0) !== 0)
      return Promise.reject(new ProbityError('cancelled', 'cancelled'));
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { ...req, seq: this.nextSeq++ } as WorkerRequest, handlers, resolve, reject });
      this.dispatch();
    });
  }

  cancel(): void {
    Atomics.store(this.cancelFlag, 0, 1);
    for (const job of this.queue.splice(0)) job.reject(new ProbityError('cancelled', 'cancelled'));
  }

  get cancelled(): boolean {
    return Atomics.load(this.cancelFlag, 0) !== 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancel();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(job.req.seq, { job, worker: w });
      w.ref();
      w.postMessage(job.req);
    }
  }

  private finish(seq: number, w: Worker): Job | undefined {
    const entry = this.running.get(seq);
    this.running.delete(seq);
    w.unref();
    this.idle.push(w);
    queueMicrotask(() => this.dispatch());
    return entry?.job;
  }

  private onReply(w: Worker, m: WorkerReply): void {
    const entry = this.running.get(m.seq);
    if (!entry) return;
    const { job } = entry;
    switch (m.type) {
      case 'progress':
        job.handlers.onProgress?.(m.label, m.bytes, m.total);
        return;
      case 'tgz-entry':
        try {
          job.handlers.onTgzEntry?.(m.entry, m.object);
        } catch {
          /* a handler's failure must not kill the pool */
        }
        return;
      case 'error':
        this.finish(m.seq, w);
        job.reject(new ProbityError(m.code as ErrorCode, m.message, m.file ? { file: m.file } : {}));
        return;
      default:
        this.finish(m.seq, w);
        job.resolve(m);
    }
  }

  /**
   * A worker that dies fails the job it was running (naming it) and is replaced, so one bad job
   * cannot stall the queue. A worker that cannot even start fails everything queued.
   */
  private onWorkerDeath(w: Worker, err: Error): void {
    const at = this.workers.indexOf(w);
    if (at < 0) return;
    this.workers.splice(at, 1);
    const idleAt = this.idle.indexOf(w);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    for (const [seq, { job, worker }] of this.running) {
      if (worker === w) {
        this.running.delete(seq);
        const label = 'label' in job.req ? job.req.label : job.req.archive;
        job.reject(new ProbityError('internal', `${label}: hashing worker failed: ${err.message}`));
      }
    }
    if (this.closed) return;
    this.deaths++;
    if (this.deaths > 8) {
      for (const job of this.queue.splice(0))
        job.reject(new ProbityError('internal', `hashing workers keep failing: ${err.message}`));
      return;
    }
    this.idle.push(this.spawn());
    this.dispatch();
  }
}

/**
 * Wait for every job, stopping the rest at the first failure, and only then report it: a worker
 * that is mid-file removes its temp file before it answers, so nothing half-written outlives us.
 * The first real error wins over the cancellations it caused.
 */
export async function settleAll(jobs: Promise<void>[], pool: HashPool): Promise<void> {
  let first: unknown = null;
  const watched = jobs.map((j) =>
    j.catch((err: unknown) => {
      if (
        first === null ||
        (first instanceof ProbityError &&
          first.code === 'cancelled' &&
          !(err instanceof ProbityError && err.code === 'cancelled'))
      ) {
        first = err;
      }
      pool.cancel();
    }),
  );
  await Promise.all(watched);
  if (first !== null) throw first;
}
