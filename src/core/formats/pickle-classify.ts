/**
 * Classification of the globals a pickle imports.
 *
 * Unpickling resolves every GLOBAL / STACK_GLOBAL / INST with `find_class(module, name)`, i.e.
 * `getattr(__import__(module), name)` where `name` may be dotted (protocol 4 qualified names), and
 * REDUCE / NEWOBJ / OBJ / INST / BUILD then call or mutate what was imported. So the imports are
 * the whole attack surface: a pickle that imports only tensor-rebuild helpers and containers cannot
 * run code, one that imports `os.system` or `builtins.eval` can.
 *
 * `safe` is the short allowlist of what `torch.save` and numpy write for plain tensors and
 * containers (close to PyTorch's `weights_only` allowlist); `dangerous` is the list of modules and
 * callables that execute code, spawn processes, touch the network or the filesystem, or unpickle
 * again; everything else (a training script's own classes, transformers' TrainingArguments…) is
 * `unknown` — not proof of harm, but it needs that package installed and runs its code.
 */

export type PickleClassification = 'safe' | 'dangerous' | 'unknown';

const STORAGE_TYPES = [
  'Float',
  'Double',
  'Half',
  'BFloat16',
  'Long',
  'Int',
  'Short',
  'Char',
  'Byte',
  'Bool',
  'ComplexFloat',
  'ComplexDouble',
  'QUInt8',
  'QInt8',
  'QInt32',
  'QUInt4x2',
  'QUInt2x4',
  'Untyped',
];
const TORCH_DTYPES = [
  'float32',
  'float',
  'float64',
  'double',
  'float16',
  'half',
  'bfloat16',
  'int8',
  'uint8',
  'int16',
  'short',
  'int32',
  'int',
  'int64',
  'long',
  'bool',
  'complex32',
  'chalf',
  'complex64',
  'cfloat',
  'complex128',
  'cdouble',
  'uint16',
  'uint32',
  'uint64',
  'qint8',
  'quint8',
  'qint32',
  'quint4x2',
  'quint2x4',
  'float8_e4m3fn',
  'float8_e5m2',
  'float8_e4m3fnuz',
  'float8_e5m2fnuz',
  'float8_e8m0fnu',
  'strided',
  'sparse_coo',
  'sparse_csr',
  'sparse_csc',
  'sparse_bsr',
  'sparse_bsc',
  '_mkldnn',
  'contiguous_format',
  'channels_last',
  'channels_last_3d',
  'preserve_format',
  'per_tensor_affine',
  'per_channel_affine',
  'per_tensor_symmetric',
  'per_channel_symmetric',
  'per_channel_affine_float_qparams',
];

const SAFE = new Set<string>([
  'collections.OrderedDict',
  'collections.defaultdict',
  'collections.Counter',
  'collections.deque',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._utils._rebuild_qtensor',
  'torch._utils._rebuild_sparse_tensor',
  'torch._utils._rebuild_nested_tensor',
  'torch._utils._rebuild_device_tensor_from_numpy',
  'torch._utils._rebuild_meta_tensor_no_storage',
  'torch._tensor._rebuild_from_type_v2',
  'torch.nn.parameter.Parameter',
  'torch.Size',
  'torch.device',
  'torch.Tensor',
  'torch.storage.UntypedStorage',
  'torch.storage.TypedStorage',
  'torch.serialization._get_layout',
  ...STORAGE_TYPES.map((t) => `torch.${t}Storage`),
  ...TORCH_DTYPES.map((t) => `torch.${t}`),
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  'numpy.ndarray',
  'numpy.dtype',
  'builtins.set',
  'builtins.frozenset',
  'builtins.slice',
  'builtins.range',
  'builtins.complex',
  'builtins.bytearray',
  'builtins.bytes',
  'builtins.int',
  'builtins.float',
  'builtins.str',
  'builtins.bool',
  'builtins.tuple',
  'builtins.list',
  'builtins.dict',
  '_codecs.encode',
  'datetime.datetime',
  'datetime.date',
  'datetime.time',
  'datetime.timedelta',
  'datetime.timezone',
  'decimal.Decimal',
  'uuid.UUID',
  'argparse.Namespace',
]);

