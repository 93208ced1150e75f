/**
 * Test helpers for the integrity checks: tensor byte encoders, a safetensors writer, evidence
 * folders turned into cases (real ingest into a temp workstation) or into CaseFiles directly.
 * Imported by *.test.ts only.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeSafetensors, float32ToBf16, type TensorEntry } from '../formats/safetensors-writer.ts';
import { classifyBundleFiles } from '../ingest/classify.ts';
import { ingestBundle } from '../ingest/ingest.ts';
import { Workstation, type CaseStore } from '../store/workstation.ts';
import { findModelRoot, type CaseFile, type CaseFiles } from './case-files.ts';
import { PREDICATE_V1 } from './model-signing.ts';

export { fixture } from '../formats/testkit.ts';

/** The DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** A model_signing v1 statement that names no file, as the bytes a DSSE envelope signs. */
export function emptyModelStatement(): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [],
      predicateType: PREDICATE_V1,
      predicate: { resources: [] },
    }),
  );
}

export function tempDir(prefix = 'probity-integrity-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Remove a temp tree, read-only evidence objects included. */
export function rmrf(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        fs.chmodSync(p, 0o755);
        walk(p);
      } else if (!e.isSymbolicLink()) fs.chmodSync(p, 0o644);
    }
  };
  walk(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

export function sha256(data: Buffer | string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

export function f32(values: readonly number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

export function bf16(values: readonly number[]): Uint8Array {
  return float32ToBf16(new Float32Array(values));
}

/** float → IEEE binary16, round to nearest (enough for the exact test values used). */
export function f16(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, toHalf(v), true));
  return out;
}

function toHalf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  let e = Math.floor(Math.log2(a));
  if (e < -14) return sign | Math.round(a / 2 ** -24);
  let m = Math.round((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  return sign | ((e + 15) << 10) | m;
}

export function tensor(
  name: string,
  dtype: TensorEntry['dtype'],
  shape: number[],
  data: Uint8Array,
): TensorEntry {
  return { name, dtype, shape, data };
}

export function safetensors(tensors: readonly TensorEntry[]): Uint8Array {
  return encodeSafetensors(tensors);
}

/** A temp workstation whose cases are made from folders by the real ingest. */
export function workstation(): { ws: Workstation; home: string; cleanup: () => void } {
  const home = tempDir('probity-integrity-home-');
  return { ws: new Workstation(home, 'test-host'), home, cleanup: () => rmrf(home) };
}

export async function caseFromFolder(
  ws: Workstation,
  folder: string,
  title = 'test case',
): Promise<CaseStore> {
  const store = ws.createCase({ title, actor: 'tester' });
  await ingestBundle({ store, bundle: folder, actor: 'tester', host: 'test-host' });
  return store;
}

/** CaseFiles over plain files (no store): kinds by the ingest classifier, objects = the files. */
export async function caseFilesOf(root: string, caseId = 'AI-IR-2026-9999'): Promise<CaseFiles> {
  const files: CaseFile[] = [];
  let id = 1;
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const bytes = fs.readFileSync(p);
        const rel = path.relative(root, p).split(path.sep).join('/');
        files.push({
          id: id++,
          path: rel,
          kind: 'other',
          sha256: sha256(bytes),
          size: bytes.length,
          object: p,
        });
      }
    }
  };
  walk(root);
  const kinds = await classifyBundleFiles(files.map((f) => ({ bundlePath: f.path, file: f.object })));
  for (const f of files) f.kind = kinds.get(f.path)?.kind ?? 'other';
  return { caseId, files, byPath: new Map(files.map((f) => [f.path, f])), modelRoot: findModelRoot(files) };
}

/** A character-level BPE tokenizer.json: one id per printable ASCII character and newline. */
export function charTokenizerJson(extra: { id: number; content: string }[] = []): string {
  const vocab: Record<string, number> = { '[UNK]': 0 };
  let id = 1;
  for (let c = 32; c < 127; c++) vocab[String.fromCharCode(c)] = id++;
  vocab['\n'] = id++;
  return JSON.stringify({
    version: '1.0',
    added_tokens: [
      {
        id: 0,
        content: '[UNK]',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
      ...extra.map((t) => ({
        ...t,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
    ],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '[UNK]',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  });
}
