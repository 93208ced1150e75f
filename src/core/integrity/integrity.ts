/**
 * `probity integrity`: the playbook's four Integrity Verification checks and the Template & tokenizer check on a case, optionally
 * against a known-good baseline case, recorded as findings of stage 'integrity' (one finding per
 * check, plus one per failing item, numbers in `details`) under one custody event.
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import type { IntegrityRunOptions, ItemCounts, TrustRootCandidate } from '../../shared/integrity';
import { withFileSource } from '../formats/reader.ts';
import { readFileBounded } from '../formats/text.ts';
import { recordFindings, type NewFinding } from '../store/findings.ts';
import type { CaseStore } from '../store/workstation.ts';
import { fileError, ProbityError } from '../util/errors.ts';
import { evidenceAdapters, joinAdapters, servingFacts } from './adapter-sources.ts';
import { auditAdapters, parseAuthorizedAdapters, type AuthorizedAdapter } from './adapter-audit.ts';
import { checkArchitecture } from './architecture.ts';
import { loadCaseFiles, type CaseFile, type CaseFiles } from './case-files.ts';
import { checkConfiguration, flattenDocuments, type ApprovedConfig } from './configuration.ts';
import { checkFileIntegrity } from './file-integrity.ts';
import { loadModelFacts, type ModelFacts } from './model-facts.ts';
import { loadCertificates, loadPublicKey } from './model-signing.ts';
import { baseModelNames, loadProvenanceChains } from './provenance.ts';
import { remoteCodeItems } from './remote-code.ts';
import { parseConfigDocuments } from './serving-config.ts';
import { caseTriggers, checkTemplatesTokenizers } from './template-tokenizer.ts';
import { runStatus, safeDetails, type CheckResult, type CheckStatus } from './types.ts';

export interface IntegrityOptions {
  baseline?: CaseStore | null;
  authorized?: { label: string; sha256: string; list: AuthorizedAdapter[] } | null;
  approvedConfig?: (ApprovedConfig & { sha256: string }) | null;
  signingKey?: { label: string; sha256: string; key: KeyObject; certificate: X509Certificate | null } | null;
  /** `--trust-root`: the CA certificates a model_signing certificate chain must lead to. */
  trustRoot?: { label: string; sha256: string; certificates: X509Certificate[] } | null;
  /** Trigger strings to render the chat templates with (besides the case's trigger scan). */
  triggers?: string[];
}

export interface IntegrityReport {
  caseId: string;
  baseline: string | null;
  status: CheckStatus;
  checks: CheckResult[];
}

const OPTION_FILE_MAX = 16 * 1024 * 1024;

async function readOptionFile(file: string, flag: string): Promise<{ text: string; sha256: string }> {
  try {
    const { text } = await readFileBounded(file, OPTION_FILE_MAX);
    return { text, sha256: createHash('sha256').update(text).digest('hex') };
  } catch (err) {
    if (err instanceof ProbityError)
      throw new ProbityError(err.code, `${flag} ${err.message}`, { file, cause: err });
    throw err;
  }
}

export async function loadAuthorizedAdapters(
  file: string,
): Promise<NonNullable<IntegrityOptions['authorized']>> {
  const { text, sha256 } = await readOptionFile(file, '--authorized-adapters');
  return { label: file, sha256, list: parseAuthorizedAdapters(text, file) };
}

/**
 * An authorized list typed in the app rather than read from a file: names one per line or
 * comma-separated, each optionally followed by its sha256 (`name sha256`), as in the file format.
 * Empty text is no list at all (so no adapter is authorized).
 */
