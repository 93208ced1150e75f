/**
 * The pickle attacks that used to come out `safe`: each pickle is built here byte by byte, and each
 * assertion names the construct the scanner must report.
 */
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { scanPickle, classifyGlobal, type PickleScanReport } from './pickle.ts';
import { SCANNER_RULES } from './rules.ts';
import { pickleBytes, sbu, scratch } from './testkit.ts';

const tmp = scratch();
afterAll(() => tmp.cleanup());

const scan = (name: string, ...parts: Parameters<typeof pickleBytes>): Promise<PickleScanReport> =>
  scanPickle(tmp.write(name, pickleBytes(...parts)));
const whats = (r: PickleScanReport): string[] => r.findings.map((f) => `${f.level}: ${f.what}`);

/** FRAME with an 8-byte little-endian length. */
function frame(n: number): Buffer {
  const b = Buffer.alloc(9);
  b[0] = 0x95;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
}

/** SHORT_BINBYTES / BINBYTES for a payload. */
function bytesOp(data: Buffer): Buffer {
  if (data.length < 256) return Buffer.concat([Buffer.from([0x43, data.length]), data]);
  const h = Buffer.alloc(5);
  h[0] = 0x42;
  h.writeUInt32LE(data.length, 1);
  return Buffer.concat([h, data]);
}

/** BINUNICODE for a string of any length. */
function binunicode(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const h = Buffer.alloc(5);
  h[0] = 0x58;
  h.writeUInt32LE(b.length, 1);
  return Buffer.concat([h, b]);
}

/** The payload every nesting test hides: os.system('id') at protocol 2. */
const INNER = pickleBytes([0x80, 2], 'cos\nsystem\n', 'X', [2, 0, 0, 0], 'id', 0x85, 'R.');

describe('structure an honest Pickler never writes', () => {
  it('a benign container pickle is safe, and names its rule set', async () => {
    const r = await scan('ok.pkl', [0x80, 4], frame(9), '}', 0x94, sbu('a'), 'K', 1, 's.');
    expect(r.verdict).toBe('safe');
    expect(r.findings).toEqual([]);
    expect(r.rules).toEqual(SCANNER_RULES);
  });

  it('an opcode straddling the end of its frame', async () => {
    // The frame claims 3 bytes; SHORT_BINUNICODE "abcd" (6 bytes) starts inside it and ends outside.
    const r = await scan('straddle.pkl', [0x80, 4], frame(3), sbu('abcd'), '.');
    expect(r.verdict).toBe('suspicious');
    expect(whats(r).join('\n')).toMatch(/SHORT_BINUNICODE straddles the end of its frame at offset 14/);
  });

  it('a frame that begins before the previous one ends (diverging frames)', async () => {
    const r = await scan('diverge.pkl', [0x80, 4], frame(30), 'N', frame(2), 'N.', 'N'.repeat(18));
    expect(r.verdict).toBe('suspicious');
    expect(whats(r).join('\n')).toMatch(/FRAME begins before the previous frame ends at offset 41/);
  });

  it('a tuple without its MARK', async () => {
    const r = await scan('nomark.pkl', [0x80, 2], 'NNt.');
    expect(r.verdict).toBe('suspicious');
    expect(whats(r).join('\n')).toMatch(/TUPLE \(no MARK\) pops an empty stack or a missing MARK/);
  });

  it('a duplicate PROTO', async () => {
    const r = await scan('proto2.pkl', [0x80, 2], [0x80, 2], 'N.');
    expect(r.verdict).toBe('suspicious');
    expect(whats(r)).toContain('suspicious: duplicate PROTO 2 (the Pickler writes one, first)');
  });

  it('memo and DUP growth is bounded and reported', async () => {
    const dups = await scan('dup.pkl', [0x80, 2], 'N', Buffer.alloc(50_000, 0x32), '0'.repeat(50_000), '.');
    expect(dups.verdict).toBe('suspicious');
    expect(whats(dups)).toContain(
      'suspicious: 50,000 DUP opcode(s): the Pickler never writes DUP (stack growth without a memo)',
    );
    const reuse = await scan('memo.pkl', [0x80, 2], 'N', [0x71, 0], [0x71, 0], '.');
    expect(whats(reuse)).toContain('suspicious: memo key 0 is stored twice (the Pickler never reuses a key)');
  });

  it('impossible structures: SETITEM on a tuple, APPEND to a string, BUILD rewriting a module', async () => {
    const setitem = await scan('setitem.pkl', [0x80, 2], ')', 'NNs.');
    expect(whats(setitem).join('\n')).toMatch(/SETITEM on \(\): impossible structure/);
    const append = await scan('append.pkl', [0x80, 4], sbu('x'), 'Na.');
    expect(whats(append).join('\n')).toMatch(/APPEND to "x": impossible structure/);
    // sys_module_override: BUILD a dict of attributes onto the torch._utils module itself.
    const build = await scan(
      'build.pkl',
      [0x80, 4],
      sbu('torch'),
      sbu('_utils'),
      0x93,
      '}',
      sbu('x'),
      'Nsb.',
    );
    expect(build.verdict).toBe('dangerous');
    expect(whats(build).join('\n')).toMatch(/BUILD sets attributes on the imported torch\._utils itself/);
  });
});

