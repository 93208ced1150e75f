/**
 * Text indicators: constructs that have no business in a chat template or a metadata string and
 * that show up in published attacks.
 *
 * Chat templates are Jinja2 programs that transformers, vLLM and llama-cpp-python render on every
 * request. A template that walks Python object internals (`''.__class__.__mro__[1].__subclasses__()`,
 * `cycler.__init__.__globals__.os.popen(...)`, `lipsum.__globals__`, `self.__init__.__globals__`)
 * escapes the sandbox — CVE-2024-34359 ("Llama Drama") in llama-cpp-python was exactly this. These
 * checks are pattern matches on the template text: they never render it.
 */
import { createHash } from 'node:crypto';

interface Indicator {
  label: string;
  re: RegExp;
}

/** Sandbox-escape constructs for Jinja2 server-side template injection, in report order. */
const SSTI_INDICATORS: readonly Indicator[] = [
  { label: '__class__', re: /__class__/ },
  { label: '__globals__', re: /__globals__/ },
  { label: '__builtins__', re: /__builtins__/ },
  { label: '__subclasses__', re: /__subclasses__/ },
  { label: '__import__', re: /__import__/ },
  { label: '__mro__', re: /__mro__/ },
  { label: '__base__', re: /__bases?__/ },
  { label: '__init__', re: /__init__/ },
  { label: '__dict__', re: /__dict__/ },
  { label: '__getattribute__', re: /__getattribute__/ },
  { label: '__code__', re: /__code__/ },
  { label: '__reduce__', re: /__reduce(_ex)?__/ },
  { label: 'namespace.__init__', re: /namespace\s*\.\s*__init__/ },
  { label: 'self.__', re: /\bself\s*\.\s*_/ },
  { label: 'cycler', re: /\bcycler\b/ },
  { label: 'joiner', re: /\bjoiner\b/ },
  { label: 'lipsum', re: /\blipsum\b/ },
  { label: 'os.', re: /\bos\s*\.\s*[a-z_]/ },
  { label: 'popen', re: /\bpopen\b/i },
  { label: '.system(', re: /\.\s*system\s*\(/ },
  { label: 'subprocess', re: /\bsubprocess\b/ },
  { label: 'eval(', re: /\beval\s*\(/ },
  { label: 'exec(', re: /\bexec\s*\(/ },
  { label: 'getattr', re: /\bgetattr\b/ },
  { label: '|attr(', re: /\|\s*attr\s*\(/ },
  { label: 'escaped underscore', re: /\\x5f|\\u005f|\\137/i },
  { label: 'request.', re: /\brequest\s*\.\s*(application|environ|args|values|cookies|headers)\b/ },
  { label: 'config.', re: /\bconfig\s*\.\s*(items|from_pyfile|from_object)\b/ },
];

/** Patterns that read as executable code or shell commands inside a metadata string. */
const CODE_INDICATORS: readonly Indicator[] = [
  {
    label: 'import statement',
    re: /(^|[;\n]\s*)(import\s+[A-Za-z_][\w.]*|from\s+[A-Za-z_][\w.]*\s+import\b)/,
  },
  { label: '__import__', re: /__import__/ },
  { label: 'os.system/popen/exec', re: /\bos\s*\.\s*(system|popen|exec\w*|spawn\w*|remove|unlink|rmdir)\b/ },
  { label: 'subprocess', re: /\bsubprocess\b/ },
  { label: 'eval(', re: /\beval\s*\(/ },
  { label: 'exec(', re: /\bexec\s*\(/ },
  { label: 'compile(', re: /\bcompile\s*\(/ },
  { label: 'pickle/marshal loads', re: /\b(pickle|marshal|dill)\s*\.\s*loads?\b/ },
  { label: 'shell download', re: /\b(curl|wget)\s+(-\S+\s+)*https?:\/\//i },
  { label: 'shell pipe to interpreter', re: /\|\s*(ba|z)?sh\b|\|\s*python\d?\b/ },
  { label: 'reverse shell', re: /\/dev\/tcp\/|\bnc\s+-e\b|\bsocket\s*\.\s*socket\b/ },
  { label: 'script tag', re: /<\s*script\b/i },
  { label: 'jinja sandbox escape', re: /__(class|globals|builtins|subclasses|mro)__/ },
];

function match(text: string, list: readonly Indicator[]): string[] {
  const out: string[] = [];
  for (const ind of list) if (ind.re.test(text)) out.push(ind.label);
  return out;
}

/** Which SSTI constructs a Jinja template contains (empty when none). */
export function sstiIndicators(template: string): string[] {
  return match(template, SSTI_INDICATORS);
}

/** Which code-execution constructs a free-text string contains (empty when none). */
export function codeIndicators(text: string): string[] {
  return match(text, CODE_INDICATORS);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What a report needs to know about one chat template, without its text. */
export interface ChatTemplateSummary {
  /** `default` for the unnamed template, otherwise the template's name. */
  name: string;
  /** Length in characters. */
  length: number;
  /** sha256 of the template's UTF-8 bytes, hex: compare with the published tokenizer's. */
  sha256: string;
  /** SSTI constructs found (see {@link sstiIndicators}); empty means none. */
  suspicious: string[];
}

export function summarizeChatTemplate(name: string, template: string): ChatTemplateSummary {
  return { name, length: template.length, sha256: sha256Hex(template), suspicious: sstiIndicators(template) };
}
