/**
 * model_signing signatures in the evidence (model-signing.ts reads them), checked offline against
 * the evidence beside them, the way `model_signing verify` re-hashes a model folder: every signed
 * resource must be present with the signed digest (matched / mismatched / missing), and every
 * other file of the folder that `ignore_paths` does not exclude is `new` — model_signing would
 * refuse the folder, so Probity fails it too. The signature itself is verified only with what the
 * examiner gives — a key (`--signing-key`) or the CAs a certificate chain must lead to
 * (`--trust-root`); otherwise it is reported as not checked.
 */
import type { KeyObject } from 'node:crypto';
import {
  basename,
  posixDir,
  readEvidenceText,
  relToRoot,
  type CaseFile,
  type CaseFiles,
} from './case-files.ts';
import { hashRange, rangeAlgorithm } from './hash-range.ts';
import {
  parseModelSignature,
  signatureOutcome,
  subjectDigestMatches,
  type ModelSignature,
  type SignatureTrust,
  type SignedResource,
} from './model-signing.ts';
import { reasonOf } from './relabel.ts';
import { item, short, type CheckItem } from './types.ts';

export function isSignatureName(p: string): boolean {
  const b = basename(p).toLowerCase();
  return b.endsWith('.sig') || b.endsWith('.sigstore') || b.endsWith('.sigstore.json');
}

async function resourceDigest(f: CaseFile, r: SignedResource): Promise<string | null> {
  const alg = rangeAlgorithm(r.algorithm);
  if (alg === null) return null;
  if (alg === 'sha256' && r.range === null) return f.sha256;
  const [begin, end] = r.range ? [r.range.start, r.range.end] : [0, f.size];
  return hashRange(f.object, begin, end, alg, f.path);
}

async function checkResource(
  cf: CaseFiles,
  sigPath: string,
  folder: string,
  r: SignedResource,
): Promise<CheckItem> {
  const p = folder === '' ? r.path : `${folder}/${r.path}`;
  const f = cf.byPath.get(p);
  const details = { source: sigPath, resource: r.name, algorithm: r.algorithm, expected: r.digest };
  if (!f) return item('fail', p, `${p}: signed in ${sigPath}, not in the evidence (missing)`, details);
  let actual: string | null;
  try {
    actual = await resourceDigest(f, r);
  } catch (err) {
    return item('fail', p, `${p}: signed range ${r.name} could not be read: ${reasonOf(err)}`, details);
  }
  if (actual === null)
    return item('not-analysed', p, `${p}: digest algorithm ${r.algorithm} is not supported`, details);
  const what = r.range ? `bytes ${r.range.start}..${r.range.end}` : r.algorithm;
  return actual === r.digest
    ? item('pass', p, `${p}: ${what} match the signed digest in ${sigPath}`, { ...details, actual })
    : item(
        'fail',
        p,
        `${p}: ${what} ${short(actual)} but ${sigPath} signed ${short(r.digest)} (mismatched)`,
        {
          ...details,
          actual,
        },
      );
}

function ignored(relPath: string, ignore: readonly string[]): boolean {
  return ignore.some(
    (i) => relPath === i || relPath.startsWith(`${i.replace(/\/$/, '')}/`) || basename(relPath) === i,
  );
}

/** Files of the signed folder that no resource covers and ignore_paths does not exclude. */
function newFiles(cf: CaseFiles, sigFile: CaseFile, folder: string, sig: ModelSignature): CheckItem[] {
  const signed = new Set(sig.resources.map((r) => r.path));
  return cf.files
    .filter((f) => f.path !== sigFile.path && (folder === '' || f.path.startsWith(`${folder}/`)))
    .map((f) => ({ f, r: relToRoot(folder, f.path) }))
    .filter(({ r }) => !signed.has(r) && !ignored(r, sig.ignorePaths))
    .map(({ f }) =>
      item('fail', f.path, `${f.path}: in the signed folder but not covered by ${sigFile.path} (new)`, {
        source: sigFile.path,
        actual: f.sha256,
      }),
    );
}

/** One model_signing bundle: payload consistency, every resource, new files, the signature. */
export async function checkSignatureFile(
  cf: CaseFiles,
  f: CaseFile,
  key: SignatureTrust | KeyObject | null,
): Promise<CheckItem[]> {
  let sig: ModelSignature;
  try {
    sig = parseModelSignature(await readEvidenceText(f, 16 * 1024 * 1024), f.path);
  } catch (err) {
    return [
      item('info', f.path, `${f.path}: not a Sigstore model_signing bundle (${reasonOf(err)})`, {
        source: f.path,
      }),
    ];
  }
  const folder = posixDir(f.path);
  const out: CheckItem[] = [];
  const rootOk = subjectDigestMatches(sig);
  if (rootOk === false)
    out.push(
      item(
        'fail',
        f.path,
        `${f.path}: the subject digest is not the digest of the signed resources (payload altered?)`,
        {
          source: f.path,
          subjects: sig.subjects,
        },
      ),
    );
  for (const r of sig.resources) out.push(await checkResource(cf, f.path, folder, r));
  out.push(...newFiles(cf, f, folder, sig));
  for (const p of sig.problems) out.push(item('info', f.path, `${f.path}: ${p}`, { source: f.path }));
  const outcome = signatureOutcome(sig, key);
  const status =
    outcome.status === 'verified' ? 'pass' : outcome.status === 'failed' ? 'fail' : 'not-analysed';
  out.push(
    item(status, f.path, `${f.path}: ${outcome.reason}`, {
      source: f.path,
      signature: outcome.status,
      predicateType: sig.predicateType,
      resources: sig.resources.length,
      keyHint: sig.keyHint,
      certificate: sig.certificate
        ? {
            subject: sig.certificate.subject,
            issuer: sig.certificate.issuer,
            subjectAltName: sig.certificate.subjectAltName,
          }
        : null,
      tlogEntries: sig.tlogEntries,
      chainCertificates: sig.chain.length,
    }),
  );
  return out;
}