describe('pickles inside pickles', () => {
  it('raw bytes: the inner os.system is found, with the nesting path', async () => {
    const r = await scan('nested-bytes.pkl', [0x80, 4], bytesOp(INNER), '.');
    expect(r.verdict).toBe('dangerous');
    const f = r.findings.find((x) => x.level === 'dangerous');
    expect(f?.what).toMatch(/^os\.system: os: /);
    expect(f?.where).toBe('offset 2 SHORT_BINBYTES, offset 2');
    expect(r.pickles.map((p) => p.nesting)).toEqual([null, 'offset 2 SHORT_BINBYTES']);
  });

  it('base64 text decoded at load time', async () => {
    const r = await scan(
      'nested-b64.pkl',
      [0x80, 4],
      'cbase64\nb64decode\n',
      binunicode(INNER.toString('base64')),
      0x85,
      'R.',
    );
    expect(r.verdict).toBe('dangerous');
    expect(r.pickles[1]?.nesting).toBe('offset 20 BINUNICODE → base64');
    expect(r.pickles[1]?.globals.map((g) => `${g.module}.${g.name}`)).toEqual(['os.system']);
  });

  it('hex text', async () => {
    const r = await scan('nested-hex.pkl', [0x80, 4], binunicode(INNER.toString('hex')), '.');
    expect(r.verdict).toBe('dangerous');
    expect(r.pickles[1]?.nesting).toBe('offset 2 BINUNICODE → hex');
  });

  it('zlib-compressed bytes, and base64 of zlib', async () => {
    const z = await scan('nested-zlib.pkl', [0x80, 4], bytesOp(deflateSync(INNER)), '.');
    expect(z.verdict).toBe('dangerous');
    expect(z.pickles[1]?.nesting).toBe('offset 2 SHORT_BINBYTES → zlib');
    const bz = await scan(
      'nested-b64z.pkl',
      [0x80, 4],
      binunicode(deflateSync(INNER).toString('base64')),
      '.',
    );
    expect(bz.verdict).toBe('dangerous');
    expect(bz.pickles[1]?.nesting).toBe('offset 2 BINUNICODE → base64 → zlib');
  });

  it('two levels deep: a pickle holding a pickle holding os.system', async () => {
    const middle = pickleBytes([0x80, 4], bytesOp(INNER), '.');
    const r = await scan('nested-2.pkl', [0x80, 4], binunicode(middle.toString('base64')), '.');
    expect(r.verdict).toBe('dangerous');
    expect(r.pickles.map((p) => p.nesting)).toEqual([
      null,
      'offset 2 BINUNICODE → base64',
      'offset 2 BINUNICODE → base64, offset 2 SHORT_BINBYTES',
    ]);
  });

  it('nested pickles compound no further than a per-file budget', async () => {
    const middle = pickleBytes([0x80, 4], ...Array.from({ length: 64 }, () => bytesOp(INNER)), '.');
    const started = performance.now();
    const r = await scan('fan-out.pkl', [0x80, 4], ...Array.from({ length: 64 }, () => bytesOp(middle)), '.');
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(r.verdict).toBe('dangerous');
    expect(r.pickles.length).toBe(1 + 256);
    expect(whats(r)).toContain(
      'suspicious: more than 256 embedded pickles: this one and the rest were not analysed',
    );
  });

  it('ordinary bytes and text stay data', async () => {
    const r = await scan(
      'plain.pkl',
      [0x80, 4],
      bytesOp(Buffer.from('just some bytes here')),
      binunicode('aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ='),
      0x86,
      '.',
    );
    expect(r.verdict).toBe('safe');
    expect(r.pickles).toHaveLength(1);
  });
});

describe('text arguments of any length', () => {
  const long = 'A'.repeat(70_000);

  it('a UNICODE argument longer than 64 KiB is read to its end and os.system after it is found', async () => {
    const r = await scan('long-unicode.pkl', `V${long}\n`, 'p0\n0', "cos\nsystem\n(S'id'\ntR.");
    expect(r.verdict).toBe('dangerous');
    expect(r.pickles[0]?.complete).toBe(true);
    expect(r.pickles[0]?.calls).toEqual([
      { offset: 70_025, opcode: 'REDUCE', target: 'os.system', args: ['"id"'] },
    ]);
  });

  it('a STRING argument longer than 64 KiB, likewise', async () => {
    const r = await scan('long-string.pkl', `S'${long}'\n`, '0', 'cposix\nsystem\n(Vid\ntR.');
    expect(r.verdict).toBe('dangerous');
    expect(r.imports.map((i) => i.ref)).toEqual(['posix.system']);
  });
});

