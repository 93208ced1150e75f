import type { Progress } from '../../shared/domain';

const EMIT_EVERY_MS = 250;

/**
 * Aggregates worker progress into Progress events, at most four a second (plus phase changes),
 * with the rate over the whole run and an ETA once enough is known.
 */
export class ProgressTracker {
  private filesTotal = 0;
  private bytesTotal = 0;
  private filesDone = 0;
  private bytesDone = 0;
  private readonly current = new Map<string, { bytesDone: number; bytesTotal: number }>();
  /** The rate is measured from the first byte, not from the start: worker start-up is not throughput. */
  private firstByteAt: number | null = null;
  private lastEmit = 0;
  private phaseName: Progress['phase'] = 'hashing';

  constructor(
    private readonly jobId: string,
    private readonly sink?: (p: Progress) => void,
  ) {}

  plan(files: number, bytes: number): void {
    this.filesTotal = files;
    this.bytesTotal = bytes;
    this.emit(true);
  }

  /**
   * Bytes read of one file. A file appears in `current` from its first bytes on, so the list holds
   * only files being read, not every file waiting in the queue.
   */
  add(path: string, bytes: number, fileSize: number): void {
    let c = this.current.get(path);
    if (!c) {
      c = { bytesDone: 0, bytesTotal: fileSize };
      this.current.set(path, c);
    }
    c.bytesDone += bytes;
    if (this.firstByteAt === null) this.firstByteAt = Date.now();
    this.bytesDone += bytes;
    this.emit(false);
  }

  endFile(path: string, size: number): void {
    const c = this.current.get(path);
    // Account for any bytes the throttled worker progress had not reported yet.
    if (c && c.bytesDone < size) this.bytesDone += size - c.bytesDone;
    if (!c) this.bytesDone += size;
    this.current.delete(path);
    this.filesDone++;
    if (this.filesDone > this.filesTotal) this.filesTotal = this.filesDone;
    if (this.bytesDone > this.bytesTotal) this.bytesTotal = this.bytesDone;
    this.emit(false);
  }

  phase(p: Progress['phase']): void {
    this.phaseName = p;
    this.emit(true);
  }

  snapshot(): Progress {
    const elapsed = this.firstByteAt === null ? 0 : (Date.now() - this.firstByteAt) / 1000;
    const rate = elapsed > 0 ? this.bytesDone / elapsed : 0;
    const remaining = Math.max(0, this.bytesTotal - this.bytesDone);
    return {
      jobId: this.jobId,
      phase: this.phaseName,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      current: [...this.current.entries()].map(([path, c]) => ({ path, ...c })),
      rateBytesPerSec: rate,
      etaSeconds: rate > 0 && this.bytesTotal > 0 && elapsed > 0.5 ? remaining / rate : null,
    };
  }

  private emit(force: boolean): void {
    if (!this.sink) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < EMIT_EVERY_MS) return;
    this.lastEmit = now;
    this.sink(this.snapshot());
  }
}
