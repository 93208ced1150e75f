import { afterAll, describe, expect, it } from 'vitest';
import { scanPickle } from './pickle.ts';
import { readLinear } from './pickle-linear.ts';
import { bufferSource } from './reader.ts';
import { pickleBytes, sbu, scratch } from './testkit.ts';

const tmp = scratch('probity-linear-');
afterAll(() => tmp.cleanup());

const PROTO4 = [0x80, 4];
const STACK_GLOBAL = 0x93;
const MEMOIZE = 0x94;
const EMPTY_TUPLE = 0x29;
const REDUCE = 0x52;
const POP = 0x30;
const STOP = 0x2e;

function linear(b: Buffer): ReturnType<typeof readLinear> {
  return readLinear(bufferSource('t.pkl', b), 0, b.length);
}

describe('the linear reading of a pickle', () => {
  it('reads GLOBAL lines, STACK_GLOBAL strings, memo fetches, EXT codes and call opcodes', async () => {
    const b = pickleBytes(
      PROTO4,
      'cos\nsystem\n',
      sbu('collections'),
      MEMOIZE,
      sbu('OrderedDict'),
      MEMOIZE,
      STACK_GLOBAL,
      EMPTY_TUPLE,
      REDUCE,
      [0x68, 0], // BINGET 0: "collections"
      sbu('Counter'),
      STACK_GLOBAL,
      [0x82, 7], // EXT1 7
      STOP,
    );
    const r = await linear(b);
    expect(r).toMatchObject({ stopped: true, problem: null });
    expect(r.globals).toEqual([
      'os.system',
      'collections.OrderedDict',
      'collections.Counter',
      'copyreg extension 7',
    ]);
    expect(r.calls).toEqual([{ opcode: 'REDUCE', offset: 43 }]);
  });

  it('says where it stopped on an unknown opcode or a truncated argument', async () => {
    expect((await linear(pickleBytes(PROTO4, 0xff, STOP))).problem).toMatch(
      /unknown opcode 0xff at offset 2/,
    );
    expect((await linear(pickleBytes(PROTO4, [0x8c, 10], 'ab'))).problem).toMatch(/runs past the end/);
    expect((await linear(pickleBytes(PROTO4, sbu('x')))).problem).toMatch(/no STOP/);
  });
});

describe('two readings before safe', () => {
  it('a pickle the two readings agree on keeps its verdict (safe), with the second reading listed', async () => {
    const f = tmp.write(
      'agree.pkl',
      pickleBytes(PROTO4, sbu('collections'), sbu('OrderedDict'), STACK_GLOBAL, EMPTY_TUPLE, REDUCE, STOP),
    );
    const r = await scanPickle(f);
    expect(r.verdict).toBe('safe');
    expect(r.pickles[0]?.secondReading).toEqual({
      globals: ['collections.OrderedDict'],
      calls: 1,
      agree: true,
    });
  });

  it('a value pushed and popped between the name strings: the readings disagree and the pickle is not analysed', async () => {
    // The interpreter pops the junk and imports collections.OrderedDict (allowlisted); the linear
    // walk, which keeps no stack, reads the two last values pushed: "junk" and the POP (no string).
    const f = tmp.write(
      'disagree.pkl',
      pickleBytes(
        PROTO4,
        sbu('collections'),
        sbu('OrderedDict'),
        sbu('junk'),
        POP,
        STACK_GLOBAL,
        EMPTY_TUPLE,
        REDUCE,
        STOP,
      ),
    );
    const r = await scanPickle(f);
    expect(r.pickles[0]?.globals.map((g) => `${g.module}.${g.name}`)).toEqual(['collections.OrderedDict']);
    expect(r.pickles[0]?.secondReading?.agree).toBe(false);
    expect(r.verdict).toBe('not-analysed');
    const f0 = r.findings.find((x) => x.what.includes('the two readings disagree'));
    expect(f0?.what).toContain('interpreter: "collections.OrderedDict"');
    expect(f0?.what).toContain('linear walk: "junk.?"');
  });

  it('a dangerous pickle the readings disagree on stays dangerous', async () => {
    const f = tmp.write(
      'disagree-danger.pkl',
      pickleBytes(PROTO4, sbu('os'), sbu('system'), sbu('x'), POP, STACK_GLOBAL, STOP),
    );
    const r = await scanPickle(f);
    expect(r.verdict).toBe('dangerous');
    expect(r.findings.some((x) => x.what.includes('the two readings disagree'))).toBe(true);
  });
});

describe('array regions (joblib writes array bytes between opcodes)', () => {
  // BUILD, then 8 bytes of "array data" that read as GLOBAL os.system when taken for opcodes.
  const data = Buffer.from('cos\nsys\n');
  const b = pickleBytes(PROTO4, sbu('x'), sbu('y'), 0x62, [...data], sbu('z'), POP, STOP);
  const from = b.indexOf(data);
  const region = { from, to: from + data.length, pickle: false };

  it('reads data bytes as opcodes when no region is given (so the readings disagree)', async () => {
    expect((await linear(b)).globals).toEqual(['os.sys']);
  });

  it('skips a region it lands on right after BUILD', async () => {
    const r = await readLinear(bufferSource('t.pkl', b), 0, b.length, [region]);
    expect(r).toMatchObject({ stopped: true, problem: null, globals: [] });
  });

  it('does not take a region that does not start right after a BUILD', async () => {
    const shifted = { ...region, from: region.from + 1 };
    const r = await readLinear(bufferSource('t.pkl', b), 0, b.length, [shifted]);
    expect(r.globals).toEqual(['os.sys']);
    const noBuild = Buffer.from(b);
    noBuild[from - 1] = POP;
    const r2 = await readLinear(bufferSource('t.pkl', noBuild), 0, noBuild.length, [region]);
    expect(r2.globals).toEqual(['os.sys']);
  });
});
