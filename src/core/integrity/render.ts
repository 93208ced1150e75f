/**
 * Plain-text renderings of the integrity results for the `probity` command (and anything else that
 * wants a copyable text form): a summary first, then tables with aligned columns. Pure functions
 * from results to strings; the JSON forms are the results themselves.
 */
import type { CheckItem, CheckResult } from './types.ts';
import type { IntegrityReport } from './integrity.ts';
import type { PairDiff, WeightDiffReport } from './diff-weights.ts';
import type { TensorDiff } from './weight-diff.ts';
import type { ProvenanceReport, StepReport } from './provenance.ts';
import { stepSummary } from './provenance.ts';

/** Columns padded to their widest cell; the last column is not padded. */
export function textTable(header: string[], rows: string[][], indent = ''): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    indent +
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function fmtNum(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '-';
  if (v === 0) return '0';
  if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6) return v.toFixed(digits);
  return v.toExponential(digits - 1);
}

function statusWord(s: string): string {
  return s === 'not-analysed' ? 'NOT ANALYSED' : s.toUpperCase();
}

function itemLine(i: CheckItem): string {
  const tag =
    i.status === 'fail'
      ? 'FAIL'
      : i.status === 'not-analysed'
        ? 'N/A '
        : i.status === 'info'
          ? 'note'
          : 'ok  ';
  return `    ${tag}  ${i.summary}\n`;
}

export function renderCheck(c: CheckResult, verbose: boolean): string {
  let out = `[${statusWord(c.status)}] ${c.title} — ${c.summary}\n`;
  for (const r of c.reasons) out += `    · ${r}\n`;
  const shown = verbose ? c.items : c.items.filter((i) => i.status !== 'pass');
  for (const i of shown) out += itemLine(i);
  const passes = c.items.filter((i) => i.status === 'pass').length;
  if (!verbose && passes > 0)
    out += `    ok    ${passes} comparison${passes === 1 ? '' : 's'} passed (--verbose lists them)\n`;
  return out;
}

/** What the overall word rests on: how many checks passed, and which were not analysed. */
function overallNote(r: IntegrityReport): string {
  const passed = r.checks.filter((c) => c.status === 'pass').length;
  const missing = r.checks.filter((c) => c.status === 'not-analysed').map((c) => c.title);
  if (missing.length === 0) return '';
  return ` (${passed} of ${r.checks.length} checks passed; not analysed: ${missing.join(', ')})`;
}

export function renderIntegrity(r: IntegrityReport, verbose = false): string {
  let out = `${r.caseId}: integrity ${r.baseline ? `against baseline ${r.baseline}` : '(no baseline)'} — ${statusWord(r.status)}${overallNote(r)}\n\n`;
  for (const c of r.checks) out += `${renderCheck(c, verbose)}\n`;
  return out;
}

function shape(s: number[] | undefined): string {
  return s ? `[${s.join(', ')}]` : '-';
}

function tensorRow(t: TensorDiff): string[] {
  const m = t.numbers;
  return [
    t.status,
    t.name,
    t.a && t.b && t.a.dtype !== t.b.dtype ? `${t.a.dtype}→${t.b.dtype}` : ((t.a ?? t.b)?.dtype ?? '-'),
    t.a && t.b && shape(t.a.shape) !== shape(t.b.shape)
      ? `${shape(t.a.shape)}→${shape(t.b.shape)}`
      : shape((t.a ?? t.b)?.shape),
    fmtNum(m?.maxAbsDelta),
    fmtNum(m?.l2Delta),
    fmtNum(m?.relativeL2),
    fmtNum(m?.cosine, 6),
    t.note ?? '',
  ];
}

