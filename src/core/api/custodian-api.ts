/**
 * Key management for the app: the workstation's custodians (add, rotate, revoke, list) and a
 * signed checkpoint of a case's custody log. Passphrases arrive with the call and are used once to
 * encrypt or open the key; they are never stored or logged.
 */
import { z } from 'zod';
import type { ArgsOf, ResultOf } from '../../shared/contract';
import type { CustodianView } from '../../shared/custodians';
import { signCheckpoint } from '../keys/checkpoint';
import {
  addCustodian,
  listCustodians,
  listExternalCustodians,
  loadKeyring,
  revokeCustodian,
  rotateCustodian,
  unlockCustodian,
  type CustodianInfo,
  type UnlockedCustodian,
} from '../keys/custodians';
import type { Workstation } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { withOpenCase } from './open-case';

const caseId = z.string().regex(/^AI-IR-\d{4}-\d{4}$/, 'a case id looks like AI-IR-YYYY-NNNN');
const name = z.string().trim().min(1, 'name the custodian').max(64);
const passphrase = z.string().min(1, 'a passphrase is required').max(1024);

export const CUSTODIAN_SCHEMAS = {
  'custodians:list': z.object({}).strict(),
  'custodians:add': z.object({ name, role: z.string().trim().max(100).nullish(), passphrase }).strict(),
  'custodians:rotate': z.object({ name, passphrase, newPassphrase: passphrase }).strict(),
  'custodians:revoke': z
    .object({ name, reason: z.string().trim().min(1, 'a revocation needs a reason').max(1000) })
    .strict(),
  'checkpoint:sign': z.object({ caseId, custodian: name, passphrase }).strict(),
};

type CustodianChannel = keyof typeof CUSTODIAN_SCHEMAS;

const view = ({ schema: _schema, ...info }: CustodianInfo): CustodianView => info;

/** Open a custodian's key for one signature; every refusal names the custodian. */
export function unlockForApp(home: string, custodian: string, pass: string): UnlockedCustodian {
  try {
    return unlockCustodian(home, custodian, pass);
  } catch (err) {
    if (!(err instanceof ProbityError) || err.message.includes(`custodian ${custodian}`)) throw err;
    throw new ProbityError(err.code, `custodian ${custodian}: ${err.message}`, {
      file: err.file,
      cause: err,
    });
  }
}

export function custodianHandlers(opts: { workstation: Workstation; actor: string }): {
  [C in CustodianChannel]: (args: ArgsOf<C>) => Promise<ResultOf<C>>;
} {
  const home = opts.workstation.home;
  return {
    'custodians:list': async () => ({
      custodians: listCustodians(home).map(view),
      external: listExternalCustodians(home).map(view),
      problems: loadKeyring(home).problems,
    }),
    'custodians:add': async (a) =>
      view(
        addCustodian(home, {
          name: a.name,
          role: a.role ?? undefined,
          passphrase: a.passphrase,
          actor: opts.actor,
        }),
      ),
    'custodians:rotate': async (a) => {
      const r = rotateCustodian(home, {
        name: a.name,
        passphrase: a.passphrase,
        newPassphrase: a.newPassphrase,
        actor: opts.actor,
      });
      return { custodian: view(r.info), previousFingerprint: r.previousFingerprint };
    },
    'custodians:revoke': async (a) =>
      view(revokeCustodian(home, { name: a.name, reason: a.reason, actor: opts.actor })),
    'checkpoint:sign': async (a) => {
      const custodian = unlockForApp(home, a.custodian, a.passphrase);
      return withOpenCase(opts.workstation, a.caseId, (store) => {
        const { signed, event } = signCheckpoint(store, home, custodian, custodian.name);
        return { ...signed, seq: event.seq };
      });
    },
  };
}
