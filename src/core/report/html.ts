/**
 * report.html: one self-contained file — the stylesheet inlined from resources/report.css, charts
 * as inline SVG, no script, no font, image or link that would make a request (a CSP meta tag
 * says so to the browser too). The same file is what Chromium prints to report.pdf, so the
 * stylesheet carries the print rules (@page, page breaks).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CustodyEvent, EvidenceItem, Finding, FindingStatus } from '../../shared/domain';
import type { RecordRef, TimelineEntry, VerificationRow } from '../../shared/incident';
import { humanBytes } from '../util/format';
import { barChart, statusStrip, type BarRow } from './charts';
import { STATUS_LABELS, anchorId, type ChecklistItem } from '../incident/checklist';
import { escapeHtml as e } from './escape';
import type { StageReport } from '../incident/stages';
import type { ReportModel } from './model';

/** Rows of the evidence table in HTML; the complete list is in report.json and evidence.sha256. */
const MAX_EVIDENCE_ROWS = 500;
const MAX_EVENT_ROWS = 400;
/** Stages with at most this many findings are kept on one page when printed. */
const SHORT_STAGE = 12;

let cssFileOverride: string | null = null;

/** Hosts that bundle the code (the desktop build, the install kit) ship report.css elsewhere and name it here. */
export function setReportCssFile(file: string): void {
  cssFileOverride = file;
}

export function defaultCssFile(): string {
  return cssFileOverride ?? fileURLToPath(new URL('../../../resources/report.css', import.meta.url));
}

export function loadReportCss(file = defaultCssFile()): string {
  return fs.readFileSync(file, 'utf8');
}

const STATUS_CLASS: Readonly<Record<FindingStatus, string>> = {
  pass: 'pass',
  fail: 'fail',
  'not-analysed': 'na',
  info: 'info',
};

const STATUS_TEXT: Readonly<Record<FindingStatus, string>> = {
  pass: 'pass',
  fail: 'fail',
  'not-analysed': 'not analysed',
  info: 'info',
};

const CHECKLIST_CLASS: Readonly<Record<ChecklistItem['status'], string>> = {
  recorded: 'pass',
  partial: 'warn',
  open: 'fail',
  'not-recorded': 'na',
};

function pill(cls: string, text: string): string {
  return `<span class="pill pill-${cls}">${e(text)}</span>`;
}

function hash(h: string): string {
  return `<code class="hash">${e(h)}</code>`;
}

function link(href: string, label: string): string {
  return `<a href="${e(href)}">${e(label)}</a>`;
}

function header(m: ReportModel): string {
  const v = m.lastVerification;
  const cp = m.checkpoint;
  const rows: [string, string][] = [
    ['Case', `<strong>${e(m.case.id)}</strong>`],
    ['Examiner', e(m.case.examiner ?? 'not recorded')],
    ['Case opened', `${e(m.case.createdAt)}${m.case.createdOnHost ? ` on ${e(m.case.createdOnHost)}` : ''}`],
    ['Report generated', `${e(m.generatedAt)} by ${e(m.generator)}`],
    [
      'Signed by',
      m.signer
        ? `${e(m.signer.name ?? '')} (${e(m.signer.role)})<br>${hash(m.signer.fingerprint)}`
        : '<em>unsigned bundle</em>',
    ],
    ['Chain head', `seq ${m.chainHead.lastSeq}<br>${hash(m.chainHead.lastHash)}`],
    [
      'Checkpoint',
      cp
        ? `seq ${cp.checkpoint.lastSeq}, signed by ${e(cp.signer.name)} at ${e(cp.checkpoint.at)} (${link(`#seq-${cp.seq}`, `event ${cp.seq}`)})<br>${hash(cp.checkpoint.lastHash)}`
        : '<em>none signed</em>',
    ],
    [
      'Last verification',
      v
        ? `${pill(v.ok ? 'pass' : 'fail', v.ok ? 'passed' : `${v.problems.length} problem(s)`)} ${e(v.at)}, through seq ${v.throughSeq} (${link(`#seq-${v.seq}`, `event ${v.seq}`)})`
        : '<em>never run</em>',
    ],
  ];
  return `<header class="cover">
  <p class="kicker">Probity · model compromise post-mortem</p>
  <h1>${e(m.case.title)}</h1>
  <dl class="meta">${rows.map(([k, v2]) => `<dt>${e(k)}</dt><dd>${v2}</dd>`).join('')}</dl>
</header>`;
}

