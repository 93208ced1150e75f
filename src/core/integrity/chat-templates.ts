/**
 * Every chat template of a case, whole: GGUF `tokenizer.chat_template` and
 * `tokenizer.chat_template.<name>`, tokenizer_config.json `chat_template` (a string or a list of
 * `{name, template}`), and `chat_template.jinja` / `chat_template.json` files.
 *
 * The GGUF header reader keeps only the head of a string above 1 MiB; a template is read again here
 * from its key's offset to the last byte, so a construct placed at the end of a long template is
 * seen (scanners that stop at the first 256 KiB let such a tail pass unread).
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { readGgufHeader } from '../formats/gguf.ts';
import { sha256Hex, sstiIndicators } from '../formats/indicators.ts';
import { isJsonObject, parseJson, type JsonValue } from '../formats/json.ts';
import { TEMPLATE_RULES } from '../formats/template-rules.ts';
import { fileError } from '../util/errors.ts';
import { readEvidenceText, type CaseFile, type CaseFiles } from './case-files.ts';
import { reasonOf, withLabel } from './relabel.ts';

/** Templates above this are refused with a reason (the longest honest ones are tens of KiB). */
export const TEMPLATE_MAX_BYTES = 64 * 1024 * 1024;

export interface ChatTemplate {
  /** Evidence path of the file that carries it. */
  file: string;
  /** Where in the file: `tokenizer.chat_template.tool_use`, `chat_template[1]`, or the file itself. */
  key: string;
  /** `default` for the unnamed template. */
  name: string;
  text: string;
  sha256: string;
  /** Sandbox-escape and injection constructs, with their level from the scanner's ladder. */
  constructs: { label: string; level: string }[];
  /** The `{% if %}` tests that read a message's content (not only its role): one line each. */
  contentBranches: string[];
}

export interface TemplateExtraction {
  templates: ChatTemplate[];
  /** Files that should carry a template but could not be read, with the reason. */
  unreadable: { file: string; reason: string }[];
}

/**
 * The `{% if/elif … %}` tests of a template that look at what a message says rather than who says
 * it: `'word' in message['content']`, `message.content == …`, `.startswith(` on content. A chat
 * template has to branch on roles; branching on content is how a template hides a trigger.
 */
export function contentBranches(text: string): string[] {
  const out: string[] = [];
  const re = /\{%-?\s*(?:if|elif)\b([\s\S]*?)-?%\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < 50) {
    const test = m[1] ?? '';
    if (
      /content/.test(test) &&
      !/^\s*(?:not\s+)?[\w.[\]'"]*content[\]'"]*\s*(?:is\s+(?:not\s+)?(?:string|none|defined|mapping|iterable|sequence)\b)?\s*$/.test(
        test,
      )
    )
      out.push(m[0].replace(/\s+/g, ' ').slice(0, 200));
  }
  return out;
}

function makeTemplate(file: string, key: string, name: string, text: string): ChatTemplate {
  return {
    file,
    key,
    name,
    text,
    sha256: sha256Hex(text),
    constructs: sstiIndicators(text).map((label) => ({
      label,
      level: TEMPLATE_RULES[label] ?? 'suspicious',
    })),
    contentBranches: contentBranches(text),
  };
}

/** Read the GGUF string value at a metadata key's offset, whole (up to TEMPLATE_MAX_BYTES). */
async function readGgufString(
  file: string,
  label: string,
  offset: number,
  version: number,
  little: boolean,
): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const lenBytes = version === 1 ? 4 : 8;
    const readLen = async (at: number): Promise<number> => {
      const b = Buffer.alloc(lenBytes);
      await fh.read(b, 0, lenBytes, at);
      if (lenBytes === 4) return little ? b.readUInt32LE(0) : b.readUInt32BE(0);
      const v = little ? b.readBigUInt64LE(0) : b.readBigUInt64BE(0);
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
    };
    const keyLen = await readLen(offset);
    const valueAt = offset + lenBytes + keyLen + 4;
    const len = await readLen(valueAt);
    if (len > TEMPLATE_MAX_BYTES)
      throw fileError('malformed', label, `chat template of ${len} bytes exceeds ${TEMPLATE_MAX_BYTES}`);
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, valueAt + lenBytes);
    if (bytesRead !== len)
      throw fileError('malformed', label, `chat template ends after ${bytesRead} of ${len} bytes`);
    return new TextDecoder('utf-8', { fatal: false }).decode(buf);
  } finally {
    await fh.close();
  }
}

