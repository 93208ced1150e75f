/**
 * Custodians of the workstation and their Ed25519 keys (RFC 8032).
 *
 * Layout under `<home>/custodians/`:
 *
 *   log.jsonl                       hash-chained record of every add / rotate / revoke (workstation-log.ts)
 *   <name>/key.pem                  current private key, encrypted PKCS#8 (key-file.ts), mode 0600
 *   <name>/pub.pem                  current public key, SPKI PEM (RFC 8410)
 *   <name>/custodian.json           name, role, fingerprint, created, status, key history
 *   <name>/keys/<fingerprint>.pem   every public key the custodian ever had, so old signatures verify
 *   external/<fingerprint>/         public keys learnt from imported cases (no private key)
 *
 * Rotation makes a new key, signs the rotation entry with the old one, then deletes the old private
 * key: the old key stays valid for what it signed before the rotation and is "retired" after it.
 * Revocation needs no passphrase (a lost or stolen key is exactly when it is needed) and is final:
 * a revoked custodian signs nothing more; signatures it made before the revocation time still
 * verify, later ones are named by verify.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { EventSigner } from '../store/custody';
import { ProbityError, describeFsError } from '../util/errors';
import { utcNow } from '../util/format';
import { signText } from './ed25519';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  fingerprintOf,
  generateCustodianKeyPair,
  publicKeyPem,
  readPublicKeyPem,
} from './key-file';
import { appendLogEntry, readLog, verifyLogChain } from './workstation-log';

export const CUSTODIAN_SCHEMA = 'probity.custodian/v1';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const RESERVED_NAMES = new Set(['external', 'log.jsonl']);

export type KeyStatus = 'active' | 'retired' | 'revoked';

export interface KeyHistoryEntry {
  fingerprint: string;
  created: string;
  status: KeyStatus;
  /** When a rotation retired the key, or when it was revoked; null while active. */
  endedAt: string | null;
  reason: string | null;
}

/** custodian.json */
export interface CustodianInfo {
  schema: typeof CUSTODIAN_SCHEMA;
  name: string;
  role: string;
  /** SHA-256 of the current public key's SPKI DER, hex. */
  fingerprint: string;
  created: string;
  status: 'active' | 'revoked';
  keys: KeyHistoryEntry[];
  /** Learnt from an imported case: public key only. */
  external: boolean;
}

/** A public key Probity knows, with what it needs to judge a signature made at a given time. */
export interface KnownKey {
  fingerprint: string;
  name: string;
  role: string;
  publicKey: KeyObject;
  publicKeyPem: string;
  status: KeyStatus;
  endedAt: string | null;
  reason: string | null;
  external: boolean;
}

/** The custodian keys known on a workstation, by fingerprint. */
export class Keyring {
  private readonly keys = new Map<string, KnownKey>();

  constructor(keys: Iterable<KnownKey> = []) {
    for (const k of keys) this.add(k);
  }

  add(key: KnownKey): void {
    if (!this.keys.has(key.fingerprint)) this.keys.set(key.fingerprint, key);
  }

  get(fingerprint: string): KnownKey | undefined {
    return this.keys.get(fingerprint);
  }

  all(): KnownKey[] {
    return [...this.keys.values()];
  }
}

/** A custodian whose private key is open for this command. */
export interface UnlockedCustodian {
  name: string;
  role: string;
  fingerprint: string;
  created: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  signer: EventSigner;
}

export function custodiansDir(home: string): string {
  return path.join(home, 'custodians');
}

function custodianDir(home: string, name: string): string {
  return path.join(custodiansDir(home), name);
}

export function checkCustodianName(name: string): string {
  if (!NAME_PATTERN.test(name) || RESERVED_NAMES.has(name)) {
    throw new ProbityError(
      'usage',
      `${JSON.stringify(name)}: not a custodian name (letters, digits, '.', '_', '-'; up to 64; not "external")`,
    );
  }
  return name;
}

/** Write a file by temp + fsync + rename, so a crash never leaves half a key. */
function writeFileAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function readInfo(dir: string): CustodianInfo {
  const file = path.join(dir, 'custodian.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ProbityError(
      'unreadable',
      `${file}: ${err instanceof SyntaxError ? 'not JSON' : describeFsError(err)}`,
      {
        file,
      },
    );
  }
  const o = parsed as Partial<CustodianInfo>;
  if (
    o.schema !== CUSTODIAN_SCHEMA ||
    typeof o.name !== 'string' ||
    typeof o.fingerprint !== 'string' ||
    !Array.isArray(o.keys)
  ) {
    throw new ProbityError('malformed', `${file}: not a ${CUSTODIAN_SCHEMA} record`, { file });
  }
  return o as CustodianInfo;
}