function checklistSection(m: ReportModel): string {
  const counts = new Map<string, number>();
  for (const c of m.checklist) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const summary = (['recorded', 'partial', 'open', 'not-recorded'] as const)
    .filter((s) => counts.get(s))
    .map((s) => `${counts.get(s)} ${STATUS_LABELS[s].toLowerCase()}`)
    .join(' · ');
  const rows = m.checklist
    .map(
      (c) => `<tr class="row-${CHECKLIST_CLASS[c.status]}">
  <td class="num">${c.n}</td>
  <td>${e(c.item)}</td>
  <td>${pill(CHECKLIST_CLASS[c.status], STATUS_LABELS[c.status])}</td>
  <td>${c.manual ? `${pill('info', 'manual note')} ` : ''}${e(c.basis)}${c.links.length ? `<div class="links">${c.links.map((l) => link(l.href, l.label)).join(' ')}</div>` : ''}</td>
</tr>`,
    )
    .join('\n');
  return `<section id="checklist">
  <h2>Post-mortem checklist</h2>
  <div class="strip-row">${statusStrip(m.checklist.map((c) => ({ n: c.n, cls: `seg-${CHECKLIST_CLASS[c.status]}`, label: `${c.item}: ${STATUS_LABELS[c.status]}` })))}<p class="muted">${e(summary)}</p></div>
  <p class="note">Each item is filled only from what the case records; an item without a record is “not recorded”, never done.</p>
  <table class="checklist"><thead><tr><th>#</th><th>Item</th><th>Status</th><th>Basis</th></tr></thead><tbody>
${rows}
  </tbody></table>
</section>`;
}

function stagesChart(stages: StageReport[]): string {
  const rows: BarRow[] = stages.map((s) => ({
    label: s.stage,
    note: `${s.findings.length} finding${s.findings.length === 1 ? '' : 's'}`,
    segments: (['fail', 'pass', 'not-analysed', 'info'] as const).map((st) => ({
      value: s.counts[st],
      cls: `seg-${STATUS_CLASS[st]}`,
      label: STATUS_TEXT[st],
    })),
  }));
  return barChart('Findings of the latest run of each stage, by status', rows, [
    { cls: 'seg-fail', label: 'fail' },
    { cls: 'seg-pass', label: 'pass' },
    { cls: 'seg-na', label: 'not analysed' },
    { cls: 'seg-info', label: 'info' },
  ]);
}

function findingRow(f: Finding): string {
  return `<tr id="finding-${f.id}"><td class="num">${f.id}</td><td class="nowrap">${e(f.check)}</td><td>${pill(STATUS_CLASS[f.status], STATUS_TEXT[f.status])}</td><td class="path">${e(f.subject ?? '')}</td><td>${e(f.summary)}</td></tr>`;
}

function stageSection(s: StageReport): string {
  const seq = s.recordedSeq
    ? ` · recorded by ${link(`#seq-${s.recordedSeq}`, `custody event ${s.recordedSeq}`)}`
    : '';
  const short = s.findings.length <= SHORT_STAGE ? ' short' : '';
  return `<section class="stage${short}" id="stage-${anchorId(s.stage)}">
  <h3>${e(s.stage)}</h3>
  <p class="muted">run <code>${e(s.runId)}</code> · ${e(s.recordedAt)}${seq}</p>
  <table class="findings"><thead><tr><th>#</th><th>Check</th><th>Status</th><th>Subject</th><th>Summary</th></tr></thead><tbody>
${s.findings.map(findingRow).join('\n')}
  </tbody></table>
</section>`;
}

