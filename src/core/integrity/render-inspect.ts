/**
 * `probity inspect`: one artifact, any kind the format parsers know (formats/detect.ts), described
 * for a reader. The description is the inspector's (inspect-view.ts: the same fields the app shows),
 * set as text: a summary of what the file is and says, header metadata, then the detail (a tensor
 * table with byte ranges for weights, the import table for pickles). Problems close the text.
 */
import type { Artifact } from '../formats/index.ts';
import { humanBytes } from '../util/format.ts';
import { artifactBody } from './inspect-view.ts';
import { textTable } from './render.ts';

function kv(pairs: readonly { label: string; value: string; flag?: boolean }[]): string {
  const w = Math.max(0, ...pairs.map((p) => p.label.length));
  return pairs
    .map((p) => `${p.flag ? '! ' : '  '}${`${p.label}:`.padEnd(w + 1)} ${p.value.replace(/\n/g, '\\n')}\n`)
    .join('');
}

function clip(s: string, max = 120): string {
  const one = s.replace(/\n/g, '\\n');
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

export function renderInspect(a: Artifact): string {
  const b = artifactBody(a);
  let out = `${a.file} (${humanBytes(a.fileSize)}, detected by ${a.detectedBy})\n`;
  out += kv([{ label: 'format', value: b.format }, ...b.fields]);
  // Every finding that lowered or capped the verdict, in full (the table form below would clip them).
  if (a.scan.findings.length)
    out += `\nfindings (${a.scan.findings.length}):\n${a.scan.findings
      .map(
        (f) =>
          `  ${f.level}: ${f.what.replace(/\n/g, '\\n')}${f.capability ? ` [${f.capability}]` : ''}${f.where ? ` (${f.where})` : ''}\n`,
      )
      .join('')}`;
  for (const t of b.tables.filter((x) => x.title !== 'Findings')) {
    out += `\n${t.title.toLowerCase()}:\n${textTable(
      t.columns.map((c) => c.toUpperCase()),
      t.rows.map((r) => r.map((c) => clip(c))),
      '  ',
    )}`;
  }
  if (b.metadata.length) {
    out += b.metadata.some((m) => m.type)
      ? `\nmetadata:\n${textTable(
          ['KEY', 'TYPE', 'VALUE'],
          b.metadata.map((m) => [m.key, m.type ?? '', clip(m.value)]),
          '  ',
        )}`
      : `\nmetadata:\n${kv(b.metadata.map((m) => ({ label: m.key, value: clip(m.value), ...(m.flag ? { flag: true } : {}) })))}`;
  }
  if (b.tensors?.length) {
    out += `\ntensors:\n${textTable(
      ['NAME', 'DTYPE', 'SHAPE', 'BYTES', 'BYTE RANGE'],
      b.tensors.map((t) => [
        t.name,
        t.dtype,
        `[${t.shape.join(', ')}]`,
        String(t.bytes),
        `${t.begin}..${t.end}`,
      ]),
      '  ',
    )}`;
  }
  if (b.imports) {
    out += `\nimports:\n${textTable(
      ['CLASS', 'GLOBAL', 'COUNT', 'REASON'],
      b.imports.map((i) => [i.classification, i.ref, String(i.count), i.reason ?? '']),
      '  ',
    )}`;
  }
  if (b.problems.length)
    out += `\nproblems (${b.problems.length}):\n${b.problems.map((p) => `  - ${p}\n`).join('')}`;
  return out;
}
