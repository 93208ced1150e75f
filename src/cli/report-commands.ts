/**
 * CLI commands for custodian keys, signed checkpoints, the post-mortem bundle and case transfer.
 * Passphrases come from PROBITY_PASSPHRASE (PROBITY_NEW_PASSPHRASE for a rotation's new key) or a
 * no-echo prompt on the terminal (src/core/keys/passphrase.ts), never from an argument.
 */
import fs from 'node:fs';
import { parseSignedCheckpoint, checkCheckpointAgainstCase, signCheckpoint } from '../core/keys/checkpoint';
import {
  addCustodian,
  listCustodians,
  listExternalCustodians,
  loadKeyring,
  revokeCustodian,
  rotateCustodian,
  type CustodianInfo,
} from '../core/keys/custodians';
import { obtainPassphrase } from '../core/keys/passphrase';
import { readLog, verifyLogChain } from '../core/keys/workstation-log';
import { exportReport, parseFormats } from '../core/report/bundle';
import { verifyReportBundle } from '../core/report/verify-bundle';
import { exportCase } from '../core/transfer/case-export';
import { importCase } from '../core/transfer/case-import';
import { ProbityError } from '../core/util/errors';
import { humanBytes } from '../core/util/format';
import type { Command, CommandContext } from './commands';
import { PROBITY_VERSION } from './host-commands';
import { emitJson, withCase } from './output';
import { actorFor, passphraseSource, signingCustodian } from './signing';

const GENERATOR = `probity ${PROBITY_VERSION}`;

function requiredString(ctx: CommandContext, name: string, hint: string): string {
  const v = ctx.options[name];
  if (typeof v !== 'string' || v.trim() === '')
    throw new ProbityError('usage', `--${name} is required: ${hint}`);
  return v.trim();
}

function describeCustodian(c: CustodianInfo): string {
  return `${c.name} (${c.role}) ${c.fingerprint}`;
}

const custodianAdd: Command = {
  summary:
    'Make an Ed25519 key pair for a custodian; the private key is stored encrypted with a passphrase (PROBITY_PASSPHRASE or a prompt). Prints the fingerprint (SHA-256 of the public key).',
  usage: '--name NAME [--role ROLE] [--home DIR] [--json]',
  positionals: [],
  options: { name: { type: 'string' }, role: { type: 'string' } },
  async run(ctx) {
    const name = requiredString(ctx, 'name', 'the custodian’s name');
    const passphrase = await obtainPassphrase(passphraseSource(ctx), {
      envVar: 'PROBITY_PASSPHRASE',
      what: `new custodian ${name}`,
      confirm: true,
    });
    const info = addCustodian(ctx.workstation.home, {
      name,
      role: ctx.options.role as string | undefined,
      passphrase,
      actor: ctx.actor,
    });
    if (ctx.json) emitJson(ctx, info);
    else ctx.stdout.write(`custodian ${describeCustodian(info)}\n`);
    return 0;
  },
};

const custodianList: Command = {
  summary:
    'List the custodians of this workstation with roles, status and key fingerprints, and check the custodian log.',
  usage: '[--home DIR] [--json]',
  positionals: [],
  options: {},
  async run(ctx) {
    const home = ctx.workstation.home;
    const local = listCustodians(home);
    const external = listExternalCustodians(home);
    const problems = verifyLogChain(readLog(home));
    if (ctx.json) {
      emitJson(ctx, { custodians: local, external, logProblems: problems });
      return problems.length ? 1 : 0;
    }
    if (local.length === 0 && external.length === 0) ctx.stderr.write('no custodians on this workstation\n');
    const rows = [...local, ...external].map(
      (c) =>
        `${c.name.padEnd(16)} ${(c.external ? 'external' : c.status).padEnd(8)} ${c.role.padEnd(22)} ${c.fingerprint}`,
    );
    if (rows.length)
      ctx.stdout.write(
        `${'NAME'.padEnd(16)} ${'STATUS'.padEnd(8)} ${'ROLE'.padEnd(22)} FINGERPRINT (SHA-256 of SPKI)\n${rows.join('\n')}\n`,
      );
    for (const p of problems) ctx.stderr.write(`custodians/log.jsonl: ${p}\n`);
    return problems.length ? 1 : 0;
  },
};

