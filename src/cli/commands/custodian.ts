/**
 * The custodian commands of `probity`: custodian keys (add, list, rotate, revoke) and signed
 * checkpoints of a case's custody chain. Passphrases come from PROBITY_PASSPHRASE
 * (PROBITY_NEW_PASSPHRASE for a rotation's new key) or a no-echo prompt on the terminal
 * (src/core/keys/passphrase.ts), never from an argument.
 */
import fs from 'node:fs';
import {
  parseSignedCheckpoint,
  checkCheckpointAgainstCase,
  signCheckpoint,
} from '../../core/keys/checkpoint';
import {
  addCustodian,
  listCustodians,
  listExternalCustodians,
  loadKeyring,
  revokeCustodian,
  rotateCustodian,
  type CustodianInfo,
} from '../../core/keys/custodians';
import { obtainPassphrase } from '../../core/keys/passphrase';
import { readLog, verifyLogChain } from '../../core/keys/workstation-log';
import { ProbityError } from '../../core/util/errors';
import type { Command } from '../command';
import { opt, requiredOpt } from '../options';
import { emit, withCase } from '../output';
import { actorFor, passphraseSource, signingCustodian } from '../signing';

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
    const name = requiredOpt(ctx, 'name', 'the custodian’s name');
    const passphrase = await obtainPassphrase(passphraseSource(ctx), {
      envVar: 'PROBITY_PASSPHRASE',
      what: `new custodian ${name}`,
      confirm: true,
    });
    const info = addCustodian(ctx.workstation.home, {
      name,
      role: opt(ctx, 'role'),
      passphrase,
      actor: ctx.actor,
    });
    if (ctx.json) emit(ctx, info);
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
      emit(ctx, { custodians: local, external, logProblems: problems });
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
    const name = requiredOpt(ctx, 'name', 'the custodian to rotate');
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
    if (ctx.json) emit(ctx, r);
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
    const name = requiredOpt(ctx, 'name', 'the custodian to revoke');
    const reason = requiredOpt(ctx, 'reason', 'why the key is revoked');
    const info = revokeCustodian(ctx.workstation.home, { name, reason, actor: ctx.actor });
    if (ctx.json) emit(ctx, info);
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
    const check = opt(ctx, 'check');
    if (!check && opt(ctx, 'sign-as') === undefined) {
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
        if (ctx.json) emit(ctx, { ok: problems.length === 0, checkpoint: signed, problems });
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
      if (ctx.json) emit(ctx, { ...signed, seq: event.seq });
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

export const CUSTODIAN_COMMANDS: Record<string, Command> = {
  'custodian add': custodianAdd,
  'custodian list': custodianList,
  'custodian rotate': custodianRotate,
  'custodian revoke': custodianRevoke,
  checkpoint,
};