function writeInfo(dir: string, info: CustodianInfo): void {
  writeFileAtomic(path.join(dir, 'custodian.json'), `${JSON.stringify(info, null, 2)}\n`, 0o644);
}

/** Read a custodian record; a clear not-found error names the workstation's custodian folder. */
export function getCustodian(home: string, name: string): CustodianInfo {
  const dir = custodianDir(home, checkCustodianName(name));
  if (!fs.existsSync(path.join(dir, 'custodian.json'))) {
    throw new ProbityError(
      'not-found',
      `custodian ${name}: not on this workstation (${custodiansDir(home)})`,
    );
  }
  return readInfo(dir);
}

function signerFor(privateKey: KeyObject, fingerprint: string): EventSigner {
  return { fingerprint, sign: (hashHex) => signText(privateKey, hashHex) };
}

/** Store a key pair in the custodian's folder: key.pem (0600), pub.pem, keys/<fp>.pem. */
function storeKeyPair(dir: string, privateKey: KeyObject, publicKey: KeyObject, passphrase: string): string {
  const fingerprint = fingerprintOf(publicKey);
  const pem = publicKeyPem(publicKey);
  fs.mkdirSync(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
  writeFileAtomic(path.join(dir, 'keys', `${fingerprint}.pem`), pem, 0o644);
  writeFileAtomic(path.join(dir, 'key.pem'), encryptPrivateKey(privateKey, passphrase), 0o600);
  writeFileAtomic(path.join(dir, 'pub.pem'), pem, 0o644);
  return fingerprint;
}

function requirePassphrase(passphrase: string, what: string): void {
  if (passphrase.length === 0) throw new ProbityError('usage', `refusing an empty passphrase for ${what}`);
}

/** `probity custodian add`: a new key pair, encrypted at rest, recorded in the workstation log. */
export function addCustodian(
  home: string,
  opts: { name: string; role?: string; passphrase: string; actor: string; now?: string },
): CustodianInfo {
  const name = checkCustodianName(opts.name);
  requirePassphrase(opts.passphrase, `custodian ${name}`);
  const dir = custodianDir(home, name);
  fs.mkdirSync(custodiansDir(home), { recursive: true, mode: 0o700 });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new ProbityError('conflict', `custodian ${name}: already exists (${dir})`);
    throw new ProbityError('unreadable', `${dir}: ${describeFsError(err)}`);
  }
  const created = opts.now ?? utcNow();
  const { privateKey, publicKey } = generateCustodianKeyPair();
  const fingerprint = storeKeyPair(dir, privateKey, publicKey, opts.passphrase);
  const info: CustodianInfo = {
    schema: CUSTODIAN_SCHEMA,
    name,
    role: opts.role?.trim() || 'custodian',
    fingerprint,
    created,
    status: 'active',
    keys: [{ fingerprint, created, status: 'active', endedAt: null, reason: null }],
    external: false,
  };
  writeInfo(dir, info);
  appendLogEntry(
    home,
    {
      actor: opts.actor,
      action: 'custodian.added',
      subject: name,
      at: created,
      details: { name, role: info.role, fingerprint, publicKeyPem: publicKeyPem(publicKey) },
    },
    signerFor(privateKey, fingerprint),
  );
  return info;
}

