/**
 * `probity report export`: the post-mortem bundle, a flat folder anyone can check offline.
 *
 *   report.json  report.html  report.pdf   the post-mortem (as chosen by --format)
 *   evidence.sha256                        every evidence file, sha256sum format
 *   custody-log.jsonl                      every custody event with prev_hash, hash, signature, signer
 *   signer.pub.pem                         the signing custodian's SPKI public key (RFC 8410), if signed
 *   VERIFY.txt                             the commands that check it without Probity
 *   MANIFEST.sha256                        sha256sum format, every file above
 *   MANIFEST.sha256.sig                    raw 64-byte Ed25519 signature (RFC 8032) of MANIFEST.sha256
 *
 * The bundle is written to a staging folder beside --out and renamed into place when complete,
 * so a failed export never leaves a half bundle that looks whole. When a custodian signs, a
 * checkpoint of the chain head is signed and recorded first, and the export itself is recorded
 * after the rename as a `report.exported` custody event carrying the manifest's SHA-256.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CustodyEvent } from '../../shared/domain';
import { signCheckpoint, type SignedCheckpoint } from '../keys/checkpoint';
import type { Keyring, UnlockedCustodian } from '../keys/custodians';
import { signBytes } from '../keys/ed25519';
import { appendEvent, listEvents } from '../store/custody';
import type { CaseStore } from '../store/workstation';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError, describeFsError } from '../util/errors';
import { loadReportCss, renderReportHtml } from './html';
import { buildReportModel, type ReportModel } from './model';
import { chromiumNotFound, findChromium, printPdf } from './pdf';
import { formatChecksums, sha256File, sha256Of } from './sha256sum';
import { MANIFEST, MANIFEST_SIG, SIGNER_PUB, buildVerifyText } from './verify-text';

export const REPORT_FORMATS = ['html', 'pdf', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ExportReportOptions {
  store: CaseStore;
  home: string;
  out: string;
  formats: readonly ReportFormat[];
  actor: string;
  generator: string;
  custodian?: UnlockedCustodian | null;
  keyring?: Keyring | null;
  /** Chromium binary; default findChromium(). */
  chromium?: string | null;
  /**
   * Prints report.html to report.pdf in place of the system Chromium: the desktop app passes
   * Electron's printToPDF here.
   */
  printPdf?: ((htmlFile: string, pdfFile: string) => Promise<void>) | null;
  cssFile?: string;
}

export interface ExportReportResult {
  out: string;
  files: string[];
  manifestSha256: string;
  signer: { name: string; fingerprint: string } | null;
  chainHead: { lastSeq: number; lastHash: string };
  checkpoint: SignedCheckpoint | null;
  event: CustodyEvent;
}

export function parseFormats(text: string | undefined): ReportFormat[] {
  if (text === undefined) return [...REPORT_FORMATS];
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => !(REPORT_FORMATS as readonly string[]).includes(p));
  if (bad.length || parts.length === 0) {
    throw new ProbityError('usage', `--format ${text}: choose from ${REPORT_FORMATS.join(',')}`);
  }
  return [...new Set(parts)] as ReportFormat[];
}

function checkOut(out: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new ProbityError('unreadable', `${out}: ${describeFsError(err)}`, { file: out });
  }
  if (entries.length)
    throw new ProbityError('conflict', `${out}: already exists and is not empty; choose a new --out`);
}

function custodyLogJsonl(events: CustodyEvent[]): string {
  return events
    .map(
      (e) =>
        `${canonicalJson({
          seq: e.seq,
          at: e.at,
          actor: e.actor,
          action: e.action,
          subject: e.subject,
          details: e.details,
          prev_hash: e.prevHash,
          hash: e.hash,
          signature: e.signature,
          signer: e.signer,
        })}\n`,
    )
    .join('');
}

function evidenceSha256(model: ReportModel): string {
  return formatChecksums(
    model.evidence.items
      .filter((it) => it.sha256 !== null)
      .map((it) => ({ sha256: it.sha256!, name: it.path })),
  );
}

function write(dir: string, name: string, data: string | Buffer): void {
  fs.writeFileSync(path.join(dir, name), data);
}

/** sha256sum lines for every file of the folder except the manifest and its signature, by name. */
async function manifestOf(dir: string): Promise<string> {
  const names = fs
    .readdirSync(dir)
    .filter((n) => n !== MANIFEST && n !== MANIFEST_SIG)
    .sort();
  const lines = [];
  for (const name of names) lines.push({ sha256: await sha256File(path.join(dir, name)), name });
  return formatChecksums(lines);
}