/** Whole modules (and their submodules) whose every callable is dangerous, with the reason. */
const DANGEROUS_MODULES: Readonly<Record<string, string>> = {
  os: 'operating-system access (commands, files, environment)',
  posix: 'operating-system access (os on POSIX)',
  nt: 'operating-system access (os on Windows)',
  subprocess: 'spawns processes',
  _posixsubprocess: 'spawns processes',
  _winapi: 'Windows API access',
  pty: 'spawns a shell on a pseudo-terminal',
  sys: 'interpreter internals (sys.modules, settrace…)',
  socket: 'network access',
  ssl: 'network access',
  shutil: 'filesystem operations (copy, remove trees)',
  importlib: 'imports arbitrary code',
  imp: 'imports arbitrary code',
  zipimport: 'imports arbitrary code',
  pkgutil: 'resolves and imports arbitrary names',
  runpy: 'runs modules and scripts',
  code: 'interactive interpreter / exec',
  codeop: 'compiles code',
  webbrowser: 'opens URLs',
  requests: 'network access',
  urllib: 'network access',
  urllib2: 'network access',
  urllib3: 'network access',
  http: 'network access',
  httplib: 'network access',
  ftplib: 'network access',
  smtplib: 'network access',
  telnetlib: 'network access',
  xmlrpc: 'network access',
  pickle: 'unpickles again (nested, unscanned payload)',
  _pickle: 'unpickles again (nested, unscanned payload)',
  cPickle: 'unpickles again (nested, unscanned payload)',
  dill: 'unpickles again and serialises code',
  cloudpickle: 'unpickles again and serialises code',
  marshal: 'loads raw code objects',
  shelve: 'unpickles again',
  ctypes: 'calls native code',
  _ctypes: 'calls native code',
  cffi: 'calls native code',
  multiprocessing: 'spawns processes',
  asyncio: 'spawns processes and opens connections',
  commands: 'runs shell commands (Python 2)',
  popen2: 'runs shell commands (Python 2)',
  pdb: 'debugger (runs code)',
  bdb: 'debugger (runs code)',
  timeit: 'executes code strings',
  profile: 'executes code strings',
  cProfile: 'executes code strings',
  trace: 'executes code',
  pydoc: 'runs a pager through the shell',
  signal: 'installs signal handlers',
  pip: 'installs packages',
  setuptools: 'builds and runs code',
  distutils: 'builds and runs code',
  ensurepip: 'installs packages',
  venv: 'creates environments',
  site: 'interpreter start-up hooks',
  tarfile: 'reads and extracts archives',
};

