import { describe, expect, it } from 'vitest';
import type { Progress } from '../shared/domain';
import type { CommandContext } from './command';
import { progressPrinter } from './output';

function ctx(isTTY: boolean) {
  let written = '';
  const stderr = {
    isTTY,
    columns: 120,
    write: (s: string) => ((written += s), true),
  } as unknown as CommandContext['stderr'];
  return { c: { stderr } as CommandContext, out: () => written };
}

const p = (over: Partial<Progress>): Progress => ({
  jobId: 'j',
  phase: 'hashing',
  bytesDone: 512 * 1024 * 1024,
  bytesTotal: 2048 * 1024 * 1024,
  filesDone: 1,
  filesTotal: 4,
  current: [],
  rateBytesPerSec: 256 * 1024 * 1024,
  etaSeconds: 6,
  ...over,
});

describe('the stderr progress bar', () => {
  it('draws bytes, files, rate and ETA in place when stderr is a terminal', () => {
    const { c, out } = ctx(true);
    const print = progressPrinter(c)!;
    print(p({}));
    expect(out()).toMatch(
      /^\r\[#{6}\.{18}\] {2}25% {2}512\.0 MiB \/ 2\.00 GiB {2}1\/4 files {2}256\.0 MiB\/s {2}ETA 6s/,
    );
    print(p({ phase: 'done', bytesDone: 2048 * 1024 * 1024, filesDone: 4, etaSeconds: 0 }));
    expect(out().endsWith('\n')).toBe(true);
  });

  it('draws nothing when stderr is not a terminal (logs, pipes, --json runs)', () => {
    expect(progressPrinter(ctx(false).c)).toBeUndefined();
  });
});