const custodianRotate: Command = {
  summary:
    'Replace a custodian’s key: the old key (PROBITY_PASSPHRASE) signs the change, the new key gets PROBITY_NEW_PASSPHRASE (or prompts). Old signatures stay valid.',
  usage: '--name NAME [--home DIR] [--json]',
  positionals: [],
  options: { name: { type: 'string' } },
  async run(ctx) {
    const name = requiredString(ctx, 'name', 'the custodian to rotate');
    const src = passphraseSource(ctx);
    const passphrase = await obtainPassphrase(src, {
      envVar: 'PROBITY_PASSPHRASE',
      what: `custodian ${name} (current key)`,
    });
    const newPassphrase = await obtainPassphrase(src, {
      envVar: 'PROBITY_NEW_PASSPHRASE',
      what: `custodian ${name} (new key)`,
      confirm: true,
    });
    const r = rotateCustodian(ctx.workstation.home, { name, passphrase, newPassphrase, actor: ctx.actor });
    if (ctx.json) emitJson(ctx, r);
    else
      ctx.stdout.write(
        `custodian ${r.info.name}: key ${r.previousFingerprint} retired, now ${r.info.fingerprint}\n`,
      );
    return 0;
  },
};

const custodianRevoke: Command = {
  summary:
    'Revoke a custodian’s key for good (lost, stolen, person left). No passphrase needed. Signatures dated later are named by verify.',
  usage: '--name NAME --reason TEXT [--home DIR] [--json]',
  positionals: [],
  options: { name: { type: 'string' }, reason: { type: 'string' } },
  async run(ctx) {
    const name = requiredString(ctx, 'name', 'the custodian to revoke');
    const reason = requiredString(ctx, 'reason', 'why the key is revoked');
    const info = revokeCustodian(ctx.workstation.home, { name, reason, actor: ctx.actor });
    if (ctx.json) emitJson(ctx, info);
    else ctx.stdout.write(`custodian ${info.name} (${info.fingerprint}) revoked: ${reason}\n`);
    return 0;
  },
};

const checkpoint: Command = {
  summary:
    'Sign the custody chain head {caseId, lastSeq, lastHash, at} as a custodian, record it, and print it for a second custodian to pin; or --check a pinned checkpoint against the case (exit 1 if the log changed under it).',
  usage: '<case-id> (--sign-as NAME | --check FILE) [--home DIR] [--json]',
  positionals: ['<case-id>'],
  options: { 'sign-as': { type: 'string' }, check: { type: 'string' } },
  async run(ctx) {
    const check = ctx.options.check as string | undefined;
    if (!check && typeof ctx.options['sign-as'] !== 'string') {
      throw new ProbityError('usage', 'checkpoint needs --sign-as NAME (to sign) or --check FILE (to check)');
    }
    return withCase(ctx, async (store) => {
      if (check) {
        let text: string;
        try {
          text = fs.readFileSync(check, 'utf8');
        } catch (err) {
          throw new ProbityError('unreadable', `${check}: cannot read the checkpoint`, {
            file: check,
            cause: err,
          });
        }
        const signed = parseSignedCheckpoint(text, check);
        const problems = checkCheckpointAgainstCase(store, signed, loadKeyring(ctx.workstation.home).keyring);
        if (ctx.json) emitJson(ctx, { ok: problems.length === 0, checkpoint: signed, problems });
        else if (problems.length === 0)
          ctx.stdout.write(
            `${store.id}: checkpoint holds — seq ${signed.checkpoint.lastSeq} still ${signed.checkpoint.lastHash}, signed by ${signed.signer.name} (${signed.signer.fingerprint})\n`,
          );
        else for (const p of problems) ctx.stdout.write(`${store.id}: ${p}\n`);
        return problems.length ? 1 : 0;
      }
      const custodian = (await signingCustodian(ctx))!;
      const { signed, event } = signCheckpoint(
        store,
        ctx.workstation.home,
        custodian,
        actorFor(ctx, custodian),
      );
      if (ctx.json) emitJson(ctx, { ...signed, seq: event.seq });
      else {
        ctx.stdout.write(`${JSON.stringify(signed)}\n`);
        ctx.stderr.write(
          `${store.id}: checkpoint at seq ${signed.checkpoint.lastSeq} signed by ${custodian.name} (${custodian.fingerprint}); recorded as seq ${event.seq}\n`,
        );
      }
      return 0;
    });
  },
};

