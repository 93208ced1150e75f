/**
 * How each Jinja construct found by indicators.ts weighs on the verdict ladder. Constructs that
 * reach Python internals or the OS from a template are sandbox escapes (`dangerous`: that is how
 * CVE-2024-34359 ran commands from a GGUF chat template); constructs that only walk object
 * attributes or read request/config state are template injection that an honest chat template
 * has no use for (`suspicious`).
 */
export const TEMPLATE_RULES: Readonly<Record<string, 'dangerous' | 'suspicious'>> = {
  __class__: 'suspicious',
  __globals__: 'dangerous',
  __builtins__: 'dangerous',
  __subclasses__: 'dangerous',
  __import__: 'dangerous',
  __mro__: 'dangerous',
  __base__: 'dangerous',
  __init__: 'suspicious',
  __dict__: 'suspicious',
  __getattribute__: 'dangerous',
  __code__: 'dangerous',
  __reduce__: 'dangerous',
  'namespace.__init__': 'dangerous',
  'self.__': 'suspicious',
  cycler: 'suspicious',
  joiner: 'suspicious',
  lipsum: 'suspicious',
  'os.': 'dangerous',
  popen: 'dangerous',
  '.system(': 'dangerous',
  subprocess: 'dangerous',
  'eval(': 'dangerous',
  'exec(': 'dangerous',
  getattr: 'suspicious',
  '|attr(': 'suspicious',
  'escaped underscore': 'suspicious',
  'request.': 'suspicious',
  'config.': 'suspicious',
};
