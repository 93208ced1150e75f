import { afterAll, describe, expect, it } from 'vitest';
import { scanPickle, scanTorchFile, classifyGlobal, type PickleScanReport } from './pickle.ts';
import { fixture, scratch, pickleBytes, sbu, zipBytes, rejection } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const tmp = scratch();
afterAll(() => tmp.cleanup());

const globalsOf = (r: PickleScanReport): [string, number, string, string][] =>
  r.pickles.flatMap((p) =>
    p.globals.map(
      (g) =>
        [`${g.module}.${g.name}`, g.offset, g.opcode, g.classification] as [string, number, string, string],
    ),
  );

// Ground truth from python3 zipfile + pickletools.genops (which decode without executing).
describe.skipIf(withoutShared())('real PyTorch fixtures', () => {
  it('candle test.pt: safe; OrderedDict, _rebuild_tensor_v2, LongStorage; storage 0 present', async () => {
    const r = await scanTorchFile(fixture('pytorch/candle-test.pt'));
    expect(r.format).toBe('torch-zip');
    expect(r.verdict).toBe('safe');
    expect(r.archive).toEqual({
      root: 'test',
      memberCount: 5,
      members: [
        'test/data.pkl',
        'test/byteorder',
        'test/data/0',
        'test/version',
        'test/.data/serialization_id',
      ],
    });
    expect(globalsOf(r)).toEqual([
      ['collections.OrderedDict', 2, 'GLOBAL', 'safe'],
      ['torch._utils._rebuild_tensor_v2', 44, 'GLOBAL', 'safe'],
      ['torch.LongStorage', 95, 'GLOBAL', 'safe'],
    ]);
    expect(r.pickles[0]).toMatchObject({
      member: 'test/data.pkl',
      protocol: 2,
      complete: true,
      end: 171,
      storageKeys: ['0'],
    });
    expect(r.pickles[0]?.calls.map((c) => [c.offset, c.target])).toEqual([
      [30, 'collections.OrderedDict'],
      [160, 'collections.OrderedDict'],
      [166, 'torch._utils._rebuild_tensor_v2'],
    ]);
    expect(r.problems).toEqual([]);
  });

  it('torchtune single-tensor state dict: safe', async () => {
    const r = await scanTorchFile(fixture('pytorch/torchtune-tiny_state_dict_with_one_key.pt'));
    expect(r.verdict).toBe('safe');
    expect(globalsOf(r)).toEqual([
      ['torch._utils._rebuild_tensor_v2', 20, 'GLOBAL', 'safe'],
      ['torch.FloatStorage', 71, 'GLOBAL', 'safe'],
      ['collections.OrderedDict', 134, 'GLOBAL', 'safe'],
    ]);
    expect(r.pickles[0]?.end).toBe(173);
  });

  it('Logics-Thinking training_args.bin: suspicious (llava/transformers/accelerate classes), torch.device safe', async () => {
    const r = await scanTorchFile(fixture('pytorch/logics-thinking-training_args.bin'));
    expect(r.verdict).toBe('suspicious');
    expect(r.findings.every((f) => f.level === 'suspicious' && /is not on the allowlist/.test(f.what))).toBe(
      true,
    );
    expect(r.rules.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(globalsOf(r).map(([ref, off, , cls]) => [ref, off, cls])).toEqual([
      ['llava.train.train.TrainingArguments', 2, 'unknown'],
      ['transformers.trainer_utils.IntervalStrategy', 249, 'unknown'],
      ['transformers.trainer_utils.SchedulerType', 833, 'unknown'],
      ['transformers.trainer_utils.SaveStrategy', 1364, 'unknown'],
      ['transformers.trainer_pt_utils.AcceleratorConfig', 2515, 'unknown'],
      ['transformers.training_args.OptimizerNames', 2816, 'unknown'],
      ['transformers.trainer_utils.HubStrategy', 3303, 'unknown'],
      ['accelerate.state.PartialState', 4761, 'unknown'],
      ['torch.device', 4852, 'safe'],
      ['accelerate.utils.dataclasses.DistributedType', 4913, 'unknown'],
      ['accelerate.utils.dataclasses.DeepSpeedPlugin', 5148, 'unknown'],
      ['transformers.integrations.deepspeed.HfTrainerDeepSpeedConfig', 5223, 'unknown'],
      ['torch.bfloat16', 6249, 'safe'],
      ['transformers.integrations.deepspeed.HfDeepSpeedConfig', 6742, 'unknown'],
    ]);
    expect(r.pickles[0]).toMatchObject({ member: 'training_args/data.pkl', end: 7290, complete: true });
    expect(r.archive?.root).toBe('training_args');
  });

  it('modelaudit malicious_eval.pt: dangerous, builtins.eval via STACK_GLOBAL, with the code string', async () => {
    const r = await scanTorchFile(fixture('pytorch/malicious-fixtures/modelaudit-malicious_eval.pt'));
    expect(r.verdict).toBe('dangerous');
    const reason = 'evaluates a code string';
    expect(r.imports).toEqual([
      { ref: 'builtins.eval', classification: 'dangerous', reason, capability: 'code-exec', count: 1 },
    ]);
    expect(r.pickles[0]?.globals).toEqual([
      {
        module: 'builtins',
        name: 'eval',
        offset: 29,
        opcode: 'STACK_GLOBAL',
        classification: 'dangerous',
        reason,
        capability: 'code-exec',
        called: true,
      },
    ]);
    expect(r.findings[0]).toEqual({
      level: 'dangerous',
      what: `builtins.eval: ${reason}`,
      where: 'member "data.pkl", offset 29',
      capability: 'code-exec',
    });
    expect(r.pickles[0]?.calls).toEqual([
      { offset: 65, opcode: 'REDUCE', target: 'builtins.eval', args: ['"print(\'security test - eval\')"'] },
    ]);
    expect(r.problems).toEqual([
      'data.pkl sits at the archive root; torch.save always writes <archive>/data.pkl (hand-made archive?)',
    ]);
  });

  it('modelaudit safe_model.pt: a dict of float lists, no imports at all', async () => {
    const r = await scanTorchFile(fixture('pytorch/malicious-fixtures/modelaudit-safe_model.pt'));
    expect(r.verdict).toBe('safe');
    expect(r.imports).toEqual([]);
    expect(r.pickles[0]).toMatchObject({ protocol: 4, complete: true, opcodeCount: 20, end: 68 });
  });

  it('safetensors files are not pickles: a named error', async () => {
    const e = await rejection(
      scanTorchFile(fixture('safetensors/malicious-fixtures/modelaudit-malicious_import.safetensors')),
    );
    expect(e).toMatchObject({
      code: 'malformed',
      message: expect.stringMatching(/neither a zip archive nor a pickle/),
    });
  });
});

describe('generated pickles', () => {
  const scan = (name: string, ...parts: Parameters<typeof pickleBytes>): Promise<PickleScanReport> =>
    scanPickle(tmp.write(name, pickleBytes(...parts)));

  it('protocol 0 GLOBAL + REDUCE of os.system', async () => {
    const r = await scan('p0.pkl', "cos\nsystem\n(S'echo pwned'\ntR.");
    expect(r.verdict).toBe('dangerous');
    expect(r.pickles[0]?.globals[0]).toMatchObject({
      module: 'os',
      name: 'system',
      offset: 0,
      opcode: 'GLOBAL',
      called: true,
    });
    expect(r.pickles[0]?.calls).toEqual([
      { offset: 27, opcode: 'REDUCE', target: 'os.system', args: ['"echo pwned"'] },
    ]);
  });

  it('STACK_GLOBAL resolved through MEMOIZE and BINGET after the strings were popped', async () => {
    const r = await scan(
      'memo.pkl',
      [0x80, 4],
      sbu('subprocess'),
      0x94,
      sbu('check_output'),
      0x94,
      '00',
      [0x68, 0],
      [0x68, 1],
      0x93,
      sbu('id'),
      0x85,
      'R.',
    );
    expect(r.pickles[0]?.globals.map((g) => [g.module, g.name, g.classification])).toEqual([
      ['subprocess', 'check_output', 'dangerous'],
    ]);
    expect(r.pickles[0]?.calls[0]?.args).toEqual(['"id"']);
  });

  it('LONG_BINPUT / LONG_BINGET and BINUNICODE8', async () => {
    const b8 = Buffer.alloc(9);
    b8[0] = 0x8d;
    b8.writeBigUInt64LE(4n, 1);
    const r = await scan(
      'memo2.pkl',
      [0x80, 4],
      b8,
      'exec',
      [0x72, 7, 0, 0, 0],
      '0',
      sbu('builtins'),
      [0x6a, 7, 0, 0, 0],
      0x93,
      '.',
    );
    expect(r.pickles[0]?.globals.map((g) => `${g.module}.${g.name}`)).toEqual(['builtins.exec']);
    expect(r.verdict).toBe('dangerous');
  });

  it('INST, OBJ, NEWOBJ and BUILD are recorded as calls', async () => {
    const inst = await scan('inst.pkl', "(S'ls'\nios\nsystem\n.");
    expect(inst.pickles[0]?.calls).toEqual([
      { offset: 7, opcode: 'INST', target: 'os.system', args: ['"ls"'] },
    ]);
    const obj = await scan('obj.pkl', [0x80, 2], '(cposix\nsystem\n', sbu('id'), 'o.');
    expect(obj.pickles[0]?.calls[0]).toMatchObject({ opcode: 'OBJ', target: 'posix.system', args: ['"id"'] });
    const nw = await scan('newobj.pkl', [0x80, 2], 'c__main__\nEvil\n)', 0x81, '}b.');
    expect(nw.verdict).toBe('suspicious');
    expect(nw.pickles[0]?.calls.map((c) => c.opcode)).toEqual(['NEWOBJ', 'BUILD']);
  });

  it('STACK_GLOBAL with computed operands is dangerous; EXT codes are reported', async () => {
    const r = await scan('computed.pkl', [0x80, 4], 'NN', 0x93, '.');
    expect(r.pickles[0]?.globals[0]).toMatchObject({
      module: '?',
      name: '?',
      classification: 'dangerous',
      reason: expect.stringMatching(/computed at load time/),
    });
    const ext = await scan('ext.pkl', [0x80, 2], [0x82, 5], ').');
    expect(ext.verdict).toBe('suspicious');
    expect(ext.findings.map((f) => [f.what, f.where])).toContainEqual([
      'EXT1 5: import through the extension registry, not resolvable from the file',
      'offset 2',
    ]);
  });

  it('qualified names that walk to os or through dunders, and Python 2 builtins', async () => {
    const r = await scan('qual.pkl', [0x80, 4], sbu('torch'), sbu('serialization.os.system'), 0x93, '.');
    expect(r.pickles[0]?.globals[0]).toMatchObject({
      classification: 'dangerous',
      reason:
        'reaches os.system through torch.serialization.os.system: os: operating-system access: commands, files, environment',
      capability: 'process',
    });
    expect(classifyGlobal('collections', 'OrderedDict.__init__.__globals__')).toEqual({
      classification: 'dangerous',
      reason: 'qualified name walks through __init__',
      capability: 'code-exec',
    });
    expect(classifyGlobal('__builtin__', 'eval').classification).toBe('dangerous');
    expect(classifyGlobal('__builtin__', 'set').classification).toBe('safe');
    expect(classifyGlobal('numpy.core.multiarray', '_reconstruct').classification).toBe('safe');
    expect(classifyGlobal('torch.storage', '_load_from_bytes').classification).toBe('dangerous');
    expect(classifyGlobal('operator', 'attrgetter').classification).toBe('dangerous');
    expect(classifyGlobal('runpy', '_run_code').classification).toBe('dangerous');
    expect(classifyGlobal('mypkg.models', 'Net').classification).toBe('unknown');
  });

  it('truncation, unknown opcodes and bad lengths keep what was found before them', async () => {
    const tr = await scan('trunc.pkl', [0x80, 2], 'cos\nsystem\n');
    expect(tr.verdict).toBe('dangerous');
    expect(tr.pickles[0]).toMatchObject({ complete: false, verdict: 'dangerous' });
    const notRead = (r: PickleScanReport): string[] =>
      r.findings.filter((f) => f.level === 'not-analysed').map((f) => `${f.what} @ ${f.where}`);
    expect(notRead(tr)).toEqual(['pickle ends without STOP (truncated) @ offset 13']);
    const unk = await scan('unk.pkl', [0x80, 2], 'cbuiltins\nexec\n', 0xff, '.');
    expect(unk.verdict).toBe('dangerous');
    expect(notRead(unk)).toEqual([
      'unknown opcode 0xff: the unpickler stops here and nothing after it was read @ offset 17',
    ]);
    const big = await scan('big.pkl', [0x80, 4], [0x58, 0xff, 0xff, 0xff, 0x7f], 'abc.');
    expect(big.verdict).toBe('not-analysed');
    expect(notRead(big)).toEqual([
      'BINUNICODE at offset 2 claims 2,147,483,647 bytes but only 4 remain: the rest of the pickle was not read @ null',
    ]);
    const line = await scan('line.pkl', [0x80, 2], 'cos');
    expect(notRead(line)).toEqual([
      'GLOBAL module at offset 2 is not terminated by a newline before the end: the rest of the pickle was not read @ null',
    ]);
    const under = await scan('under.pkl', [0x80, 2], 'R.');
    expect(under.verdict).toBe('suspicious');
    expect(under.findings[0]?.what).toMatch(
      /REDUCE pops an empty stack or a missing MARK: impossible structure/,
    );
  });

  it('files that are not pickles, and future protocols, are named errors', async () => {
    expect((await rejection(scanPickle(tmp.write('text.pkl', 'hello world')))).message).toMatch(
      /text\.pkl: file does not start like a pickle \(first byte 0x68\): not a pickle/,
    );
    expect((await rejection(scanPickle(tmp.write('cat.pkl', 'cat')))).message).toMatch(
      /cat\.pkl: file is not a pickle: GLOBAL module at offset 0 is not terminated by a newline before the end/,
    );
    expect((await rejection(scanPickle(tmp.write('p9.pkl', pickleBytes([0x80, 9], '.'))))).message).toMatch(
      /not a pickle: unsupported pickle protocol 9/,
    );
    expect((await rejection(scanPickle(tmp.write('p0.pkl', pickleBytes([0x80, 2], 0x00))))).message).toMatch(
      /not a pickle: unknown opcode 0x00: the unpickler stops here and nothing after it was read \(offset 2\)/,
    );
    expect((await rejection(scanPickle(tmp.write('empty.pkl', '')))).message).toMatch(
      /is empty: not a pickle/,
    );
  });

  it('pathological pickles stay bounded: million-deep tuples, mark/stack/memo floods, import floods', async () => {
    const deep = await scan('deep.pkl', [0x80, 2], 'cos\nsystem\n)', Buffer.alloc(1_000_000, 0x85), 'R.');
    expect(deep.pickles[0]?.calls[0]).toMatchObject({ target: 'os.system', args: ['((((…))))'] });
    const marks = await scan('marks.pkl', [0x80, 2], Buffer.alloc(1_100_000, 0x28), 'N.');
    expect(marks.findings.map((f) => f.what)).toContain(
      'more than 1,000,000 nested MARKs; the outermost were discarded',
    );
    const nones = await scan('nones.pkl', [0x80, 2], Buffer.alloc(1_100_000, 0x4e), '.');
    expect(nones.verdict).toBe('suspicious');
    expect(nones.findings.map((f) => f.what)).toContain(
      'stack deeper than 1,000,000 entries (resource exhaustion); the bottom was discarded',
    );
    const flood = await scan('flood.pkl', [0x80, 2], 'cos\nsystem\n0'.repeat(20_000), 'N.');
    expect(flood.pickles[0]?.globals).toHaveLength(10_000);
    expect(flood.imports).toEqual([
      {
        ref: 'os.system',
        classification: 'dangerous',
        reason: expect.any(String),
        capability: 'process',
        count: 10_000,
      },
    ]);
    expect(flood.findings.map((f) => f.what)).toContain(
      'more than 10,000 imports; only the first are listed',
    );
  });

  it('concatenated pickles are all scanned; trailing garbage is reported', async () => {
    const r = await scan('multi.pkl', [0x80, 2], ').', [0x80, 2], 'cshutil\nrmtree\n.', 'junk');
    expect(r.pickles).toHaveLength(2);
    expect(r.verdict).toBe('dangerous');
    expect(r.findings.map((f) => `${f.level}: ${f.what} @ ${f.where}`)).toContain(
      "suspicious: 4 bytes follow the last pickle's STOP (not unpickled by pickle.load, not a pickle either) @ file, offset 22",
    );
  });

  it('legacy torch.save stream: five pickles then raw storage bytes', async () => {
    const magic = Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex');
    const file = tmp.write(
      'legacy.pt',
      pickleBytes(
        magic,
        [0x80, 2, 0x4d, 0xe9, 0x03, 0x2e],
        [0x80, 2],
        '}.',
        [0x80, 2],
        'cwebbrowser\nopen\n',
        sbu('http://x'),
        0x85,
        'R.',
        [0x80, 2],
        ']',
        sbu('0'),
        'a.',
        Buffer.alloc(64, 0x80),
      ),
    );
    const r = await scanTorchFile(file);
    expect(r.format).toBe('torch-legacy');
    expect(r.pickles).toHaveLength(5);
    expect(r.verdict).toBe('dangerous');
    expect(r.imports.map((i) => i.ref)).toEqual(['webbrowser.open']);
    expect(r.problems).toEqual(['legacy (pre-1.6) torch.save format']);
  });
});

describe('state-dict tensors', () => {
  const tmp = scratch();
  afterAll(() => tmp.cleanup());
  it('names each tensor of a state dict with its storage type, shape and storage key', async () => {
    const pid = (key: string): Buffer =>
      pickleBytes('(', sbu('storage'), 'ctorch\nFloatStorage\n', sbu(key), sbu('cpu'), 'K', 6, 't', 'Q');
    const rebuild = (key: string, shape: Buffer): Buffer =>
      pickleBytes(
        'ctorch._utils\n_rebuild_tensor_v2\n(',
        pid(key),
        'K',
        0,
        shape,
        shape,
        0x89,
        'ccollections\nOrderedDict\n)R',
        't',
        'R',
      );
    const r = await scanPickle(
      tmp.write(
        'state.pkl',
        pickleBytes(
          [0x80, 4],
          'ccollections\nOrderedDict\n)R',
          '(',
          sbu('layers.0.w'),
          rebuild('0', pickleBytes('K', 2, 'K', 3, 0x86)),
          sbu('layers.0.b'),
          rebuild('1', pickleBytes('K', 3, 0x85)),
          'u',
          sbu('extra'),
          'ctorch._utils\n_rebuild_parameter\n(',
          rebuild('2', pickleBytes('K', 4, 0x85)),
          0x88,
          'ccollections\nOrderedDict\n)R',
          't',
          'R',
          's',
          '.',
        ),
      ),
    );
    expect(r.pickles[0]!.findings).toEqual([]);
    expect(r.verdict).toBe('safe');
    expect(r.pickles[0]!.tensors).toEqual([
      { name: 'layers.0.w', storage: 'torch.FloatStorage', shape: '(2, 3)', key: '0' },
      { name: 'layers.0.b', storage: 'torch.FloatStorage', shape: '(3)', key: '1' },
      { name: 'extra', storage: 'torch.FloatStorage', shape: '(4)', key: '2' },
    ]);
  });
});

describe('generated torch zips', () => {
  const pid = (key: string): Buffer =>
    pickleBytes('(', sbu('storage'), 'ctorch\nFloatStorage\n', sbu(key), sbu('cpu'), 'K', 4, 't', 'Q');
  const dataPkl = pickleBytes(
    [0x80, 4],
    'ctorch._utils\n_rebuild_tensor_v2\n(',
    pid('0'),
    'K',
    0,
    ')',
    ')',
    'tR',
    '0',
    pid('1'),
    '.',
  );

  it('storage keys are checked against data/ members; deflated pickles are scanned', async () => {
    const file = tmp.write(
      'model.pt',
      zipBytes([
        { name: 'archive/data.pkl', data: dataPkl, deflate: true },
        { name: 'archive/data/0', data: Buffer.alloc(16) },
        { name: 'archive/data/7', data: Buffer.alloc(16) },
        { name: 'archive/version', data: Buffer.from('3\n') },
      ]),
    );
    const r = await scanTorchFile(file);
    expect(r.verdict).toBe('safe');
    expect(r.pickles[0]?.storageKeys).toEqual(['0', '1']);
    expect(r.problems).toEqual([
      'data.pkl references storage "1" but "archive/data/1" is missing',
      '"archive/data/7" is not referenced by data.pkl (unreferenced payload?)',
    ]);
  });

  it('ZIP64 end records, duplicate names, local-header name mismatch and a second .pkl', async () => {
    const evil = pickleBytes([0x80, 2], 'cos\nsystem\n', sbu('id'), 0x85, 'R.');
    const file = tmp.write(
      'tricky.pt',
      zipBytes(
        [
          { name: 'a/data.pkl', data: pickleBytes([0x80, 2], '}.') },
          { name: 'a/data.pkl', data: evil },
          { name: 'a/extra.pkl', data: evil, localName: 'a/other.pkl' },
        ],
        { zip64: true },
      ),
    );
    const r = await scanTorchFile(file);
    expect(r.verdict).toBe('dangerous');
    expect(r.pickles.map((p) => [p.member, p.verdict])).toEqual([
      ['a/data.pkl', 'safe'],
      ['a/data.pkl', 'dangerous'],
      ['a/extra.pkl', 'dangerous'],
    ]);
    expect(r.problems).toEqual([
      'zip has two entries named "a/data.pkl": tools disagree on which one they read',
    ]);
    expect(r.findings.map((f) => f.what)).toContain(
      'zip entry "a/extra.pkl" is named "a/other.pkl" in its local header',
    );
  });

  it('a .pkl member that is not a pickle makes the verdict not analysed, not safe', async () => {
    const r = await scanTorchFile(
      tmp.write('garbage.pt', zipBytes([{ name: 'm/data.pkl', data: Buffer.from('hello') }])),
    );
    expect(r.verdict).toBe('not-analysed');
    expect(r.pickles).toEqual([]);
    expect(r.findings.map((f) => [f.what, f.where])).toEqual([
      [
        'member "m/data.pkl" does not start like a pickle (first byte 0x68): not a pickle',
        'member "m/data.pkl"',
      ],
    ]);
  });

  it('a zip without pickles and a tar are named errors for the torch reader (detect.ts reads tars)', async () => {
    expect(
      (
        await rejection(
          scanTorchFile(tmp.write('nopkl.pt', zipBytes([{ name: 'x.txt', data: Buffer.from('hi') }]))),
        )
      ).message,
    ).toMatch(/no pickle member: not a PyTorch checkpoint/);
    const tar = Buffer.alloc(1024);
    tar.write('ustar', 257, 'latin1');
    expect((await rejection(scanTorchFile(tmp.write('old.tar.pt', tar)))).message).toMatch(
      /neither a zip archive nor a pickle/,
    );
  });
});