/** Individual callables that are dangerous although their module is not. */
const DANGEROUS_NAMES: Readonly<Record<string, string>> = {
  'builtins.eval': 'evaluates a code string',
  'builtins.exec': 'executes a code string',
  'builtins.execfile': 'executes a file',
  'builtins.compile': 'compiles code',
  'builtins.open': 'opens files',
  'builtins.file': 'opens files',
  'builtins.getattr': 'reaches any attribute (a gadget for everything else)',
  'builtins.setattr': 'mutates any object',
  'builtins.delattr': 'mutates any object',
  'builtins.__import__': 'imports any module',
  'builtins.input': 'reads from the terminal',
  'builtins.raw_input': 'reads from the terminal',
  'builtins.breakpoint': 'starts a debugger',
  'builtins.globals': 'exposes interpreter globals',
  'builtins.locals': 'exposes interpreter locals',
  'builtins.vars': 'exposes object internals',
  'builtins.apply': 'calls any callable (Python 2)',
  'builtins.reload': 'reloads modules',
  'builtins.help': 'runs a pager through the shell',
  'builtins.exit': 'exits the interpreter',
  'builtins.quit': 'exits the interpreter',
  'io.open': 'opens files',
  'io.FileIO': 'opens files',
  '_io.open': 'opens files',
  '_io.FileIO': 'opens files',
  'codecs.open': 'opens files',
  'types.CodeType': 'builds code objects',
  'types.FunctionType': 'builds functions from code objects',
  'types.LambdaType': 'builds functions from code objects',
  'types.MethodType': 'binds arbitrary callables',
  'types.ModuleType': 'creates modules',
  'operator.attrgetter': 'reaches any attribute, including dunders',
  'operator.methodcaller': 'calls any method by name',
  '_operator.attrgetter': 'reaches any attribute, including dunders',
  '_operator.methodcaller': 'calls any method by name',
  'torch.load': 'unpickles again (nested, unscanned payload)',
  'torch.serialization.load': 'unpickles again (nested, unscanned payload)',
  'torch.storage._load_from_bytes': 'unpickles again (nested, unscanned payload)',
  'torch.hub.load': 'downloads and runs code',
  'torch.hub.load_state_dict_from_url': 'downloads and unpickles',
  'torch.hub.download_url_to_file': 'network access',
  'torch.jit.load': 'loads TorchScript code',
  'torch.jit.unsupported_tensor_ops.execWrapper': 'executes a code string',
  'torch.utils.cpp_extension.load_inline': 'compiles and loads native code',
  'torch.utils.cpp_extension.load': 'compiles and loads native code',
  'numpy.load': 'loads files (and pickles, with allow_pickle)',
  'numpy.testing._private.utils.runstring': 'executes a code string',
  'numpy.f2py': 'compiles code',
  'pandas.read_pickle': 'unpickles again (nested, unscanned payload)',
  'pandas.io.pickle.read_pickle': 'unpickles again (nested, unscanned payload)',
  'joblib.load': 'unpickles again (nested, unscanned payload)',
};

/** Python 2 module names that pickle's fix_imports maps to Python 3 names (Lib/_compat_pickle.py). */
const PY2_MODULES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  exceptions: 'builtins',
  copy_reg: 'copyreg',
  cPickle: 'pickle',
  urllib2: 'urllib.request',
  httplib: 'http.client',
  commands: 'subprocess',
  Queue: 'queue',
  SocketServer: 'socketserver',
  UserDict: 'collections',
};

export interface GlobalVerdict {
  classification: PickleClassification;
  reason: string | null;
}

function dangerousModule(path: string): string | null {
  const first = path.split('.')[0] ?? '';
  const r = DANGEROUS_MODULES[first];
  return r ?? null;
}

function dangerousName(full: string): string | null {
  for (const [k, r] of Object.entries(DANGEROUS_NAMES)) {
    if (full === k || full.startsWith(k + '.')) return r;
  }
  return null;
}

/** Classify one imported global. `name` may be a dotted qualified name (protocol 4). */
export function classifyGlobal(module: string, name: string): GlobalVerdict {
  const mod = PY2_MODULES[module] ?? module;
  const full = `${mod}.${name}`;
  if (SAFE.has(full)) return { classification: 'safe', reason: null };
  const nameSegs = name.split('.');
  const dunder = nameSegs.find((s) => /^__\w+__$/.test(s) && s !== '__new__');
  if (nameSegs.length > 1 && dunder)
    return { classification: 'dangerous', reason: `qualified name walks through ${dunder}` };
  const byModule = dangerousModule(mod) ?? dangerousModule(module);
  if (byModule) return { classification: 'dangerous', reason: `${mod.split('.')[0]}: ${byModule}` };
  const byName = dangerousName(full) ?? dangerousName(`${module}.${name}`);
  if (byName) return { classification: 'dangerous', reason: byName };
  // Attribute traversal in a qualified name: torch.serialization + "os.system" reaches os.system.
  for (let j = 1; j < nameSegs.length; j++) {
    const tail = nameSegs.slice(j).join('.');
    const r = dangerousModule(tail) ?? dangerousName(tail) ?? dangerousName(`builtins.${tail}`);
    if (r) return { classification: 'dangerous', reason: `qualified name reaches ${tail}: ${r}` };
  }
  if (/^__\w+__$/.test(name) && mod === 'builtins')
    return { classification: 'dangerous', reason: `builtins.${name}` };
  return { classification: 'unknown', reason: null };
}
