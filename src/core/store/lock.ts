import fs from 'node:fs';
import path from 'node:path';
import { ProbityError } from '../util/errors';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer at a time per case for long jobs (ingest, verify): a lock file holding the owner's pid.
 * A lock left by a process that no longer runs (killed mid-ingest) is taken over, which is what
 * lets an interrupted ingest be resumed.
 */
export function acquireCaseLock(caseDir: string, what: string): () => void {
  const file = path.join(caseDir, 'job.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, what, at: new Date().toISOString() }));
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; what?: string } = {};
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number; what?: string };
      } catch {
        /* half-written lock: treat as stale */
      }
      if (holder.pid && holder.pid !== process.pid && alive(holder.pid)) {
        throw new ProbityError(
          'conflict',
          `${path.basename(caseDir)}: busy: process ${holder.pid} is running ${holder.what ?? 'a job'} on this case`,
        );
      }
      if (holder.pid === process.pid) {
        throw new ProbityError(
          'conflict',
          `${path.basename(caseDir)}: busy: this workstation is already running ${holder.what ?? 'a job'} on this case`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new ProbityError('conflict', `${path.basename(caseDir)}: could not take the case lock`);
}
