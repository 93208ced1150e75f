/**
 * The parse worker of a line-mode import: reads the stored log, parses and extracts each line
 * (import-batch.ts LineBatcher) and posts the batches to the importer, which writes them on its own
 * thread. At most AHEAD batches are in flight: the worker blocks (Atomics.wait) until the importer
 * has written one, so memory stays bounded however slow the database is. Protocol: parse-lines.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProbityError } from '../util/errors';
import { LineBatcher } from './import-batch';
import { forEachLine } from '../io/lines';
import { parseMapping } from './mapping';
import type { ParseWorkerData, ParseWorkerMessage } from './parse-lines';

const data = workerData as ParseWorkerData;
const port = parentPort!;
// [0]: batches written by the importer; [1]: non-zero when the import is cancelled.
const flags = new Int32Array(data.flags);
let sent = 0;

function post(m: ParseWorkerMessage): void {
  port.postMessage(m);
}

function waitForRoom(): void {
  for (;;) {
    if (Atomics.load(flags, 1) !== 0) throw new ProbityError('cancelled', `${data.label}: import cancelled`);
    const written = Atomics.load(flags, 0);
    if (sent - written < data.ahead) return;
    Atomics.wait(flags, 0, written, 1000);
  }
}

async function run(): Promise<void> {
  const batcher = new LineBatcher(data.parse, parseMapping(data.map), data.startLine, (batch) => {
    waitForRoom();
    sent++;
    post({ type: 'batch', batch });
  });
  const end = await forEachLine(data.file, data.label, (line) => batcher.line(line), {
    startOffset: data.startOffset,
    startLine: data.startLine,
    onBytes: (bytes) => {
      if (Atomics.load(flags, 1) !== 0)
        throw new ProbityError('cancelled', `${data.label}: import cancelled`);
      batcher.progress(bytes);
    },
  });
  batcher.finish(end);
  post({ type: 'done' });
}

run().catch((err: unknown) => {
  const e = err instanceof ProbityError ? err : null;
  post({
    type: 'error',
    code: e?.code ?? 'internal',
    message: err instanceof Error ? err.message : String(err),
    file: e?.file ?? null,
  });
});