function findingsSection(m: ReportModel): string {
  if (m.stages.length === 0) {
    return `<section id="findings"><h2>Findings</h2><p class="note">No analysis stage has recorded findings in this case.</p></section>`;
  }
  return `<section id="findings"><h2>Findings</h2>
${stagesChart(m.stages)}
${m.stages.map(stageSection).join('\n')}
</section>`;
}

function diffPre(lines: readonly { op: string; text: string }[]): string {
  if (lines.length === 0) return '<p class="muted">(text identical)</p>';
  return `<pre class="verify">${lines.map((l) => e(`${l.op} ${l.text}`)).join('\n')}</pre>`;
}

function templatesSection(m: ReportModel): string {
  const t = m.templates;
  if (t.templates.length === 0 && t.tokenizers.length === 0) return '';
  const tpl = t.templates
    .map(
      (d) => `<h3 id="template-${d.findingId}">${e(d.subject)}</h3>
<p>${e(d.summary)} (${link(`#finding-${d.findingId}`, `finding ${d.findingId}`)})</p>
${d.conversations.map((c) => `<h4>Rendered prompt, conversation “${e(c.conversation)}” (${e(c.title)}): baseline − / case +</h4>${diffPre(c.diff)}`).join('\n')}
<h4>Template text: baseline − / case +</h4>${diffPre(d.textDiff)}`,
    )
    .join('\n');
  const tok = t.tokenizers
    .map(
      (d) => `<h3 id="tokenizer-${d.findingId}">${e(d.subject)}</h3>
<ul>${d.lines.map((l) => `<li>${e(l)}</li>`).join('')}</ul>
${d.sequences
  .map(
    (s) => `<h4>Conversation “${e(s.conversation)}” tokenized</h4>
<table class="findings"><thead><tr><th>Tokenizer</th><th>Ids</th><th>Tokens</th></tr></thead><tbody>
<tr><td>baseline</td><td class="path">${e(s.baseline.join(' '))}</td><td class="path">${e(s.baselineTokens.map((x) => JSON.stringify(x)).join(' '))}</td></tr>
<tr><td>case</td><td class="path">${e(s.suspect.join(' '))}</td><td class="path">${e(s.suspectTokens.map((x) => JSON.stringify(x)).join(' '))}</td></tr>
</tbody></table>`,
  )
  .join('\n')}`,
    )
    .join('\n');
  return `<section id="templates"><h2>Chat templates and tokenizers</h2>
<p class="muted">Recorded by the integrity stage's Template &amp; tokenizer check: templates rendered with @huggingface/jinja on a fixed conversation set, prompts tokenized by both tokenizers.</p>
${tpl}
${tok}
</section>`;
}

function scanSection(m: ReportModel): string {
  const s = m.scan;
  if (!s.lastRun) return '';
  const rows = s.verdicts
    .map(
      (v) =>
        `<tr><td class="path">${e(v.path)}</td><td>${e(v.level)}</td><td class="nowrap">${e(v.rules.version)} <code>${e(v.rules.digest.slice(0, 12))}…</code></td><td>${e(v.because)}</td></tr>`,
    )
    .join('\n');
  const changed = s.lastRun.changed.length
    ? `<p>Changed by the last re-scan:</p><ul>${s.lastRun.changed.map((c) => `<li>${e(c.summary)}</li>`).join('')}</ul>`
    : '';
  return `<section id="scan"><h2>Scanner verdicts and their rules</h2>
<p>Current rules: ${e(s.current.version)} <code>${e(s.current.digest.slice(0, 12))}…</code>. Last scan: run <code>${e(s.lastRun.runId)}</code> at ${e(s.lastRun.at)}${
    s.outdated ? ' — <strong>some verdicts were reached under older rules; re-scan the case</strong>' : ''
  }.</p>
${changed}
<table class="findings"><thead><tr><th>Object</th><th>Verdict</th><th>Rules</th><th>Because</th></tr></thead><tbody>
${rows}
</tbody></table>
</section>`;
}

function recordedBy(r: RecordRef | null): string {
  return r ? `<span class="muted">${e(r.actor)}, ${link(`#seq-${r.seq}`, `event ${r.seq}`)}</span>` : '';
}

function remediationSection(m: ReportModel): string {
  const r = m.remediation;
  const cp = r.compromisePoint
    ? `<p>Recorded compromise point: <strong>${e(r.compromisePoint.text)}</strong> (${link(`#finding-${r.compromisePoint.findingId}`, `finding #${r.compromisePoint.findingId}`)}).</p>`
    : '<p class="note">No compromise point is recorded, so no row of the matrix is marked.</p>';
  const rows = r.matrix
    .map(
      (row) =>
        `<tr${row.appliesBecause ? ' class="applies"' : ''}><td>${e(row.factor)}${row.appliesBecause ? ` ${pill('info', 'applies')}` : ''}</td><td>${e(row.previousVersion)}</td><td>${e(row.newModel)}</td><td>${e(row.retrain)}</td><td>${row.value || row.note ? `${row.value ? `<strong>${e(row.value)}</strong> ` : ''}${e(row.note ?? '')} ${recordedBy(row.recorded)}` : '<em>not recorded</em>'}</td></tr>`,
    )
    .join('\n');
  const decision = r.decision
    ? `<p id="decision">Decision: <strong>${e(r.decision.title)}</strong> — ${e(r.decision.reason)} ${recordedBy(r.decision.recorded)}</p>`
    : '<p class="note" id="decision">No replacement decision is recorded.</p>';
  const retraining = r.retraining
    .map(
      (x) =>
        `<tr><td>${e(x.consideration)}</td><td>${e(x.action)}</td><td>${x.status === 'recorded' ? pill('pass', 'recorded') : pill('na', 'not recorded')}</td><td>${e(x.note ?? '')}${x.evidence.map((ev) => ` <span class="path">evidence #${ev.id} ${e(ev.path)}</span>`).join('')} ${recordedBy(x.recorded)}</td></tr>`,
    )
    .join('\n');
  const gate = r.retrainingMissing.length
    ? `<p class="note">Retraining gate closed: “Retrain” cannot be chosen until ${r.retrainingMissing.length} more consideration${r.retrainingMissing.length === 1 ? '' : 's'} ha${r.retrainingMissing.length === 1 ? 's' : 've'} a note or evidence.</p>`
    : '<p>Retraining gate open: every consideration has a note or evidence.</p>';
  return `<section id="remediation"><h2>Remediation</h2>
${cp}
<h3>Model replacement decision matrix</h3>
<table><thead><tr><th>Factor</th><th>Replace with previous version</th><th>Replace with new model</th><th>Retrain</th><th>Recorded for this incident</th></tr></thead><tbody>
${rows}
</tbody></table>
${decision}
<h3>Before retraining</h3>
${gate}
<table id="retraining-gate"><thead><tr><th>Consideration</th><th>Action</th><th>Status</th><th>Note / evidence</th></tr></thead><tbody>
${retraining}
</tbody></table>
${replacementSection(m)}
</section>`;
}

function verificationTable(caption: string, rows: VerificationRow[]): string {
  return `<h4>${e(caption)}</h4>
<table><thead><tr><th>Check</th><th>Procedure</th><th>Pass criteria</th><th>Result</th><th>Read from</th></tr></thead><tbody>
${rows
  .map(
    (r) =>
      `<tr id="replacement-${e(r.check)}"><td>${e(r.title)}</td><td>${e(r.procedure)}</td><td>${e(r.passCriteria)}</td><td>${pill(STATUS_CLASS[r.status], STATUS_TEXT[r.status])} ${e(r.summary)}</td><td>${r.runId ? `${e(r.caseId ?? '')} run <code>${e(r.runId)}</code>${r.findingIds.length ? `, finding${r.findingIds.length === 1 ? '' : 's'} ${r.findingIds.map((id) => `#${id}`).join(', ')}` : ''}` : '<em>no recorded run</em>'}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
}

function replacementSection(m: ReportModel): string {
  const v = m.incident.replacement;
  const what = v.link
    ? v.link.kind === 'case'
      ? `case <strong>${e(v.link.caseId)}</strong> on the same workstation`
      : `the evidence set <strong>${e(v.link.label)}</strong> in this case`
    : 'no replacement linked; runs of this case on a replacement are shown';
  return `<h3 id="replacement">Replacement verification</h3>
<p>Replacement: ${what} ${recordedBy(v.recorded)} — overall ${pill(STATUS_CLASS[v.status], STATUS_TEXT[v.status])}. Results are read from the findings the integrity and behavior stages recorded, never recomputed.</p>
${v.problem ? `<p class="note">${e(v.problem)}</p>` : ''}
${verificationTable('Integrity verification', v.integrity)}
${verificationTable('Behavioral verification', v.behavioral)}`;
}

function timelineSource(t: TimelineEntry): string {
  const s = t.source;
  switch (s.kind) {
    case 'custody':
      return link(`#seq-${s.seq}`, `event ${s.seq}`);
    case 'finding':
      return link(`#finding-${s.id}`, `finding #${s.id}`);
    case 'window':
      return `window #${s.id}`;
    case 'deployment':
      return `<span class="path">${e(s.evidencePath)}:${s.line}</span>`;
    case 'manual':
      return `manual, ${link(`#seq-${s.seq}`, `event ${s.seq}`)}`;
  }
}

/** Timeline rows shown in HTML; the complete timeline is in report.json. */
const MAX_TIMELINE_ROWS = 400;

function incidentSection(m: ReportModel): string {
  const i = m.incident;
  const h = i.header;
  const meta: [string, string][] = [
    ['Incident ID', `<strong>${e(h.incidentId)}</strong>`],
    ['Type', e(h.type)],
    ['Detected', h.detected ? e(h.detected) : '<em>not recorded</em>'],
    ['Status', e(h.status)],
    ['Severity', h.severity ? e(h.severity) : '<em>not recorded</em>'],
  ];
  const roles = i.roles
    .map(
      (r) =>
        `<tr><td>${e(r.title)}</td><td>${r.name ? e(r.name) : '<em>unassigned</em>'}</td><td>${r.custodian ? `${e(r.custodian.name)} ${hash(r.custodian.fingerprint)}` : ''}</td><td>${recordedBy(r.recorded)}</td></tr>`,
    )
    .join('\n');
  const triggers = i.triggers
    .map(
      (t) =>
        `<tr><td>${t.applied ? pill('fail', 'applied') : pill('na', 'not recorded')}</td><td>${e(t.text)}</td><td>${e(t.note ?? '')} ${recordedBy(t.recorded)}</td></tr>`,
    )
    .join('\n');
  const actions = i.actions
    .map((a) => {
      const extra: string[] = [];
      if (a.strategy)
        extra.push(
          `Strategy: <strong>${e(a.strategy.title)}</strong> — when: ${e(a.strategy.whenToUse)}; impact: ${e(a.strategy.impact)}`,
        );
      if (a.framework)
        extra.push(`Decision framework: ${e(a.framework.condition)} → ${e(a.framework.response)}`);
      for (const g of a.ingests ?? [])
        extra.push(
          `Ingest #${g.ingestId} (${e(g.status)}) <span class="path">${e(g.bundle)}</span>: ${g.files} files, ${e(humanBytes(g.bytes))}; checksum lists ${g.manifest.matched} matched, ${g.manifest.mismatched} mismatched, ${g.manifest.missing} missing${g.seq ? ` (${link(`#seq-${g.seq}`, `event ${g.seq}`)})` : ''}`,
        );
      return `<tr><td>${e(a.title)}</td><td>${a.done ? pill('pass', 'done') : pill('na', 'not recorded')}</td><td class="nowrap">${e(a.at ?? '')}</td><td>${e(a.note ?? '')}${extra.map((x) => `<div>${x}</div>`).join('')} ${recordedBy(a.recorded)}</td></tr>`;
    })
    .join('\n');
  const shown = i.timeline.slice(0, MAX_TIMELINE_ROWS);
  const timeline = shown
    .map(
      (t) =>
        `<tr><td class="nowrap">${e(t.at)}</td><td>${e(t.text)}</td><td class="nowrap">${timelineSource(t)}</td></tr>`,
    )
    .join('\n');
  return `<section id="incident"><h2>Incident</h2>
<dl class="meta">${meta.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl>
<h3>Response team</h3>
<table><thead><tr><th>Role</th><th>Name</th><th>Custodian key</th><th>Recorded</th></tr></thead><tbody>
${roles}
</tbody></table>
<h3>Trigger criteria</h3>
<table><thead><tr><th></th><th>Criterion</th><th>Note</th></tr></thead><tbody>
${triggers}
</tbody></table>
<h3>Immediate actions</h3>
<table><thead><tr><th>Action</th><th>Status</th><th>At (UTC)</th><th>Detail</th></tr></thead><tbody>
${actions}
</tbody></table>
<h3 id="timeline">Timeline</h3>
<table class="timeline"><thead><tr><th>At (UTC)</th><th>Event</th><th>Source</th></tr></thead><tbody>
${timeline}
</tbody></table>
${i.timeline.length > shown.length ? `<p class="note">The first ${shown.length} of ${i.timeline.length} entries; all are in report.json.</p>` : ''}
</section>`;
}

function evidenceChart(items: EvidenceItem[]): string {
  const byKind = new Map<string, { n: number; bytes: number }>();
  for (const it of items) {
    if (it.kind === 'link') continue;
    const cur = byKind.get(it.kind) ?? { n: 0, bytes: 0 };
    byKind.set(it.kind, { n: cur.n + 1, bytes: cur.bytes + it.size });
  }
  const rows: BarRow[] = [...byKind.entries()]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([kind, v]) => ({
      label: kind,
      note: `${v.n} · ${humanBytes(v.bytes)}`,
      segments: [{ value: v.bytes, cls: 'seg-bytes', label: 'bytes' }],
    }));
  return barChart('Evidence by kind (bytes stored)', rows);
}

function evidenceSection(m: ReportModel): string {
  const shown = m.evidence.items.slice(0, MAX_EVIDENCE_ROWS);
  const more = m.evidence.items.length - shown.length;
  const rows = shown
    .map(
      (it) =>
        `<tr><td class="path">${e(it.path)}${it.occurrence > 1 ? ` (occurrence ${it.occurrence})` : ''}</td><td>${e(it.kind)}</td><td class="num">${it.kind === 'link' ? '–' : e(humanBytes(it.size))}</td><td>${it.sha256 ? hash(it.sha256) : `→ ${e(it.linkTarget ?? '')}`}</td><td>${e(it.manifestStatus ?? '')}</td></tr>`,
    )
    .join('\n');
  const mc = m.manifestChecks;
  return `<section id="evidence"><h2>Evidence</h2>
<p>${m.evidence.count} file${m.evidence.count === 1 ? '' : 's'}, ${e(humanBytes(m.evidence.totalBytes))}, each stored read-only under its SHA-256 (${link('evidence.sha256', 'evidence.sha256')}). Checksum lists found in the bundles: ${mc.matched} matched, ${mc.mismatched} mismatched, ${mc.missing} missing, ${mc.new} new.</p>
${evidenceChart(m.evidence.items)}
<table class="evidence"><thead><tr><th>Path</th><th>Kind</th><th>Size</th><th>SHA-256</th><th>Checksum list</th></tr></thead><tbody>
${rows}
</tbody></table>
${more > 0 ? `<p class="note">${more} more in ${link('evidence.sha256', 'evidence.sha256')} and report.json.</p>` : ''}
</section>`;
}

function eventRow(ev: CustodyEvent, signerNames: Map<string, string | null>): string {
  const who = ev.signer
    ? `${e(signerNames.get(ev.signer) ?? 'unknown')} <code class="hash">${e(ev.signer.slice(0, 8))}</code>`
    : '<span class="muted">unsigned</span>';
  const [day = '', time = ''] = ev.at.replace(/\.\d+Z$/, 'Z').split('T');
  const at = `<span class="nowrap">${e(day)}</span> <span class="nowrap">${e(time)}</span>`;
  return `<tr id="seq-${ev.seq}"><td class="num">${ev.seq}</td><td>${at}</td><td>${e(ev.actor)}</td><td class="nowrap">${e(ev.action)}</td><td class="path">${e(ev.subject)}</td><td class="nowrap">${who}</td><td class="nowrap"><code class="hash">${e(ev.hash.slice(0, 10))}</code></td></tr>`;
}

function custodySection(m: ReportModel, events: CustodyEvent[]): string {
  const c = m.custody;
  const names = new Map(c.signers.map((s) => [s.fingerprint, s.name]));
  const notable = events.filter((ev) => ev.action !== 'evidence.stored');
  const shown = notable.slice(-MAX_EVENT_ROWS);
  const signers = c.signers.length
    ? `<ul class="signers">${c.signers.map((s) => `<li>${e(s.name ?? 'unknown custodian')} ${hash(s.fingerprint)}</li>`).join('')}</ul>`
    : '';
  return `<section id="custody"><h2>Custody log</h2>
<p>${c.events} events from ${e(c.firstAt ?? '–')} to ${e(c.lastAt ?? '–')}; ${c.signedEvents} signed (Ed25519), ${c.unsignedEvents} unsigned. Every event is chained to the one before it: <code>hash = sha256(prev_hash ‖ canonical JSON of the event)</code>; the full log is ${link('custody-log.jsonl', 'custody-log.jsonl')}.</p>
${signers}
<p>Chain head: seq ${m.chainHead.lastSeq} ${hash(m.chainHead.lastHash)}</p>
<table class="events"><colgroup><col class="c-seq"><col class="c-at"><col class="c-actor"><col class="c-action"><col class="c-subject"><col class="c-signer"><col class="c-hash"></colgroup><thead><tr><th>Seq</th><th>At (UTC)</th><th>Actor</th><th>Action</th><th>Subject</th><th>Signed by</th><th>Hash</th></tr></thead><tbody>
${shown.map((ev) => eventRow(ev, names)).join('\n')}
</tbody></table>
<p class="note">Shown: every event except the ${c.byAction['evidence.stored'] ?? 0} evidence.stored events${notable.length > shown.length ? ` (the last ${shown.length} of ${notable.length})` : ''}.</p>
</section>`;
}

function verifySection(verifyText: string): string {
  return `<section id="verify"><h2>Verifying this report</h2><pre class="verify">${e(verifyText)}</pre></section>`;
}

export function renderReportHtml(
  m: ReportModel,
  opts: { css: string; events: CustodyEvent[]; verifyText: string },
): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${e(m.generator)}">
<title>${e(m.case.id)} post-mortem — ${e(m.case.title)}</title>
<style>
${opts.css}
</style>
</head>
<body>
<main>
${header(m)}
${incidentSection(m)}
${checklistSection(m)}
${findingsSection(m)}
${scanSection(m)}
${templatesSection(m)}
${remediationSection(m)}
${evidenceSection(m)}
${custodySection(m, opts.events)}
${verifySection(opts.verifyText)}
<footer>Generated by ${e(m.generator)} at ${e(m.generatedAt)}. This document is self-contained and makes no network request.</footer>
</main>
</body>
</html>
`;
}
