/**
 * Every container and format the scanner reads, each file built here byte by byte, judged by
 * `inspectArtifact` on the verdict ladder: kinds come from content (a pickle called data.txt, a
 * protocol-0 pickle called model.dat), archives Probity cannot open are `not-analysed` with the
 * reason, and what runs code is `dangerous` with where it is.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectArtifact, type Artifact } from './detect.ts';
import { SCANNER_RULES } from './rules.ts';
import {
  hdf5,
  npy,
  pbInt,
  pbLen,
  pickleBytes,
  safetensorsBytes,
  sbu,
  scratch,
  sevenZip,
  tar,
  varint,
  zipBytes,
} from './testkit.ts';

const tmp = scratch();
afterAll(() => tmp.cleanup());

const inspect = (name: string, data: Buffer | string): Promise<Artifact> =>
  inspectArtifact(tmp.write(name, data));
const findings = (a: Artifact): string[] =>
  a.scan.findings.map((f) => `${f.level}: ${f.what}${f.where ? ` @ ${f.where}` : ''}`);

const EVIL = pickleBytes([0x80, 4], sbu('os'), sbu('system'), 0x93, sbu('id'), 0x85, 'R.');
const BENIGN = pickleBytes([0x80, 4], '}', sbu('a'), 'K', 1, 's.');

const LAMBDA_CONFIG = JSON.stringify({
  class_name: 'Sequential',
  config: {
    name: 'seq',
    layers: [
      { class_name: 'Dense', config: { name: 'd', units: 2 }, module: 'keras.layers' },
      {
        class_name: 'Lambda',
        config: { name: 'evil', function: { class_name: '__lambda__', config: { code: 'YmFzZTY0' } } },
        module: 'keras.layers',
      },
    ],
  },
});

describe('pickles by content, under any name', () => {
  it('a protocol-0 pickle named model.dat', async () => {
    const a = await inspect('model.dat', "cposix\nsystem\n(S'id'\ntR.");
    expect(a.kind).toBe('pickle');
    expect(a.scan.level).toBe('dangerous');
    expect(a.scan.rules).toEqual(SCANNER_RULES);
  });

  it('a pickle stored in a zip as data.txt, next to a benign data.pkl', async () => {
    const a = await inspect(
      'archive.zip',
      zipBytes([
        { name: 'm/data.pkl', data: BENIGN },
        { name: 'm/data.txt', data: EVIL, deflate: true },
      ]),
    );
    expect(a.scan.level).toBe('dangerous');
    expect(findings(a)).toContain(
      'suspicious: member "m/data.txt" holds a pickle under a name that does not say so',
    );
    expect(
      findings(a).some((f) => f.startsWith('dangerous: os.system') && f.includes('member "m/data.txt"')),
    ).toBe(true);
  });

  it('a zip with nothing Probity scans is not analysed, with the reason', async () => {
    const a = await inspect('notes.zip', zipBytes([{ name: 'a.txt', data: Buffer.from('hello') }]));
    expect(a.scan.level).toBe('not-analysed');
    expect(findings(a)[0]).toMatch(/zip archive with 1 members, none of them a pickle/);
  });
});

describe('NumPy', () => {
  it('a numeric .npy is safe; an object .npy is its pickle', async () => {
    const ok = await inspect('a.npy', npy('<i8', '(2,)', Buffer.alloc(16)));
    expect([ok.kind, ok.scan.level]).toEqual(['numpy', 'safe']);
    const evil = await inspect('b.bin', npy('|O', '(1,)', EVIL));
    expect(evil.kind).toBe('numpy');
    expect(evil.scan.level).toBe('dangerous');
    expect(findings(evil).join('\n')).toMatch(/os\.system.*object-array pickle/);
  });

  it('an .npz with an object member; a size that does not match the shape', async () => {
    const a = await inspect(
      'arrays.npz',
      zipBytes([
        { name: 'x.npy', data: npy('<f4', '(2, 2)', Buffer.alloc(16)), deflate: true },
        { name: 'y.npy', data: npy('|O', '(1,)', EVIL) },
      ]),
    );
    expect(a.kind).toBe('numpy');
    expect(a.scan.level).toBe('dangerous');
    const short = await inspect('short.npy', npy('<f8', '(4,)', Buffer.alloc(8)));
    expect(short.scan.level).toBe('suspicious');
    expect(findings(short)[0]).toMatch(/needs 32 bytes but 8 follow the header/);
  });
});

describe('archives', () => {
  it('tar: a pickle member is scanned (also the pre-0.4 torch.save layout)', async () => {
    const a = await inspect(
      'old.tar',
      tar([
        { name: 'sys_info', data: BENIGN },
        { name: 'pickle', data: EVIL },
      ]),
    );
    expect(a.kind).toBe('archive');
    expect(a.scan.level).toBe('dangerous');
    expect(findings(a).join('\n')).toMatch(/os\.system.*member "pickle"/);
  });

  it('7z: never safe; a pickle stored uncompressed in its packed stream is still found', async () => {
    const raw = await inspect('a.7z', sevenZip(EVIL));
    expect(raw.scan.level).toBe('dangerous');
    expect(findings(raw)).toContain(
      'not-analysed: 7z archive with an LZMA-compressed header: Probity does not decompress 7z, so its file list was not read',
    );
    // LZMA2 uncompressed chunk: control 1, size − 1 (big-endian), data, end marker 0.
    const chunk = Buffer.concat([Buffer.from([1, 0, EVIL.length - 1]), EVIL, Buffer.from([0])]);
    expect((await inspect('b.7z', sevenZip(chunk))).scan.level).toBe('dangerous');
    const other = await inspect('c.7z', sevenZip(Buffer.from([0x5d, 0, 0, 1, 0, 9, 9, 9])));
    expect(other.scan.level).toBe('not-analysed');
  });

  it('gzip is decompressed and its pickle scanned; bzip2 and friends are not analysed, with the reason', async () => {
    const g = await inspect('model.pkl.gz', gzipSync(EVIL));
    expect(g.scan.level).toBe('dangerous');
    expect(findings(g).join('\n')).toMatch(/os\.system.*gzip content/);
    const ok = await inspect('model.pkl.gz', gzipSync(BENIGN));
    expect(ok.scan.level).toBe('safe');
    const b = await inspect(
      'model.pkl.bz2',
      Buffer.concat([Buffer.from('BZh91AY&SY', 'latin1'), Buffer.alloc(32, 1)]),
    );
    expect(b.scan.level).toBe('not-analysed');
    expect(findings(b)).toEqual([
      'not-analysed: bzip2 stream: Probity does not decompress bzip2, its content was not read',
    ]);
  });
});

describe('Keras', () => {
  it('.keras: a Lambda layer is dangerous, a custom object suspicious', async () => {
    const a = await inspect(
      'model.keras',
      zipBytes([
        { name: 'metadata.json', data: Buffer.from('{"keras_version": "3.3.3"}') },
        { name: 'config.json', data: Buffer.from(LAMBDA_CONFIG), deflate: true },
        { name: 'model.weights.h5', data: Buffer.alloc(8) },
      ]),
    );
    expect(a.kind).toBe('keras');
    expect(a.scan.level).toBe('dangerous');
    expect(findings(a).join('\n')).toMatch(/Lambda layer "evil" runs marshalled Python bytecode/);
    const custom = await inspect(
      'custom.keras',
      zipBytes([
        { name: 'metadata.json', data: Buffer.from('{}') },
        {
          name: 'config.json',
          data: Buffer.from(
            '{"class_name":"Functional","config":{"layers":[{"class_name":"MyLayer","module":"evilpkg.layers","config":{"name":"x"}}]}}',
          ),
        },
      ]),
    );
    expect(custom.scan.level).toBe('suspicious');
    const os = await inspect(
      'os.keras',
      zipBytes([
        { name: 'metadata.json', data: Buffer.from('{}') },
        {
          name: 'config.json',
          data: Buffer.from('{"class_name":"system","module":"os","config":{"name":"x"}}'),
        },
      ]),
    );
    expect(os.scan.level).toBe('dangerous');
  });

  it('.h5: model_config and keras_version read from the HDF5 root attributes', async () => {
    const a = await inspect('model.h5', hdf5({ keras_version: '2.15.0', model_config: LAMBDA_CONFIG }));
    expect(a.kind).toBe('keras');
    expect(a.kind === 'keras' && a.result.kerasVersion).toBe('2.15.0');
    expect(a.scan.level).toBe('dangerous');
    const plain = await inspect(
      'plain.h5',
      hdf5({
        keras_version: '2.15.0',
        model_config:
          '{"class_name":"Sequential","config":{"layers":[{"class_name":"Dense","config":{"name":"d"}}]}}',
      }),
    );
    expect(plain.scan.level).toBe('safe');
    // h5py stores a Python str as a variable-length string in the global heap.
    const vlen = await inspect(
      'vlen.h5',
      hdf5({ keras_version: '3.3.3', model_config: LAMBDA_CONFIG }, { vlen: true }),
    );
    expect(vlen.kind === 'keras' && vlen.result.kerasVersion).toBe('3.3.3');
    expect(vlen.scan.level).toBe('dangerous');
    expect(findings(vlen).join('\n')).toMatch(/Lambda layer "evil"/);
  });
});

describe('protocol-buffer models', () => {
  const node = (name: string, op: string): Buffer => pbLen(1, Buffer.concat([pbLen(1, name), pbLen(2, op)]));

  it('SavedModel: PyFunc in a library function, a custom op, and the ordinary saver', async () => {
    const fn = pbLen(
      1,
      Buffer.concat([
        pbLen(1, pbLen(1, '__inference_f')),
        pbLen(3, Buffer.concat([pbLen(1, 'cb'), pbLen(2, 'PyFunc')])),
      ]),
    );
    const graph = Buffer.concat([
      node('save', 'SaveV2'),
      node('restore', 'RestoreV2'),
      node('x', 'Addons>Custom'),
      pbLen(2, fn),
    ]);
    const meta = Buffer.concat([pbLen(1, pbLen(4, 'serve')), pbLen(2, graph)]);
    const a = await inspect('saved_model.pb', Buffer.concat([pbInt(1, 1), pbLen(2, meta)]));
    expect(a.kind).toBe('saved-model');
    expect(a.scan.level).toBe('dangerous');
    expect(findings(a)).toContain(
      'dangerous: op PyFunc: calls back into a Python function at run time @ meta graph 1, function "__inference_f", node "cb"',
    );
    expect(findings(a).join('\n')).toMatch(/op "Addons>Custom" is not a standard TensorFlow op/);
  });

  const savedModel = (nodes: Buffer[], library: Buffer[] = []): Buffer => {
    const graph = Buffer.concat([...nodes, ...library.map((f) => pbLen(2, f))]);
    const meta = Buffer.concat([pbLen(1, pbLen(4, 'serve')), pbLen(2, graph)]);
    return Buffer.concat([pbInt(1, 1), pbLen(2, meta)]);
  };
  const KERAS_LIKE = [
    ['x', 'Placeholder'],
    ['w', 'VarHandleOp'],
    ['r', 'ReadVariableOp'],
    ['m', 'MatMul'],
    ['b', 'BiasAdd'],
    ['a', 'Relu'],
    ['call', 'StatefulPartitionedCall'],
    ['k', 'StatelessRandomGetKeyCounter'],
    ['save', 'SaveV2'],
    ['restore', 'RestoreV2'],
    ['merge', 'MergeV2Checkpoints'],
    ['c', 'Const'],
  ];

  it('SavedModel: a graph of standard registry ops only is safe', async () => {
    const a = await inspect('saved_model.pb', savedModel(KERAS_LIKE.map(([n, op]) => node(n!, op!))));
    expect(findings(a)).toEqual([]);
    expect(a.scan.level).toBe('safe');
  });

  it('SavedModel: a made-up CamelCase op is suspicious and named (a naming rule would pass it)', async () => {
    const nodes = [...KERAS_LIKE, ['evil', 'FastGeluFused']].map(([n, op]) => node(n!, op!));
    const a = await inspect('saved_model.pb', savedModel(nodes));
    expect(a.scan.level).toBe('suspicious');
    expect(findings(a)).toEqual([
      expect.stringMatching(
        /^suspicious: op "FastGeluFused" is not a standard TensorFlow op .* @ meta graph 1, node "evil"$/,
      ),
    ]);
    // Case matters: the registry has "MatMul", not "Matmul".
    const b = await inspect('saved_model.pb', savedModel([node('m', 'Matmul')]));
    expect(findings(b).join('\n')).toMatch(/op "Matmul" is not a standard TensorFlow op/);
  });

  it('SavedModel: a node calling a function of the graph library by name is not a custom op', async () => {
    const fn = pbLen(
      1,
      Buffer.concat([
        pbLen(1, pbLen(1, '__inference_dense_12')),
        pbLen(3, Buffer.concat([pbLen(1, 'm'), pbLen(2, 'MatMul')])),
      ]),
    );
    const ok = await inspect('saved_model.pb', savedModel([node('f', '__inference_dense_12')], [fn]));
    expect(findings(ok)).toEqual([]);
    // The same name without that function in the library is a custom op.
    const bad = await inspect('saved_model.pb', savedModel([node('f', '__inference_dense_12')]));
    expect(bad.scan.level).toBe('suspicious');
  });

  it('SavedModel: PyFunc, EagerPyFunc and WriteFile stay dangerous although they are registry ops', async () => {
    for (const op of ['PyFunc', 'EagerPyFunc', 'WriteFile']) {
      const a = await inspect('saved_model.pb', savedModel([node('n', op)]));
      expect(a.scan.level, op).toBe('dangerous');
    }
  });

  it('ONNX: external data outside the model folder, and a custom domain', async () => {
    const ext = pbLen(13, Buffer.concat([pbLen(1, 'location'), pbLen(2, '../../etc/passwd')]));
    const init = pbLen(5, Buffer.concat([pbLen(8, 'w'), ext, pbInt(14, 1)]));
    const n = pbLen(1, Buffer.concat([pbLen(3, 'n0'), pbLen(4, 'Evil'), pbLen(7, 'com.attacker')]));
    const model = Buffer.concat([
      pbInt(1, 8),
      pbLen(2, 'test'),
      pbLen(7, Buffer.concat([n, init])),
      pbLen(8, Buffer.concat([pbLen(1, ''), pbInt(2, 17)])),
    ]);
    const a = await inspect('model.onnx', model);
    expect(a.kind).toBe('onnx');
    expect(a.scan.level).toBe('dangerous');
    expect(findings(a).join('\n')).toMatch(/initializer "w" reads external data from "..\/..\/etc\/passwd"/);
    expect(findings(a).join('\n')).toMatch(/custom domain "com.attacker"/);
    const clean = Buffer.concat([pbInt(1, 8), pbLen(7, pbLen(1, pbLen(4, 'Relu'))), pbLen(8, pbInt(2, 17))]);
    expect((await inspect('clean.onnx', clean)).scan.level).toBe('safe');
  });
});

describe('templates and metadata', () => {
  it('.j2 / .template files: sandbox escapes dangerous, attribute walks suspicious', async () => {
    const a = await inspect('chat.j2', "{{ cycler.__init__.__globals__.os.popen('id').read() }}");
    expect(a.scan.level).toBe('dangerous');
    expect(findings(a).join('\n')).toMatch(/"__globals__": Jinja sandbox escape/);
    const b = await inspect('x.template', '{{ message.__class__ }}');
    expect(b.scan.level).toBe('suspicious');
    expect(
      (await inspect('ok.jinja', "{% for m in messages %}{{ m['content'] }}{% endfor %}")).scan.level,
    ).toBe('safe');
  });

  it('YAML: only the Jinja blocks are read', async () => {
    const a = await inspect(
      'serve.yaml',
      'name: os.system is fine in prose\nprompt: "{{ \'\'.__class__.__mro__[1].__subclasses__() }}"\n',
    );
    expect(a.kind).toBe('template-config');
    expect(a.scan.level).toBe('dangerous');
    expect((await inspect('plain.yml', 'name: os.system mentioned in prose\n')).scan.level).toBe('safe');
  });

  it('tokenizer_config chat_template', async () => {
    const a = await inspect(
      'tokenizer_config.json',
      JSON.stringify({ eos_token: '</s>', chat_template: '{{ self.__init__.__globals__.__builtins__ }}' }),
    );
    expect(a.scan.level).toBe('dangerous');
  });

  it('safetensors metadata holding only URLs is flagged', async () => {
    const st = (meta: Record<string, string>): Buffer =>
      safetensorsBytes({ __metadata__: meta, w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 4);
    const a = await inspect('m.safetensors', st({ weights: 'https://example.invalid/real.bin' }));
    expect(a.scan.level).toBe('suspicious');
    expect(findings(a)[0]).toMatch(/metadata holds only URLs \(weights\)/);
    expect((await inspect('n.safetensors', st({ format: 'pt' }))).scan.level).toBe('safe');
  });

  it('an unrecognised file is not analysed, never safe', async () => {
    const a = await inspect('blob.xyz', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(a.scan.level).toBe('not-analysed');
    expect(findings(a)[0]).toMatch(/^not-analysed: unsupported: content matches no format/);
  });
});

describe('hostile lengths give named errors, not crashes', () => {
  it('npy header length, HDF5 addresses, protobuf lengths, 7z header offsets', async () => {
    const npyBad = npy('<i8', '(1,)', Buffer.alloc(8));
    npyBad.writeUInt16LE(0xffff, 8);
    await expect(inspect('bad.npy', npyBad)).rejects.toThrow(/header length 65,535 passes the end/);
    const h = hdf5({ a: 'b' });
    h.writeBigUInt64LE(1n << 40n, 64);
    await expect(inspect('bad.h5', h)).rejects.toThrow(/passes the end of the file/);
    await expect(
      inspect('bad.onnx', Buffer.concat([pbInt(1, 8), varint(7 * 8 + 2), varint(1 << 30)])),
    ).rejects.toThrow(/passes its message/);
    const s7 = sevenZip(EVIL);
    s7.writeBigUInt64LE(1n << 50n, 12);
    expect(findings(await inspect('bad.7z', s7))[0]).toMatch(/next header .* passes the end of the file/);
  });
});
