import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProbityError } from '../util/errors';
import { forEachLine, readHead, readLines, readTextChunks, type LogLine } from './lines';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('readLines', () => {
  it('numbers lines, drops a BOM and CR, reports invalid UTF-8 and over-long lines, and reads on', async () => {
    const file = write(
      'x.jsonl',
      Buffer.concat([
        Buffer.from('\ufeffone\r\n'),
        Buffer.from([0xff, 0xfe, 0x0a]),
        Buffer.from(`${'y'.repeat(100)}\nlast`),
      ]),
    );
    const lines: LogLine[] = [];
    for await (const l of readLines(file, 'x.jsonl', 50)) lines.push(l);
    expect(lines).toEqual([
      { number: 1, offset: 0, length: 7, text: 'one', problem: null },
      { number: 2, offset: 8, length: 2, text: null, problem: 'not valid UTF-8' },
      { number: 3, offset: 11, length: 100, text: null, problem: 'line longer than 50 bytes; skipped' },
      { number: 4, offset: 112, length: 4, text: 'last', problem: null },
    ]);
  });

  it('names the file when it cannot be read', async () => {
    const read = async () => {
      for await (const l of readLines(path.join(dir, 'absent.jsonl'), 'absent.jsonl')) void l;
    };
    await expect(read()).rejects.toThrow(/absent\.jsonl: cannot read/);
    await expect(read()).rejects.toBeInstanceOf(ProbityError);
  });
});

describe('forEachLine', () => {
  // Lines that straddle the 1 MiB read chunk, so the assembler joins pieces across two reads.
  const a = 'a'.repeat(700 * 1024);
  const b = 'b'.repeat(700 * 1024);
  const file = write('big.jsonl', `${a}\n${b}\n\nend`);

  it('gives each line its byte offset and length across chunk boundaries, and returns the end', async () => {
    const lines: LogLine[] = [];
    const end = await forEachLine(file, 'big.jsonl', (l) => lines.push(l));
    expect(end).toBe(fs.statSync(file).size);
    expect(lines.map((l) => [l.number, l.offset, l.length])).toEqual([
      [1, 0, a.length],
      [2, a.length + 1, b.length],
      [3, a.length + b.length + 2, 0],
      [4, a.length + b.length + 3, 3],
    ]);
    expect(lines[1]!.text).toBe(b);
    // Each line read back from its offset is the same text.
    const fd = fs.openSync(file, 'r');
    for (const l of lines) {
      const buf = Buffer.alloc(l.length);
      fs.readSync(fd, buf, 0, l.length, l.offset);
      expect(buf.toString('utf8')).toBe(l.text);
    }
    fs.closeSync(fd);
  });

  it('resumes from a line start with the line number given', async () => {
    const lines: LogLine[] = [];
    await forEachLine(file, 'big.jsonl', (l) => lines.push(l), { startOffset: a.length + 1, startLine: 2 });
    expect(lines.map((l) => l.number)).toEqual([2, 3, 4]);
    expect(lines[0]!.text).toBe(b);
  });

  it('skips a line over the bound that spans chunks, and keeps the next one', async () => {
    const lines: LogLine[] = [];
    await forEachLine(file, 'big.jsonl', (l) => lines.push(l), { maxLineBytes: 600 * 1024 });
    expect(lines.map((l) => l.problem)).toEqual([
      `line longer than ${600 * 1024} bytes; skipped`,
      `line longer than ${600 * 1024} bytes; skipped`,
      null,
      null,
    ]);
    expect(lines[3]!.text).toBe('end');
  });

  it('stops when cancelled, and lets an error from the callback through unchanged', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(forEachLine(file, 'big.jsonl', () => undefined, { signal: ac.signal })).rejects.toThrow(
      /big\.jsonl: import cancelled/,
    );
    const boom = new Error('boom');
    await expect(
      forEachLine(file, 'big.jsonl', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('readTextChunks and readHead', () => {
  it('keeps a multi-byte character whole across chunks, and reads the head of a file', async () => {
    const text = `${'x'.repeat(1024 * 1024 - 1)}é${'z'.repeat(10)}`;
    const file = write('text.json', text);
    let got = '';
    for await (const c of readTextChunks(file, 'text.json')) got += c;
    expect(got).toBe(text);
    expect(readHead(file, 'text.json', 4).toString()).toBe('xxxx');
    expect(readHead(write('short', 'ab'), 'short', 4).toString()).toBe('ab');
    expect(() => readHead(path.join(dir, 'nope'), 'nope', 4)).toThrow(/nope: cannot read/);
  });
});
