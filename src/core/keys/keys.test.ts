import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { ProbityError } from '../util/errors';
import {
  addCustodian,
  listCustodians,
  loadKeyring,
  revokeCustodian,
  rotateCustodian,
  unlockCustodian,
} from './custodians';
import { verifyText } from './ed25519';
import { decryptPrivateKey, encryptPrivateKey, fingerprintOf, generateCustodianKeyPair } from './key-file';
import { obtainPassphrase, type PromptInput } from './passphrase';
import { logFile, readLog, verifyLogChain } from './workstation-log';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function home(): string {
  const dir = tempDir('probity-keys-');
  cleanups.push(() => rmrf(dir));
  return dir;
}

function openssl(args: string[], input?: Buffer) {
  const r = spawnSync('openssl', args, { input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe('custodian key files', () => {
  it('encrypts the private key as PKCS#8 PBES2/scrypt/AES-256-CBC that openssl opens, never as plaintext', () => {
    const { privateKey, publicKey } = generateCustodianKeyPair();
    const pem = encryptPrivateKey(privateKey, 'correct horse');
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(pem).not.toMatch(/BEGIN PRIVATE KEY/);
    // The raw 32-byte seed must not appear anywhere in the file.
    const seed = privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(-32);
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(der.includes(seed)).toBe(false);

    const dir = home();
    const file = path.join(dir, 'key.pem');
    fs.writeFileSync(file, pem);
    const parsed = openssl(['asn1parse', '-in', file]);
    expect(parsed.code).toBe(0);
    expect(parsed.stdout.toString()).toMatch(/PBES2[\s\S]*scrypt[\s\S]*INTEGER\s+:4000[\s\S]*aes-256-cbc/);
    // openssl (not Probity) decrypts it and derives the same public key.
    const pub = openssl(['pkey', '-in', file, '-passin', 'pass:correct horse', '-pubout']);
    expect(pub.code).toBe(0);
    expect(fingerprintOf(createPublicKey(pub.stdout))).toBe(fingerprintOf(publicKey));
    expect(openssl(['pkey', '-in', file, '-passin', 'pass:wrong', '-noout']).code).not.toBe(0);

    expect(fingerprintOf(createPublicKey(decryptPrivateKey(pem, 'correct horse', file)))).toBe(
      fingerprintOf(createPublicKey(privateKey)),
    );
  });

  it('names a wrong passphrase and refuses a plaintext or empty one', () => {
    const { privateKey } = generateCustodianKeyPair();
    const pem = encryptPrivateKey(privateKey, 'right');
    expect(() => decryptPrivateKey(pem, 'wrong', '/h/key.pem')).toThrow(
      '/h/key.pem: wrong passphrase, or the key file is damaged',
    );
    const plain = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => decryptPrivateKey(plain, 'x', 'k.pem')).toThrow(/not an encrypted PKCS#8 key/);
    expect(() => encryptPrivateKey(privateKey, '')).toThrow(/empty passphrase/);
  });

  it('fingerprints the SPKI DER exactly as `openssl pkey -pubin -outform DER | sha256sum` does', () => {
    const dir = home();
    const info = addCustodian(dir, {
      name: 'alice',
      role: 'evidence custodian',
      passphrase: 'pw',
      actor: 'ops',
    });
    const pubFile = path.join(dir, 'custodians', 'alice', 'pub.pem');
    const der = openssl(['pkey', '-pubin', '-in', pubFile, '-outform', 'DER']);
    expect(der.code).toBe(0);
    expect(createHash('sha256').update(der.stdout).digest('hex')).toBe(info.fingerprint);
    const json = JSON.parse(
      fs.readFileSync(path.join(dir, 'custodians', 'alice', 'custodian.json'), 'utf8'),
    ) as {
      name: string;
      role: string;
      fingerprint: string;
      created: string;
    };
    expect(json).toMatchObject({ name: 'alice', role: 'evidence custodian', fingerprint: info.fingerprint });
    expect(json.created).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(fs.statSync(path.join(dir, 'custodians', 'alice', 'key.pem')).mode & 0o077).toBe(0);
  });
});

describe('custodians: add, list, rotate, revoke', () => {
  it('records each change in a hash-chained workstation log, signed where a key can sign', () => {
    const dir = home();
    const a = addCustodian(dir, { name: 'alice', passphrase: 'pw-a', actor: 'ops' });
    addCustodian(dir, { name: 'bob', role: 'incident commander', passphrase: 'pw-b', actor: 'ops' });
    expect(() => addCustodian(dir, { name: 'alice', passphrase: 'x', actor: 'ops' })).toThrow(
      /already exists/,
    );
    expect(() => addCustodian(dir, { name: '../evil', passphrase: 'x', actor: 'ops' })).toThrow(
      /not a custodian name/,
    );
    expect(listCustodians(dir).map((c) => [c.name, c.role])).toEqual([
      ['alice', 'custodian'],
      ['bob', 'incident commander'],
    ]);

    expect(() =>
      rotateCustodian(dir, { name: 'alice', passphrase: 'nope', newPassphrase: 'pw2', actor: 'ops' }),
    ).toThrow(/wrong passphrase/);
    const rotated = rotateCustodian(dir, {
      name: 'alice',
      passphrase: 'pw-a',
      newPassphrase: 'pw-a2',
      actor: 'ops',
    });
    expect(rotated.previousFingerprint).toBe(a.fingerprint);
    expect(rotated.info.fingerprint).not.toBe(a.fingerprint);
    expect(() => unlockCustodian(dir, 'alice', 'pw-a')).toThrow(/wrong passphrase/);
    expect(unlockCustodian(dir, 'alice', 'pw-a2').fingerprint).toBe(rotated.info.fingerprint);

    revokeCustodian(dir, { name: 'bob', reason: 'laptop stolen', actor: 'ops' });
    expect(() => unlockCustodian(dir, 'bob', 'pw-b')).toThrow(
      /bob \([0-9a-f]{64}\) was revoked at .*: laptop stolen/,
    );
    expect(fs.existsSync(path.join(dir, 'custodians', 'bob', 'key.pem'))).toBe(false);

    const log = readLog(dir);
    expect(log.map((e) => [e.seq, e.action, e.subject])).toEqual([
      [1, 'custodian.added', 'alice'],
      [2, 'custodian.added', 'bob'],
      [3, 'custodian.rotated', 'alice'],
      [4, 'custodian.revoked', 'bob'],
    ]);
    expect(verifyLogChain(log)).toEqual([]);
    const keyring = loadKeyring(dir).keyring;
    // The rotation is signed by the retiring key, the additions by their own keys (proof of possession).
    expect(log[2]!.signer).toBe(a.fingerprint);
    expect(verifyText(keyring.get(a.fingerprint)!.publicKey, log[2]!.hash, log[2]!.signature!)).toBe(true);
    expect(keyring.get(a.fingerprint)).toMatchObject({ status: 'retired', name: 'alice' });
    expect(keyring.all()).toHaveLength(3);

    // An edited line is found by the chain.
    const lines = fs.readFileSync(logFile(dir), 'utf8').replace('laptop stolen', 'laptop lost');
    fs.writeFileSync(logFile(dir), lines);
    expect(verifyLogChain(readLog(dir))).toEqual(['seq 4: entry does not match its hash: it was edited']);
    expect(loadKeyring(dir).problems[0]?.reason).toMatch(/seq 4: entry does not match its hash/);
    expect(() => addCustodian(dir, { name: 'carol', passphrase: 'x', actor: 'ops' })).toThrow(
      /log\.jsonl: seq 4/,
    );
  });
});

describe('passphrase source', () => {
  it('takes PROBITY_PASSPHRASE, refuses an empty one, and needs a terminal otherwise', async () => {
    const input = new PassThrough() as PromptInput;
    const output = new PassThrough();
    expect(
      await obtainPassphrase({ env: { P: 's3cret' }, input, output }, { envVar: 'P', what: 'alice' }),
    ).toBe('s3cret');
    await expect(
      obtainPassphrase({ env: { P: '' }, input, output }, { envVar: 'P', what: 'alice' }),
    ).rejects.toThrow(/empty passphrase/);
    await expect(
      obtainPassphrase({ env: {}, input, output }, { envVar: 'P', what: 'alice' }),
    ).rejects.toThrow('no passphrase for alice: set P or run on a terminal');
  });

  it('prompts on a terminal without echo, with backspace, and confirms a new passphrase', async () => {
    const input = new PassThrough() as PassThrough & PromptInput;
    const modes: boolean[] = [];
    input.isTTY = true;
    input.setRawMode = (m: boolean) => modes.push(m);
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => (shown += c.toString()));
    const p = obtainPassphrase({ env: {}, input, output }, { envVar: 'P', what: 'alice', confirm: true });
    input.write('hunterX\u007f2\r');
    await new Promise((r) => setTimeout(r, 10));
    input.write('hunter2\r');
    expect(await p).toBe('hunter2');
    expect(shown).not.toMatch(/hunter/);
    expect(shown).toMatch(/passphrase for alice: /);
    expect(modes).toEqual([true, false, true, false]);

    const mismatch = obtainPassphrase({ env: {}, input, output }, { envVar: 'P', what: 'a', confirm: true });
    input.write('one\r');
    await new Promise((r) => setTimeout(r, 10));
    input.write('two\r');
    await expect(mismatch).rejects.toBeInstanceOf(ProbityError);
  });
});