function renderPair(p: PairDiff, all: boolean): string {
  const files = (u: PairDiff['a']): string => u.files.map((f) => f.label).join(', ');
  let out = `${files(p.a)}\n  ↔ ${files(p.b)}${p.pairedBy === 'only-remaining' ? '  (the only models left on each side)' : ''}\n`;
  const c = p.counts;
  const differing = p.tensors.length - c.identical;
  out += `  ${p.tensors.length} tensors: ${c.identical} identical, ${c.changed} changed, ${c['shape-changed']} shape-changed, ${c['dtype-changed']} dtype-changed, ${c['only-in-a']} only in a, ${c['only-in-b']} only in b${c.unreadable ? `, ${c.unreadable} unreadable` : ''}\n\n`;
  out += textTable(
    ['LAYER', 'TENSORS', 'IDENTICAL', 'CHANGED', 'OTHER', 'MAX REL ‖Δ‖₂', '‖Δ‖₂', 'CHANGED ROLES'],
    p.layers.map((l) => [
      l.layer === null ? '-' : String(l.layer),
      String(l.tensors),
      String(l.identical),
      String(l.changed),
      String(l.structural),
      fmtNum(l.maxRelativeL2),
      l.changed || l.structural ? fmtNum(l.l2Delta) : '-',
      l.changedRoles.join(', '),
    ]),
    '  ',
  );
  const rows = p.tensors.filter((t) => all || t.status !== 'identical');
  if (rows.length > 0)
    out +=
      `\n${all ? '' : `  ${differing} tensor${differing === 1 ? '' : 's'} differ:\n`}` +
      textTable(
        ['STATUS', 'TENSOR', 'DTYPE', 'SHAPE', 'MAX |Δ|', '‖Δ‖₂', 'REL ‖Δ‖₂', 'COSINE', 'NOTE'],
        rows.map(tensorRow),
        '  ',
      );
  for (const n of p.notes) out += `  note: ${n}\n`;
  return out;
}

export function renderWeightDiff(r: WeightDiffReport, all = false): string {
  let out = `diff-weights  a: ${r.a.label}  b: ${r.b.label}\n\n`;
  for (const p of r.pairs) out += `${renderPair(p, all)}\n`;
  for (const u of r.unpairedA) out += `only in a (no counterpart): ${u}\n`;
  for (const u of r.unpairedB) out += `only in b (no counterpart): ${u}\n`;
  for (const x of r.skipped) out += `not compared: ${x}\n`;
  const differing = r.pairs.reduce((s, p) => s + p.tensors.length - p.counts.identical, 0);
  out += r.identical
    ? 'result: identical — every tensor compared equal byte for byte\n'
    : `result: ${differing} tensor${differing === 1 ? '' : 's'} differ${r.unpairedA.length + r.unpairedB.length ? `; ${r.unpairedA.length + r.unpairedB.length} model(s) unpaired` : ''}\n`;
  return out;
}

function observedCounts(s: StepReport, which: 'evidence' | 'baseline'): string {
  const c = { matched: 0, mismatched: 0, missing: 0 };
  for (const o of s.outputs) {
    const v = o[which];
    if (v) c[v]++;
  }
  return `${c.matched} matched, ${c.mismatched} mismatched, ${c.missing} absent`;
}

export function renderProvenance(r: ProvenanceReport): string {
  let out = `${r.caseId}: provenance — ${statusWord(r.status)}: ${r.summary}\n`;
  for (const x of r.reasons) out += `  · ${x}\n`;
  for (const o of r.otherRecords)
    out += `  · also ${o.file} (${o.format}): ${o.differences.length ? o.differences.join('; ') : 'agrees with the chain'}\n`;
  out += '\n';
  out += textTable(
    ['#', 'STAGE', 'WHEN', 'BY', 'OUTPUTS', 'VS EVIDENCE', ...(r.baseline ? ['VS BASELINE'] : []), 'VERDICT'],
    r.steps.map((s) => [
      String(s.index),
      s.stage,
      s.performedAt ?? '-',
      (s.performedBy ?? '-').slice(0, 40),
      String(s.outputs.length),
      observedCounts(s, 'evidence'),
      ...(r.baseline ? [observedCounts(s, 'baseline')] : []),
      s.divergence ? 'DIVERGES' : s.compared ? 'carried over' : 'not compared',
    ]),
  );
  for (const s of r.steps.filter((x) => x.diverges)) out += `\n${stepSummary(s)}\n`;
  if (r.runtime)
    out += `\nevidence vs the last step: ${r.runtime.compared} file(s) compared, ${r.runtime.changed.length} differ${r.runtime.changed.length ? '' : ' (no change after the last recorded step)'}\n`;
  if (r.compromise) {
    const c = r.compromise;
    out += `\nCompromise point: ${c.point.name} (at ${c.at})\n  Indicators: ${c.point.indicators}\n  Investigation focus: ${c.point.investigationFocus}\n`;
    for (const x of c.reasons) out += `  - ${x}\n`;
    if (c.vectors.length)
      out += `  Vectors to investigate:\n${c.vectors.map((v) => `    ${v.vector}: ${v.investigationSteps}\n`).join('')}`;
  }
  return out;
}