async function fromGguf(f: CaseFile): Promise<ChatTemplate[]> {
  const header = await withLabel(f.object, f.path, () => readGgufHeader(f.object));
  const out: ChatTemplate[] = [];
  for (const kv of header.metadata) {
    if (kv.key !== 'tokenizer.chat_template' && !kv.key.startsWith('tokenizer.chat_template.')) continue;
    if (kv.type !== 'STRING') continue;
    const text = await readGgufString(
      f.object,
      f.path,
      kv.offset,
      header.version,
      header.endianness === 'little',
    );
    const name =
      kv.key === 'tokenizer.chat_template' ? 'default' : kv.key.slice('tokenizer.chat_template.'.length);
    out.push(makeTemplate(f.path, kv.key, name, text));
  }
  return out;
}

function fromJsonValue(file: string, ct: JsonValue | undefined, keyPrefix: string): ChatTemplate[] {
  if (typeof ct === 'string') return [makeTemplate(file, keyPrefix, 'default', ct)];
  if (!Array.isArray(ct)) return [];
  const out: ChatTemplate[] = [];
  ct.forEach((e, i) => {
    if (isJsonObject(e) && typeof e.template === 'string')
      out.push(
        makeTemplate(file, `${keyPrefix}[${i}]`, typeof e.name === 'string' ? e.name : `#${i}`, e.template),
      );
  });
  return out;
}

function kindOfFile(p: string): 'gguf' | 'tokenizer-config' | 'jinja' | 'template-json' | null {
  const base = path.posix.basename(p).toLowerCase();
  if (base.endsWith('.gguf')) return 'gguf';
  if (base === 'tokenizer_config.json') return 'tokenizer-config';
  if (base === 'chat_template.jinja' || (base.startsWith('chat_template') && base.endsWith('.jinja')))
    return 'jinja';
  if (base === 'chat_template.json') return 'template-json';
  return null;
}

async function fromFile(f: CaseFile): Promise<ChatTemplate[]> {
  const kind = kindOfFile(f.path);
  if (kind === 'gguf') return fromGguf(f);
  if (kind === null) return [];
  const text = await readEvidenceText(f, TEMPLATE_MAX_BYTES);
  if (kind === 'jinja') {
    const stem = path.posix.basename(f.path).replace(/\.jinja$/i, '');
    return [
      makeTemplate(
        f.path,
        f.path,
        stem === 'chat_template' ? 'default' : stem.replace(/^chat_template[._-]?/, ''),
        text,
      ),
    ];
  }
  const { value } = parseJson(text, f.path);
  if (!isJsonObject(value)) throw fileError('malformed', f.path, 'not a JSON object');
  return fromJsonValue(f.path, value.chat_template, 'chat_template');
}

/** Every chat template in a case's evidence, each read to its last byte. */
export async function extractTemplates(cf: CaseFiles): Promise<TemplateExtraction> {
  const templates: ChatTemplate[] = [];
  const unreadable: TemplateExtraction['unreadable'] = [];
  for (const f of cf.files) {
    if (kindOfFile(f.path) === null) continue;
    try {
      templates.push(...(await fromFile(f)));
    } catch (err) {
      unreadable.push({ file: f.path, reason: reasonOf(err, f.object, f.path) });
    }
  }
  return { templates, unreadable };
}
