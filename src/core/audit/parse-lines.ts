/**
 * Reading a line-mode log into batches (import-batch.ts) for the importer to write. Parsing and
 * extraction run on a worker thread (parse-worker.ts, bundled and cached like the hashing worker)
 * while this thread writes the previous batch to SQLite; batches arrive in file order, at most
 * AHEAD ahead of the writer. Where the worker cannot be built (esbuild absent, or a host that
 * bundles this module without the worker's source), or when asked to, the same LineBatcher runs
 * here instead: the batches are the same either way.
 */
import { Worker } from 'node:worker_threads';
import { bundledWorkerUrl } from '../hashing/pool';
import { ProbityError, type ErrorCode } from '../util/errors';
import { LineBatcher, type LineParseOptions, type ParsedBatch } from './import-batch';
import { forEachLine } from '../io/lines';
import { parseMapping } from './mapping';

/**
 * Batches posted ahead of the writer (bounds memory: each holds `batchSize` records). One is enough:
 * the worker builds the next batch while this thread writes the current one.
 */
const AHEAD = 1;

export interface ParseWorkerData {
  file: string;
  label: string;
  startOffset: number;
  startLine: number;
  parse: LineParseOptions;
  /** `field=path` entries (mapping.ts). */
  map: string[];
  ahead: number;
  /** Int32Array[2]: batches written, cancelled. */
  flags: SharedArrayBuffer;
}

export type ParseWorkerMessage =
  | { type: 'batch'; batch: ParsedBatch }
  | { type: 'done' }
  | { type: 'error'; code: ErrorCode; message: string; file: string | null };

export interface ReadBatchesOptions {
  file: string;
  label: string;
  startOffset: number;
  startLine: number;
  parse: LineParseOptions;
  map: string[];
  signal?: AbortSignal;
  /** Parse on a worker thread when one can be started (default true). */
  worker?: boolean;
}

let workerUrl: URL | null | undefined;

/** The desktop build bundles the parse worker itself (electron.vite.config.ts) and names it here. */
export function setParseWorkerUrl(url: URL): void {
  workerUrl = url;
}

function parseWorkerUrl(): URL | null {
  if (workerUrl === undefined) {
    try {
      workerUrl = bundledWorkerUrl(new URL('./parse-worker.ts', import.meta.url), 'audit-parse-worker');
    } catch {
      workerUrl = null;
    }
  }
  return workerUrl;
}

async function readInline(opts: ReadBatchesOptions, onBatch: (b: ParsedBatch) => void): Promise<void> {
  const batcher = new LineBatcher(opts.parse, parseMapping(opts.map), opts.startLine, onBatch);
  const end = await forEachLine(opts.file, opts.label, (line) => batcher.line(line), {
    startOffset: opts.startOffset,
    startLine: opts.startLine,
    signal: opts.signal,
    onBytes: (bytes) => batcher.progress(bytes),
  });
  batcher.finish(end);
}

function readOnWorker(url: URL, opts: ReadBatchesOptions, onBatch: (b: ParsedBatch) => void): Promise<void> {
  const flags = new SharedArrayBuffer(8);
  const view = new Int32Array(flags);
  const data: ParseWorkerData = {
    file: opts.file,
    label: opts.label,
    startOffset: opts.startOffset,
    startLine: opts.startLine,
    parse: opts.parse,
    map: opts.map,
    ahead: AHEAD,
    flags,
  };
  return new Promise<void>((resolve, reject) => {
    const worker = new Worker(url, {
      workerData: data,
      execArgv: [],
      // A small young generation: the thread allocates parsed lines at a high rate and keeps little.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    let settled = false;
    const cancel = (): void => {
      Atomics.store(view, 1, 1);
      Atomics.notify(view, 0);
    };
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', cancel);
      cancel();
      void worker.terminate();
      if (err) reject(err);
      else resolve();
    };
    opts.signal?.addEventListener('abort', cancel);
    worker.on('message', (m: ParseWorkerMessage) => {
      if (settled) return;
      switch (m.type) {
        case 'batch':
          try {
            if (opts.signal?.aborted) throw new ProbityError('cancelled', `${opts.label}: import cancelled`);
            onBatch(m.batch);
          } catch (err) {
            finish(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          Atomics.add(view, 0, 1);
          Atomics.notify(view, 0);
          return;
        case 'done':
          finish(null);
          return;
        case 'error':
          finish(new ProbityError(m.code, m.message, m.file ? { file: m.file } : {}));
      }
    });
    worker.on('error', (err) =>
      finish(new ProbityError('internal', `${opts.label}: parse worker failed: ${err.message}`)),
    );
    worker.on('exit', (code) => {
      if (!settled)
        finish(new ProbityError('internal', `${opts.label}: parse worker exited with code ${code}`));
    });
  });
}

/**
 * Call `onBatch` for every batch of the log from `startOffset`, in file order; the last batch ends
 * at the end of the file. An exception from `onBatch` stops the reading and is rethrown.
 */
export async function readLineBatches(
  opts: ReadBatchesOptions,
  onBatch: (b: ParsedBatch) => void,
): Promise<void> {
  const url = opts.worker === false ? null : parseWorkerUrl();
  if (url === null) return readInline(opts, onBatch);
  return readOnWorker(url, opts, onBatch);
}