/** Every local custodian (external keys excluded), by name. */
export function listCustodians(home: string): CustodianInfo[] {
  const root = custodiansDir(home);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !RESERVED_NAMES.has(d.name) && NAME_PATTERN.test(d.name))
    .filter((d) => fs.existsSync(path.join(root, d.name, 'custodian.json')))
    .map((d) => readInfo(path.join(root, d.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Public keys learnt from imported cases. */
export function listExternalCustodians(home: string): CustodianInfo[] {
  const root = path.join(custodiansDir(home), 'external');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[0-9a-f]{64}$/.test(d.name))
    .map((d) => readInfo(path.join(root, d.name)));
}

/**
 * Open a custodian's private key with the passphrase. Refuses a revoked custodian, and a key.pem
 * whose public half is not the recorded fingerprint (files swapped or replaced).
 */
export function unlockCustodian(home: string, name: string, passphrase: string): UnlockedCustodian {
  const info = getCustodian(home, name);
  if (info.status === 'revoked') {
    const k = info.keys.find((x) => x.fingerprint === info.fingerprint);
    throw new ProbityError(
      'conflict',
      `custodian ${name} (${info.fingerprint}) was revoked${k?.endedAt ? ` at ${k.endedAt}` : ''}${k?.reason ? `: ${k.reason}` : ''}; it can no longer sign`,
    );
  }
  requirePassphrase(passphrase, `custodian ${name}`);
  const file = path.join(custodianDir(home, name), 'key.pem');
  let pem: Buffer;
  try {
    pem = fs.readFileSync(file);
  } catch (err) {
    throw new ProbityError('unreadable', `${file}: ${describeFsError(err)}`, { file });
  }
  const privateKey = decryptPrivateKey(pem, passphrase, file);
  const publicKey = createPublicKey(privateKey);
  const fingerprint = fingerprintOf(publicKey);
  if (fingerprint !== info.fingerprint) {
    throw new ProbityError(
      'verification-failed',
      `${file}: the key's fingerprint is ${fingerprint}, custodian.json records ${info.fingerprint}`,
      { file },
    );
  }
  return {
    name: info.name,
    role: info.role,
    fingerprint,
    created: info.keys.find((k) => k.fingerprint === fingerprint)?.created ?? info.created,
    privateKey,
    publicKey,
    publicKeyPem: publicKeyPem(publicKey),
    signer: signerFor(privateKey, fingerprint),
  };
}

/**
 * `probity custodian rotate`: the old key (opened with its passphrase) signs the rotation entry
 * naming the new key; the old private key is then deleted and its public key kept as retired.
 */
export function rotateCustodian(
  home: string,
  opts: { name: string; passphrase: string; newPassphrase: string; actor: string; now?: string },
): { info: CustodianInfo; previousFingerprint: string } {
  const old = unlockCustodian(home, opts.name, opts.passphrase);
  requirePassphrase(opts.newPassphrase, `the new key of custodian ${old.name}`);
  const dir = custodianDir(home, old.name);
  const info = readInfo(dir);
  const at = opts.now ?? utcNow();
  const { privateKey, publicKey } = generateCustodianKeyPair();
  const newPem = publicKeyPem(publicKey);
  const newFingerprint = fingerprintOf(publicKey);
  // Log first, signed by the old key: if this fails nothing on disk has changed.
  appendLogEntry(
    home,
    {
      actor: opts.actor,
      action: 'custodian.rotated',
      subject: old.name,
      at,
      details: {
        name: old.name,
        previousFingerprint: old.fingerprint,
        fingerprint: newFingerprint,
        publicKeyPem: newPem,
        newKeySignature: signText(privateKey, old.fingerprint),
      },
    },
    old.signer,
  );
  storeKeyPair(dir, privateKey, publicKey, opts.newPassphrase);
  const keys: KeyHistoryEntry[] = info.keys.map((k) =>
    k.fingerprint === old.fingerprint ? { ...k, status: 'retired', endedAt: at, reason: 'rotated' } : k,
  );
  keys.push({ fingerprint: newFingerprint, created: at, status: 'active', endedAt: null, reason: null });
  const next: CustodianInfo = { ...info, fingerprint: newFingerprint, keys };
  writeInfo(dir, next);
  return { info: next, previousFingerprint: old.fingerprint };
}

/** `probity custodian revoke`: final; no passphrase needed. */
export function revokeCustodian(
  home: string,
  opts: { name: string; reason: string; actor: string; now?: string },
): CustodianInfo {
  const reason = opts.reason.trim();
  if (!reason) throw new ProbityError('usage', 'a revocation needs a reason: --reason "…"');
  const info = getCustodian(home, opts.name);
  if (info.status === 'revoked')
    throw new ProbityError('conflict', `custodian ${info.name}: already revoked`);
  const at = opts.now ?? utcNow();
  appendLogEntry(home, {
    actor: opts.actor,
    action: 'custodian.revoked',
    subject: info.name,
    at,
    details: { name: info.name, fingerprint: info.fingerprint, reason },
  });
  const dir = custodianDir(home, info.name);
  const keys: KeyHistoryEntry[] = info.keys.map((k) =>
    k.fingerprint === info.fingerprint ? { ...k, status: 'revoked', endedAt: at, reason } : k,
  );
  const next: CustodianInfo = { ...info, status: 'revoked', keys };
  writeInfo(dir, next);
  // The private key is of no further use and must not be: remove it.
  fs.rmSync(path.join(dir, 'key.pem'), { force: true });
  return next;
}

/**
 * Remember a public key that came with an imported case, under external/<fingerprint>/. Recorded
 * in the workstation log; never gives the key a private half or makes it "local".
 */
export function addExternalKey(
  home: string,
  opts: { name: string; role: string; publicKeyPem: string; created: string; actor: string; source: string },
): CustodianInfo {
  const key = readPublicKeyPem(opts.publicKeyPem, opts.source);
  const fingerprint = fingerprintOf(key);
  const dir = path.join(custodiansDir(home), 'external', fingerprint);
  if (fs.existsSync(path.join(dir, 'custodian.json'))) return readInfo(dir);
  fs.mkdirSync(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
  const pem = publicKeyPem(key);
  writeFileAtomic(path.join(dir, 'pub.pem'), pem, 0o644);
  writeFileAtomic(path.join(dir, 'keys', `${fingerprint}.pem`), pem, 0o644);
  const info: CustodianInfo = {
    schema: CUSTODIAN_SCHEMA,
    name: opts.name,
    role: opts.role,
    fingerprint,
    created: opts.created,
    status: 'active',
    keys: [{ fingerprint, created: opts.created, status: 'active', endedAt: null, reason: null }],
    external: true,
  };
  writeInfo(dir, info);
  appendLogEntry(home, {
    actor: opts.actor,
    action: 'custodian.imported',
    subject: opts.name,
    details: { name: opts.name, role: opts.role, fingerprint, publicKeyPem: pem, source: opts.source },
  });
  return info;
}

function knownKeysOf(dir: string, info: CustodianInfo): KnownKey[] {
  return info.keys.map((k) => {
    const file = path.join(dir, 'keys', `${k.fingerprint}.pem`);
    const publicKey = readPublicKeyPem(fs.readFileSync(file), file);
    const actual = fingerprintOf(publicKey);
    if (actual !== k.fingerprint) {
      throw new ProbityError('verification-failed', `${file}: holds key ${actual}, not ${k.fingerprint}`, {
        file,
      });
    }
    return {
      fingerprint: k.fingerprint,
      name: info.name,
      role: info.role,
      publicKey,
      publicKeyPem: publicKeyPem(publicKey),
      status: k.status,
      endedAt: k.endedAt,
      reason: k.reason,
      external: info.external,
    };
  });
}

/** Every folder that holds a custodian record, local and external, without reading them. */
function recordDirs(home: string): string[] {
  const root = custodiansDir(home);
  const sub = (dir: string, keep: (name: string) => boolean): string[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((d) => d.isDirectory() && keep(d.name))
          .map((d) => path.join(dir, d.name))
          .filter((d) => fs.existsSync(path.join(d, 'custodian.json')))
      : [];
  return [
    ...sub(root, (n) => !RESERVED_NAMES.has(n) && NAME_PATTERN.test(n)),
    ...sub(path.join(root, 'external'), (n) => /^[0-9a-f]{64}$/.test(n)),
  ];
}

/** A problem line without the file name repeated (the caller prints `file: reason`). */
function problemOf(err: unknown, fallback: string): { file: string; reason: string } {
  const file = err instanceof ProbityError && err.file ? err.file : fallback;
  const message = (err as Error).message;
  return { file, reason: message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message };
}

/**
 * Every public key known on the workstation (local custodians, their retired and revoked keys,
 * and external keys), plus any problem found reading them or the custodian log. A damaged record
 * is a problem to report, not a reason to stop reading the others.
 */
export function loadKeyring(home: string): {
  keyring: Keyring;
  problems: { file: string; reason: string }[];
} {
  const keyring = new Keyring();
  const problems: { file: string; reason: string }[] = [];
  for (const dir of recordDirs(home)) {
    try {
      for (const k of knownKeysOf(dir, readInfo(dir))) keyring.add(k);
    } catch (err) {
      problems.push(problemOf(err, dir));
    }
  }
  const log = path.join(custodiansDir(home), 'log.jsonl');
  try {
    for (const reason of verifyLogChain(readLog(home))) problems.push({ file: log, reason });
  } catch (err) {
    problems.push(problemOf(err, log));
  }
  return { keyring, problems };
}

/** "alice (3f2a…)" — how a custodian is named everywhere: name plus the full fingerprint. */
export function describeKey(k: { name: string; fingerprint: string }): string {
  return `${k.name} (${k.fingerprint})`;
}
