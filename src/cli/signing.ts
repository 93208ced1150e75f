/**
 * `--sign-as <custodian>`, shared by every command that appends custody events for a custodian.
 * The passphrase comes from PROBITY_PASSPHRASE or a no-echo prompt (src/core/keys/passphrase.ts),
 * never from an argument. The key is opened before the command touches the case, so a wrong
 * passphrase, an unknown custodian or a revoked key refuses the command with nothing appended.
 */
import { prepareCaseSigner } from '../core/keys/case-signer';
import { unlockCustodian, type UnlockedCustodian } from '../core/keys/custodians';
import { obtainPassphrase, type PassphraseSource } from '../core/keys/passphrase';
import type { EventSigner } from '../core/store/custody';
import type { CaseStore } from '../core/store/workstation';
import { ProbityError } from '../core/util/errors';
import type { CommandContext } from './command';

export function passphraseSource(ctx: CommandContext): PassphraseSource {
  return { env: process.env, input: process.stdin, output: ctx.stderr };
}

/** Who the events name: --actor when given, else the signing custodian, else the OS user. */
export function actorFor(ctx: CommandContext, custodian: UnlockedCustodian | null): string {
  return typeof ctx.options.actor === 'string' ? ctx.actor : (custodian?.name ?? ctx.actor);
}

/**
 * The custodian named by --sign-as, unlocked with its passphrase; null without --sign-as. Every
 * refusal names the custodian: "custodian NAME: <reason>".
 */
export async function signingCustodian(ctx: CommandContext): Promise<UnlockedCustodian | null> {
  const name = ctx.options['sign-as'];
  if (typeof name !== 'string') return null;
  try {
    const passphrase = await obtainPassphrase(passphraseSource(ctx), {
      envVar: 'PROBITY_PASSPHRASE',
      what: `custodian ${name}`,
    });
    return unlockCustodian(ctx.workstation.home, name, passphrase);
  } catch (err) {
    if (!(err instanceof ProbityError) || err.code === 'cancelled') throw err;
    if (err.message.includes(`custodian ${name}`)) throw err;
    throw new ProbityError(err.code, `custodian ${name}: ${err.message}`, {
      file: err.file,
      cause: err,
      exitCode: err.exitCode,
    });
  }
}

/**
 * The signer for a command's events in one case: introduces the custodian's key to the case
 * first (case-signer.ts). Undefined without a custodian: the events are then unsigned.
 */
export function caseSigner(
  ctx: CommandContext,
  store: CaseStore,
  custodian: UnlockedCustodian | null,
): EventSigner | undefined {
  if (!custodian) return undefined;
  const signer = prepareCaseSigner(store.db, ctx.workstation.home, custodian, actorFor(ctx, custodian));
  // The workstation witness entry for this command is signed by the same custodian.
  store.witnessSigner = signer;
  return signer;
}
