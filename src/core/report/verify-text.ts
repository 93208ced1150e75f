/**
 * VERIFY.txt: how to check a bundle with nothing but GNU coreutils and OpenSSL 3, and what each
 * command proves. The commands are the ones the tests run against real binaries.
 */

export const MANIFEST = 'MANIFEST.sha256';
export const MANIFEST_SIG = 'MANIFEST.sha256.sig';
export const SIGNER_PUB = 'signer.pub.pem';

export const SHA256SUM_COMMAND = `sha256sum -c ${MANIFEST}`;
export const OPENSSL_COMMAND = `openssl pkeyutl -verify -pubin -inkey ${SIGNER_PUB} -rawin -in ${MANIFEST} -sigfile ${MANIFEST_SIG}`;
export const FINGERPRINT_COMMAND = `openssl pkey -pubin -in ${SIGNER_PUB} -outform DER | sha256sum`;

/**
 * Lists every name that is in the folder but not in the manifest, or in the manifest but not in
 * the folder, and fails if there is one: `sha256sum -c` alone does not notice an added file.
 * POSIX sh; the manifest's names start at column 67 (64 hex digits and two separator characters).
 */
export function listingCommand(signed: boolean): string {
  const own = signed ? `-e ${MANIFEST} -e ${MANIFEST_SIG}` : `-e ${MANIFEST}`;
  return `! { cut -c67- ${MANIFEST}; ls -A; } | sort | uniq -u | grep -vxF ${own}`;
}

export interface VerifyTextInput {
  caseId: string;
  title: string;
  generatedAt: string;
  generator: string;
  chainHead: { lastSeq: number; lastHash: string };
  signer: { name: string; role: string; fingerprint: string } | null;
}

export function buildVerifyText(v: VerifyTextInput): string {
  const lines = [
    `Probity post-mortem bundle — ${v.caseId}: ${v.title}`,
    `Exported ${v.generatedAt} by ${v.generator}.`,
    v.signer
      ? `Signed by custodian ${v.signer.name} (${v.signer.role}); signing key fingerprint (SHA-256 of the SubjectPublicKeyInfo DER):\n  ${v.signer.fingerprint}`
      : 'This bundle is NOT signed: the checks below show it is self-consistent, not who made it.',
    `Custody chain head at export: seq ${v.chainHead.lastSeq}, hash ${v.chainHead.lastHash}`,
    '',
    'Check it without Probity, in this folder:',
    '',
    `1. Every file is exactly as exported (GNU coreutils; each line must say OK):`,
    `     ${SHA256SUM_COMMAND}`,
    '',
  ];
  if (v.signer) {
    lines.push(
      `2. The manifest was signed with the key in ${SIGNER_PUB} (OpenSSL 3, Ed25519 per RFC 8032;`,
      `   must print "Signature Verified Successfully"):`,
      `     ${OPENSSL_COMMAND}`,
      '',
      `3. The key is the custodian's: its fingerprint must equal the one above and the one the`,
      `   custodian gave you out of band (a bundle re-signed by someone else carries their key):`,
      `     ${FINGERPRINT_COMMAND}`,
      '',
      `4. No file was added or removed (prints the odd names out and fails, else prints nothing):`,
      `     ${listingCommand(true)}`,
    );
  } else {
    lines.push(
      `2. No file was added or removed (prints the odd names out and fails, else prints nothing):`,
      `     ${listingCommand(false)}`,
    );
  }
  lines.push(
    '',
    'What the files are:',
    '  report.json        the post-mortem as data: case, evidence, findings, checklist, custody summary',
    '  report.html/.pdf   the same, for reading and printing',
    '  evidence.sha256    every evidence file, sha256sum format: run `sha256sum -c evidence.sha256`',
    '                     in a copy of the preserved evidence to check it against this report',
    '  custody-log.jsonl  every custody event with prev_hash, hash, signature and signer, where',
    '                     hash = sha256(prev_hash || canonical JSON of {seq, at, actor, action, subject, details})',
    `  ${SIGNER_PUB}     the signing custodian's public key (SPKI PEM, RFC 8410)`,
    `  ${MANIFEST}    sha256sum of every other file; ${MANIFEST_SIG}: its raw 64-byte Ed25519 signature`,
    '',
    'With Probity: probity report verify <this folder> [--pin FINGERPRINT]',
    '',
  );
  return lines.join('\n');
}