export function authorizedAdaptersFromText(
  text: string,
  label = 'entered in the app',
): NonNullable<IntegrityOptions['authorized']> | null {
  const normalized = text
    .split(/[\r\n,]+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
  if (normalized === '') return null;
  const sha256 = createHash('sha256').update(normalized).digest('hex');
  return { label, sha256, list: parseAuthorizedAdapters(normalized, label) };
}

/** The options a run used, as the wire shows them. */
export function integrityRunOptions(opts: IntegrityOptions): IntegrityRunOptions {
  return {
    authorizedAdapters: opts.authorized
      ? {
          label: opts.authorized.label,
          sha256: opts.authorized.sha256,
          names: opts.authorized.list.map((a) => a.name),
        }
      : null,
    approvedConfig: opts.approvedConfig
      ? { label: opts.approvedConfig.label, sha256: opts.approvedConfig.sha256 }
      : null,
    trustRoot: opts.trustRoot
      ? {
          label: opts.trustRoot.label,
          sha256: opts.trustRoot.sha256,
          subjects: opts.trustRoot.certificates.map((c) => c.subject.replace(/\n/g, ', ')),
        }
      : null,
  };
}

export async function loadApprovedConfig(
  file: string,
): Promise<NonNullable<IntegrityOptions['approvedConfig']>> {
  const { text, sha256 } = await readOptionFile(file, '--approved-config');
  const docs = parseConfigDocuments(text, file);
  if (docs.length === 0) throw fileError('malformed', file, 'empty configuration');
  return { label: file, flat: flattenDocuments(docs), sha256 };
}

export async function loadSigningKey(file: string): Promise<NonNullable<IntegrityOptions['signingKey']>> {
  const { text, sha256 } = await readOptionFile(file, '--signing-key');
  try {
    const certificate = text.includes('BEGIN CERTIFICATE') ? new X509Certificate(text) : null;
    return { label: file, sha256, key: loadPublicKey(text), certificate };
  } catch (err) {
    throw fileError('malformed', file, `not a PEM public key or certificate: ${(err as Error).message}`);
  }
}

export async function loadTrustRoot(file: string): Promise<NonNullable<IntegrityOptions['trustRoot']>> {
  const { text, sha256 } = await readOptionFile(file, '--trust-root');
  return trustRootFromText(text, file, sha256, file);
}

/** CA certificates from PEM text: every certificate must be a CA (basic constraints). */
function trustRootFromText(
  text: string,
  label: string,
  sha256: string,
  file: string,
): NonNullable<IntegrityOptions['trustRoot']> {
  let certificates: X509Certificate[];
  try {
    certificates = loadCertificates(text);
  } catch (err) {
    throw fileError(
      'malformed',
      file,
      `--trust-root: not a PEM certificate or bundle: ${(err as Error).message}`,
    );
  }
  const notCa = certificates.filter((c) => !c.ca);
  if (notCa.length > 0)
    throw fileError(
      'malformed',
      file,
      `--trust-root: ${notCa.map((c) => c.subject.replace(/\n/g, ', ')).join('; ')} is not a CA certificate (basic constraints)`,
    );
  return { label, sha256, certificates };
}

/** Evidence larger than this is not looked at as a certificate file. */
const PEM_EVIDENCE_MAX = 1024 * 1024;
const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_HEAD = 8192;

/** The certificates of one evidence file when it is PEM text holding at least one; else null. */
async function evidenceCertificates(f: CaseFile): Promise<X509Certificate[] | null> {
  if (f.size > PEM_EVIDENCE_MAX || f.size < PEM_BEGIN.length) return null;
  // A PEM file shows its first BEGIN line early (after at most some openssl "Bag Attributes" or
  // comment lines): only files that do are read whole, so listing a large case stays cheap.
  const head = await withFileSource(f.object, (src) => src.read(0, Math.min(src.size, PEM_HEAD)));
  if (!head.toString('latin1').includes('-----BEGIN ')) return null;
  let text: string;
  try {
    ({ text } = await readFileBounded(f.object, PEM_EVIDENCE_MAX));
  } catch (err) {
    if (err instanceof ProbityError && err.code === 'malformed') return null; // not UTF-8 text
    throw err;
  }
  if (!text.includes(PEM_BEGIN)) return null;
  try {
    return loadCertificates(text);
  } catch {
    return null; // a PEM block that does not parse is not offered as a trust root
  }
}

/**
 * The case's evidence files that are PEM certificates (a CA bundle shipped with a signed model,
 * keys/ca-cert.pem…), each with its certificates, for the examiner to choose a trust root from.
 */
export async function trustRootCandidates(cf: CaseFiles): Promise<TrustRootCandidate[]> {
  const out: TrustRootCandidate[] = [];
  for (const f of cf.files) {
    const certs = await evidenceCertificates(f);
    if (!certs) continue;
    out.push({
      evidenceId: f.id,
      path: f.path,
      sha256: f.sha256,
      certificates: certs.map((c) => ({
        subject: c.subject.replace(/\n/g, ', '),
        ca: c.ca,
        fingerprint256: c.fingerprint256,
      })),
    });
  }
  return out;
}

/** A trust root taken from one of the case's own evidence files, named by its evidence id. */
export async function trustRootFromEvidence(
  cf: CaseFiles,
  evidenceId: number,
): Promise<NonNullable<IntegrityOptions['trustRoot']>> {
  const f = cf.files.find((x) => x.id === evidenceId);
  if (!f)
    throw new ProbityError(
      'not-found',
      `evidence #${evidenceId} is not a stored file of case ${cf.caseId} (give one listed as a trust-root candidate)`,
    );
  const certs = await evidenceCertificates(f);
  if (!certs)
    throw fileError('malformed', f.path, `evidence #${evidenceId}: not a PEM certificate or bundle`);
  const label = `evidence ${f.path} (#${f.id}, case ${cf.caseId})`;
  const root = trustRootFromText(certs.map((c) => c.toString()).join('\n'), label, f.sha256, f.path);
  return root;
}

function knownModelNames(f: ModelFacts, names: readonly string[]): string[] {
  const out = [...names];
  if (f.config?.nameOrPath) out.push(f.config.nameOrPath);
  for (const g of f.ggufs) {
    const p = g.header.provenance;
    out.push(
      ...[p.name, p.basename, p.sourceRepo, ...p.baseModels.map((b) => b.name)].filter(
        (x): x is string => !!x,
      ),
    );
  }
  return [...new Set(out.filter((s) => s.trim() !== ''))];
}

async function chainNames(cf: CaseFiles | null): Promise<string[]> {
  if (!cf) return [];
  const { chains } = await loadProvenanceChains(cf);
  return [...baseModelNames(chains), ...chains.map((c) => c.model ?? '')];
}

/** Run the five checks on a case (nothing is recorded: see {@link recordIntegrity}). */
export async function runIntegrity(store: CaseStore, opts: IntegrityOptions = {}): Promise<IntegrityReport> {
  const triggers = [...new Set([...(opts.triggers ?? []), ...caseTriggers(store)])];
  return runChecks(loadCaseFiles(store), opts.baseline ? loadCaseFiles(opts.baseline) : null, {
    ...opts,
    triggers,
  });
}

/** The five checks over a case's files and, optionally, a baseline's. */
export async function runChecks(
  cf: CaseFiles,
  base: CaseFiles | null,
  opts: Omit<IntegrityOptions, 'baseline'> = {},
): Promise<IntegrityReport> {
  const facts = await loadModelFacts(cf);
  const baseFacts = base ? await loadModelFacts(base) : null;
  const fileIntegrity = await checkFileIntegrity(cf, {
    baseline: base,
    signingKey: opts.signingKey?.key ?? null,
    trust: {
      key: opts.signingKey?.key ?? null,
      keyCertificate: opts.signingKey?.certificate ?? null,
      roots: opts.trustRoot?.certificates ?? [],
    },
  });
  const architecture = checkArchitecture(facts, baseFacts, remoteCodeItems(facts, cf, base));
  const serving = await servingFacts(cf);
  const names = knownModelNames(facts, [...(await chainNames(cf)), ...(await chainNames(base))]);
  const adapterAudit = auditAdapters({
    adapters: joinAdapters(await evidenceAdapters(cf), serving.named),
    serving,
    authorized: opts.authorized?.list ?? [],
    authorizedSource: opts.authorized?.label ?? null,
    model: facts,
    knownBaseNames: names,
  });
  const configuration = await checkConfiguration(
    cf,
    opts.approvedConfig ?? null,
    base,
    facts.config?.cfg.maxPositionEmbeddings ?? null,
  );
  const templates = await checkTemplatesTokenizers(cf, base, { triggers: opts.triggers ?? [] });
  const checks = [fileIntegrity, architecture, adapterAudit, configuration, templates];
  return { caseId: cf.caseId, baseline: base?.caseId ?? null, status: runStatus(checks), checks };
}

/** One finding per check (its reasons and numbers in details) and one per failing item. */
/** How many items of each status a check compared. */
export function itemCounts(items: { status: string }[]): ItemCounts {
  const n = (status: string) => items.filter((i) => i.status === status).length;
  return { pass: n('pass'), fail: n('fail'), info: n('info'), notAnalysed: n('not-analysed') };
}

export function integrityFindings(report: IntegrityReport): NewFinding[] {
  const out: NewFinding[] = [];
  for (const c of report.checks) {
    out.push({
      check: c.check,
      status: c.status,
      subject: null,
      summary: `${c.title}: ${c.summary}`,
      details: safeDetails({
        ...c.details,
        reasons: c.reasons,
        baseline: report.baseline,
        // Only failing items are recorded one by one: the others are kept as counts.
        itemCounts: itemCounts(c.items),
      }),
    });
    for (const i of c.items.filter((x) => x.status === 'fail'))
      out.push({
        check: c.check,
        status: 'fail',
        subject: i.subject,
        summary: i.summary,
        details: safeDetails(i.details),
      });
  }
  return out;
}

export function recordIntegrity(
  store: CaseStore,
  report: IntegrityReport,
  actor: string,
  opts: IntegrityOptions = {},
): ReturnType<typeof recordFindings> {
  return recordFindings(store, {
    stage: 'integrity',
    actor,
    inputs: {
      baseline: report.baseline,
      authorizedAdapters: opts.authorized
        ? {
            file: opts.authorized.label,
            sha256: opts.authorized.sha256,
            names: opts.authorized.list.map((a) => a.name),
          }
        : null,
      approvedConfig: opts.approvedConfig
        ? { file: opts.approvedConfig.label, sha256: opts.approvedConfig.sha256 }
        : null,
      triggers: opts.triggers ?? [],
      signingKey: opts.signingKey ? { file: opts.signingKey.label, sha256: opts.signingKey.sha256 } : null,
      trustRoot: opts.trustRoot
        ? {
            file: opts.trustRoot.label,
            sha256: opts.trustRoot.sha256,
            certificates: opts.trustRoot.certificates.map((c) => c.fingerprint256),
            subjects: opts.trustRoot.certificates.map((c) => c.subject.replace(/\n/g, ', ')),
          }
        : null,
    },
    findings: integrityFindings(report),
  });
}