describe('dotted names resolved in full', () => {
  it('pathlib + os.system reaches os.system', async () => {
    const r = await scan(
      'dotted.pkl',
      [0x80, 4],
      sbu('pathlib'),
      sbu('os.system'),
      0x93,
      sbu('id'),
      0x85,
      'R.',
    );
    expect(r.verdict).toBe('dangerous');
    expect(r.pickles[0]?.globals[0]).toMatchObject({
      module: 'pathlib',
      name: 'os.system',
      classification: 'dangerous',
      capability: 'process',
      reason: expect.stringMatching(/^reaches os\.system through pathlib\.os\.system: os: /),
    });
  });

  it('the whole name, each tail, and builtins reached through __builtins__', () => {
    expect(classifyGlobal('torch.serialization', 'os.system').classification).toBe('dangerous');
    expect(classifyGlobal('mypkg', '__builtins__.eval').classification).toBe('dangerous');
    expect(classifyGlobal('mypkg', 'subprocess.Popen').capability).toBe('process');
    // A method called eval on an ordinary class is not builtins.eval.
    expect(classifyGlobal('torch.nn.modules.module', 'Module.eval').classification).toBe('unknown');
  });

  it('gadgets from the peers’ lists carry their capability', () => {
    const cases: [string, string, string][] = [
      ['idlelib.pyshell', 'ModifiedInterpreter.runcode', 'code-exec'],
      ['lib2to3.pgen2.grammar', 'Grammar.loads', 'code-exec'],
      ['doctest', 'debug_script', 'code-exec'],
      ['torch.utils.collect_env', 'run', 'process'],
      ['torch._dynamo.guards', 'GuardBuilder.get', 'code-exec'],
      ['torch.fx.experimental.symbolic_shapes', 'ShapeEnv.evaluate_guards_expression', 'code-exec'],
      ['torch._inductor.codecache', 'compile_file', 'process'],
      ['torch.hub', 'load', 'network'],
      ['torch.jit', 'load', 'code-exec'],
      ['uuid', '_get_command_stdout', 'process'],
      ['_aix_support', '_read_cmd_output', 'process'],
      ['_osx_support', '_read_output', 'process'],
      ['imaplib', 'IMAP4_stream', 'process'],
      ['poplib', 'POP3', 'network'],
      ['nntplib', 'NNTP', 'network'],
      ['_pyrepl.pager', 'pipe_pager', 'process'],
      ['test.support.script_helper', 'assert_python_ok', 'process'],
      ['logging', 'FileHandler', 'file'],
      ['aiohttp.client', 'ClientSession', 'network'],
      ['_xxsubinterpreters', 'run_string', 'code-exec'],
      ['_interpreters', 'exec', 'code-exec'],
      ['ast', 'parse', 'code-exec'],
      ['runpy', 'run_path', 'import'],
      ['webbrowser', 'open', 'process'],
      ['pip', 'main', 'import'],
      ['shutil', 'rmtree', 'file'],
      ['socket', 'create_connection', 'network'],
    ];
    for (const [m, n, cap] of cases) expect([m, n, classifyGlobal(m, n).capability]).toEqual([m, n, cap]);
    expect(classifyGlobal('uuid', 'UUID').classification).toBe('safe');
    expect(classifyGlobal('logging', 'getLogger').classification).toBe('unknown');
  });
});

describe('the rule set is versioned', () => {
  it('the digest covers the danger table, the allowlist, the template rules and the parser versions', async () => {
    const { createHash } = await import('node:crypto');
    const { canonicalJson } = await import('../util/canonical-json.ts');
    const { DANGER_TABLE, ALLOWLIST, PY2_MODULES } = await import('./danger.ts');
    const { TEMPLATE_RULES } = await import('./template-rules.ts');
    const { PARSER_VERSIONS } = await import('./rules.ts');
    const { TF_OP_REGISTRY } = await import('./tf-ops.ts');
    const body = {
      version: SCANNER_RULES.version,
      danger: DANGER_TABLE,
      allow: [...ALLOWLIST].sort(),
      py2: PY2_MODULES,
      templates: TEMPLATE_RULES,
      tfOps: TF_OP_REGISTRY,
      parsers: PARSER_VERSIONS,
    };
    expect(SCANNER_RULES.digest).toBe(createHash('sha256').update(canonicalJson(body)).digest('hex'));
    const changed = {
      ...body,
      danger: { ...DANGER_TABLE, 'mypkg.evil': { capability: 'process', why: 'x' } },
    };
    expect(createHash('sha256').update(canonicalJson(changed)).digest('hex')).not.toBe(SCANNER_RULES.digest);
    // The TensorFlow op registry is part of the rules: one more op changes the digest.
    const moreOps = { ...body, tfOps: [...TF_OP_REGISTRY, 'MyCustomOp'] };
    expect(createHash('sha256').update(canonicalJson(moreOps)).digest('hex')).not.toBe(SCANNER_RULES.digest);
    expect(SCANNER_RULES.version).toMatch(/^\d{4}\.\d{2}-\d+$/);
  });
});
