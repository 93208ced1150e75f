/**
 * The report commands of `probity`: write the post-mortem bundle (report export) and check one
 * (report verify), signed by a custodian with --sign-as.
 */
import { loadKeyring } from '../../core/keys/custodians';
import { exportReport, parseFormats } from '../../core/report/bundle';
import { verifyReportBundle } from '../../core/report/verify-bundle';
import type { Command } from '../command';
import { opt, requiredOpt } from '../options';
import { emit, withCase } from '../output';
import { actorFor, signingCustodian } from '../signing';
import { PROBITY_VERSION } from '../version';

const GENERATOR = `probity ${PROBITY_VERSION}`;

const reportExport: Command = {
  summary:
    'Write the post-mortem bundle: report.json/.html/.pdf, evidence.sha256, custody-log.jsonl, MANIFEST.sha256 (+ Ed25519 signature and signer.pub.pem with --sign-as) and VERIFY.txt with the sha256sum and openssl commands that check it offline. PDF needs Chromium.',
  usage: '<case-id> --out DIR [--sign-as NAME] [--format html,pdf,json] [--home DIR] [--json]',
  positionals: ['<case-id>'],
  options: { out: { type: 'string' }, 'sign-as': { type: 'string' }, format: { type: 'string' } },
  async run(ctx) {
    const out = requiredOpt(ctx, 'out', 'the folder to write the bundle to');
    const formats = parseFormats(opt(ctx, 'format'));
    return withCase(ctx, async (store) => {
      const custodian = await signingCustodian(ctx);
      const r = await exportReport({
        store,
        home: ctx.workstation.home,
        out,
        formats,
        actor: actorFor(ctx, custodian),
        generator: GENERATOR,
        custodian,
        keyring: loadKeyring(ctx.workstation.home).keyring,
      });
      if (ctx.json) emit(ctx, r);
      else {
        ctx.stdout.write(`${r.out}\n`);
        ctx.stderr.write(
          `${store.id}: ${r.files.length} files; MANIFEST.sha256 ${r.manifestSha256}; chain head seq ${r.chainHead.lastSeq}; ` +
            (r.signer
              ? `signed by ${r.signer.name} (${r.signer.fingerprint})\n`
              : 'NOT signed (no --sign-as)\n'),
        );
      }
      return 0;
    });
  },
};

const reportVerify: Command = {
  summary:
    'Check a post-mortem bundle: every file against MANIFEST.sha256 (altered, missing, extra), the Ed25519 signature, the custody log inside it; --pin requires a given signer fingerprint. Needs no case on this workstation.',
  usage: '<dir> [--pin FINGERPRINT] [--json]',
  positionals: ['<dir>'],
  options: { pin: { type: 'string' } },
  async run(ctx) {
    const r = await verifyReportBundle(ctx.args[0]!, { pin: opt(ctx, 'pin') });
    if (ctx.json) {
      emit(ctx, r);
      return r.ok ? 0 : 1;
    }
    if (r.ok) {
      const known = r.signer
        ? loadKeyring(ctx.workstation.home).keyring.get(r.signer.fingerprint)
        : undefined;
      const who = r.signer
        ? `signed by ${known ? `custodian ${known.name}` : 'a key not known on this workstation'} (${r.signer.fingerprint})`
        : 'NOT signed: the files match the manifest, but nothing says who made it';
      ctx.stdout.write(`${r.dir}: OK — ${r.filesChecked} files match MANIFEST.sha256; ${who}\n`);
    } else {
      ctx.stdout.write(
        `${r.dir}: FAILED — ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}\n`,
      );
      for (const p of r.problems) ctx.stdout.write(`  ${p}\n`);
    }
    return r.ok ? 0 : 1;
  },
};

export const REPORT_COMMANDS: Record<string, Command> = {
  'report export': reportExport,
  'report verify': reportVerify,
};