const reportExport: Command = {
  summary:
    'Write the post-mortem bundle: report.json/.html/.pdf, evidence.sha256, custody-log.jsonl, MANIFEST.sha256 (+ Ed25519 signature and signer.pub.pem with --sign-as) and VERIFY.txt with the sha256sum and openssl commands that check it offline. PDF needs Chromium.',
  usage: '<case-id> --out DIR [--sign-as NAME] [--format html,pdf,json] [--home DIR] [--json]',
  positionals: ['<case-id>'],
  options: { out: { type: 'string' }, 'sign-as': { type: 'string' }, format: { type: 'string' } },
  async run(ctx) {
    const out = requiredString(ctx, 'out', 'the folder to write the bundle to');
    const formats = parseFormats(ctx.options.format as string | undefined);
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
      if (ctx.json) emitJson(ctx, r);
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
    const r = await verifyReportBundle(ctx.args[0]!, { pin: ctx.options.pin as string | undefined });
    if (ctx.json) {
      emitJson(ctx, r);
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

const caseExport: Command = {
  summary:
    'Archive a case for another workstation: a .tar with a consistent case.db snapshot, every object, MANIFEST.sha256 and, with --sign-as, its Ed25519 signature.',
  usage: '<case-id> --out FILE.tar [--sign-as NAME] [--home DIR] [--json]',
  positionals: ['<case-id>'],
  options: { out: { type: 'string' }, 'sign-as': { type: 'string' } },
  async run(ctx) {
    const out = requiredString(ctx, 'out', 'the .tar file to write');
    return withCase(ctx, async (store) => {
      const custodian = await signingCustodian(ctx);
      const r = await exportCase({
        store,
        home: ctx.workstation.home,
        out,
        actor: actorFor(ctx, custodian),
        custodian,
      });
      if (ctx.json) emitJson(ctx, r);
      else {
        ctx.stdout.write(`${r.out}\n`);
        ctx.stderr.write(
          `${r.caseId}: ${r.objects} objects (${humanBytes(r.bytes)}) through seq ${r.throughSeq}; ` +
            (r.signer ? `signed by ${r.signer.name} (${r.signer.fingerprint})\n` : 'not signed\n'),
        );
      }
      return 0;
    });
  },
};

const caseImport: Command = {
  summary:
    'Import a case archive only if its manifest, signature (and --pin) and a full verification of the case all hold; otherwise nothing changes and the reason is printed (exit 1).',
  usage: '<file.tar> [--pin FINGERPRINT] [--sign-as NAME] [--home DIR] [--json]',
  positionals: ['<file.tar>'],
  options: { pin: { type: 'string' }, 'sign-as': { type: 'string' } },
  async run(ctx) {
    const custodian = await signingCustodian(ctx);
    const r = await importCase({
      workstation: ctx.workstation,
      file: ctx.args[0]!,
      actor: actorFor(ctx, custodian),
      pin: ctx.options.pin as string | undefined,
      custodian,
    });
    if (ctx.json) emitJson(ctx, r);
    else {
      ctx.stdout.write(`${r.caseId}\n`);
      ctx.stderr.write(
        `${r.caseId}: imported and verified — ${r.objects} objects, custody chain through seq ${r.verification.lastSeq}; ` +
          (r.signer
            ? `archive signed by ${r.signer.name ?? 'unknown'} (${r.signer.fingerprint})\n`
            : 'archive not signed\n'),
      );
      for (const n of r.verification.notes) ctx.stderr.write(`note: ${n}\n`);
      for (const k of r.newKeys)
        ctx.stderr.write(
          `new key learnt from the case: ${k.name} (${k.fingerprint}) — compare this fingerprint with ${k.name} out of band\n`,
        );
    }
    return 0;
  },
};

export const REPORT_COMMANDS: Record<string, Command> = {
  'custodian add': custodianAdd,
  'custodian list': custodianList,
  'custodian rotate': custodianRotate,
  'custodian revoke': custodianRevoke,
  checkpoint,
  'report export': reportExport,
  'report verify': reportVerify,
  'case export': caseExport,
  'case import': caseImport,
};