async function writeDocuments(
  dir: string,
  opts: ExportReportOptions,
  model: ReportModel,
  events: CustodyEvent[],
  verifyText: string,
  chromium: string | null,
): Promise<void> {
  if (opts.formats.includes('json')) write(dir, 'report.json', `${JSON.stringify(model, null, 2)}\n`);
  if (!opts.formats.includes('html') && !opts.formats.includes('pdf')) return;
  const css = loadReportCss(opts.cssFile);
  const htmlFile = path.join(dir, 'report.html');
  write(dir, 'report.html', renderReportHtml(model, { css, events, verifyText }));
  if (opts.formats.includes('pdf')) {
    const pdfFile = path.join(dir, 'report.pdf');
    if (opts.printPdf) await opts.printPdf(htmlFile, pdfFile);
    else await printPdf(chromium!, htmlFile, pdfFile);
  }
  if (!opts.formats.includes('html')) fs.rmSync(htmlFile);
}

type SignerInfo = { name: string; role: string; fingerprint: string } | null;

/** The model, the custody events and VERIFY.txt, read from the case as they stand now. */
function reportContent(
  store: CaseStore,
  opts: { generator: string; keyring: Keyring | null; signer: SignerInfo },
): { model: ReportModel; events: CustodyEvent[]; verifyText: string } {
  const model = buildReportModel(store, opts);
  const events = listEvents(store.db);
  const verifyText = buildVerifyText({
    caseId: model.case.id,
    title: model.case.title,
    generatedAt: model.generatedAt,
    generator: opts.generator,
    chainHead: model.chainHead,
    signer: opts.signer,
  });
  return { model, events, verifyText };
}

/**
 * report.html as an export made now would write it, written nowhere and recorded nowhere: the
 * app's live preview. The signer block shows who would sign (null: unsigned).
 */
export function previewReportHtml(
  store: CaseStore,
  opts: { generator: string; keyring?: Keyring | null; signer?: SignerInfo; cssFile?: string },
): string {
  const { model, events, verifyText } = reportContent(store, {
    generator: opts.generator,
    keyring: opts.keyring ?? null,
    signer: opts.signer ?? null,
  });
  return renderReportHtml(model, { css: loadReportCss(opts.cssFile), events, verifyText });
}

export async function exportReport(opts: ExportReportOptions): Promise<ExportReportResult> {
  const out = path.resolve(opts.out);
  checkOut(out);
  const chromium = opts.formats.includes('pdf') && !opts.printPdf ? (opts.chromium ?? findChromium()) : null;
  if (opts.formats.includes('pdf') && !opts.printPdf && !chromium) throw chromiumNotFound();

  const staging = path.join(
    path.dirname(out),
    `.${path.basename(out)}.partial-${randomBytes(4).toString('hex')}`,
  );
  fs.mkdirSync(staging, { recursive: true });
  try {
    const custodian = opts.custodian ?? null;
    const checkpoint = custodian ? signCheckpoint(opts.store, opts.home, custodian, opts.actor).signed : null;
    const signer = custodian
      ? { name: custodian.name, role: custodian.role, fingerprint: custodian.fingerprint }
      : null;
    const { model, events, verifyText } = reportContent(opts.store, {
      generator: opts.generator,
      keyring: opts.keyring ?? null,
      signer,
    });

    write(staging, 'evidence.sha256', evidenceSha256(model));
    write(staging, 'custody-log.jsonl', custodyLogJsonl(events));
    write(staging, 'VERIFY.txt', verifyText);
    if (custodian) write(staging, SIGNER_PUB, custodian.publicKeyPem);
    await writeDocuments(staging, opts, model, events, verifyText, chromium);

    const manifest = await manifestOf(staging);
    write(staging, MANIFEST, manifest);
    if (custodian)
      write(staging, MANIFEST_SIG, signBytes(custodian.privateKey, Buffer.from(manifest, 'utf8')));
    const files = fs.readdirSync(staging).sort();
    if (fs.existsSync(out)) fs.rmdirSync(out); // checked empty above
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.renameSync(staging, out);

    const manifestSha256 = sha256Of(manifest);
    const event = appendEvent(
      opts.store.db,
      {
        actor: opts.actor,
        action: 'report.exported',
        subject: opts.store.id,
        details: {
          out,
          files,
          manifestSha256,
          throughSeq: model.chainHead.lastSeq,
          throughHash: model.chainHead.lastHash,
          signer: custodian ? custodian.fingerprint : null,
        },
      },
      custodian?.signer,
    );
    return {
      out,
      files,
      manifestSha256,
      signer: custodian ? { name: custodian.name, fingerprint: custodian.fingerprint } : null,
      chainHead: model.chainHead,
      checkpoint,
      event,
    };
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
