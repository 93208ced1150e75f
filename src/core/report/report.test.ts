import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmrf, tempDir } from '../../../test/helpers';
import { signBytes } from '../keys/ed25519';
import { unlockCustodian } from '../keys/custodians';
import { listEvents } from '../store/custody';
import { exportReport, parseFormats, type ExportReportOptions, type ExportReportResult } from './bundle';
import { caseWithFindings, copyDir, flipByte, run, sh, type Fixture } from './testkit';
import { parseChecksums, sha256Of } from './sha256sum';
import { verifyReportBundle } from './verify-bundle';
import { FINGERPRINT_COMMAND, OPENSSL_COMMAND, SHA256SUM_COMMAND, listingCommand } from './verify-text';

let fx: Fixture;
let bundle: string;
let result: ExportReportResult;
const temps: string[] = [];

/** Export the fixture case's report bundle to `out`. */
function exportFixture(
  out: string,
  formats: ExportReportOptions['formats'],
  opts: Pick<ExportReportOptions, 'actor' | 'generator' | 'custodian'>,
): Promise<ExportReportResult> {
  return exportReport({ store: fx.store, home: fx.home, out, formats, ...opts });
}

function scratch(): string {
  const d = copyDir(bundle);
  temps.push(d);
  return d;
}

beforeAll(async () => {
  fx = await caseWithFindings();
  const out = tempDir('probity-report-out-');
  temps.push(out);
  bundle = path.join(out, 'bundle');
  result = await exportFixture(bundle, ['html', 'json'], {
    actor: 'alice',
    generator: 'probity test',
    custodian: fx.alice,
  });
});

afterAll(() => {
  fx.cleanup();
  for (const t of temps) rmrf(t);
});

/** The commands exactly as VERIFY.txt prints them, for the shell to run. */
function verifyTxtCommands(dir: string): string[] {
  const text = fs.readFileSync(path.join(dir, 'VERIFY.txt'), 'utf8');
  return text
    .split('\n')
    .filter((l) => /^ {5}\S/.test(l))
    .map((l) => l.trim());
}

describe('report bundle', () => {
  it('writes every file and lists all but the manifest and its signature in MANIFEST.sha256', () => {
    expect(fs.readdirSync(bundle).sort()).toEqual([
      'MANIFEST.sha256',
      'MANIFEST.sha256.sig',
      'VERIFY.txt',
      'custody-log.jsonl',
      'evidence.sha256',
      'report.html',
      'report.json',
      'signer.pub.pem',
    ]);
    const manifest = fs.readFileSync(path.join(bundle, 'MANIFEST.sha256'), 'utf8');
    expect(parseChecksums(manifest).lines.map((l) => l.name)).toEqual([
      'VERIFY.txt',
      'custody-log.jsonl',
      'evidence.sha256',
      'report.html',
      'report.json',
      'signer.pub.pem',
    ]);
    expect(fs.statSync(path.join(bundle, 'MANIFEST.sha256.sig')).size).toBe(64);
    expect(result.manifestSha256).toBe(sha256Of(manifest));
    // The export is itself a signed custody event naming the manifest.
    const last = listEvents(fx.store.db).at(-1)!;
    expect(last).toMatchObject({ action: 'report.exported', signer: fx.alice.fingerprint });
    expect(last.details.manifestSha256).toBe(result.manifestSha256);
  });

  it('VERIFY.txt gives commands that pass with the real sha256sum and openssl 3', () => {
    const cmds = verifyTxtCommands(bundle);
    expect(cmds).toEqual([SHA256SUM_COMMAND, OPENSSL_COMMAND, FINGERPRINT_COMMAND, listingCommand(true)]);
    const sums = sh(SHA256SUM_COMMAND, bundle);
    expect(sums.code).toBe(0);
    expect(sums.out).toMatch(/^report\.json: OK$/m);
    const sig = sh(OPENSSL_COMMAND, bundle);
    expect(sig.out).toMatch(/Signature Verified Successfully/);
    expect(sig.code).toBe(0);
    const fp = sh(FINGERPRINT_COMMAND, bundle);
    expect(fp.code).toBe(0);
    expect(fp.out.split(/\s/)[0]).toBe(fx.alice.fingerprint);
    expect(fs.readFileSync(path.join(bundle, 'VERIFY.txt'), 'utf8')).toContain(fx.alice.fingerprint);
    const listing = sh(listingCommand(true), bundle);
    expect(listing).toEqual({ code: 0, out: '' });
  });

  it('report verify accepts the untouched bundle, and a pin on its signer', async () => {
    const r = await verifyReportBundle(bundle, { pin: fx.alice.fingerprint });
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ ok: true, filesChecked: 6, signer: { fingerprint: fx.alice.fingerprint } });
    expect(r.chainHead?.lastSeq).toBe(result.chainHead.lastSeq);
  });

  it.each([
    'report.json',
    'report.html',
    'evidence.sha256',
    'custody-log.jsonl',
    'VERIFY.txt',
    'signer.pub.pem',
  ])('a byte changed in %s is refused by name by report verify and by sha256sum -c', async (name) => {
    const dir = scratch();
    flipByte(path.join(dir, name));
    const r = await verifyReportBundle(dir);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(
      new RegExp(`^${name.replace(/\./g, '\\.')}: altered: sha256 is [0-9a-f]{64}, MANIFEST\\.sha256 lists`),
    );
    const sums = sh(SHA256SUM_COMMAND, dir);
    expect(sums.code).not.toBe(0);
    expect(sums.out).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}: FAILED$`, 'm'));
  });

  it('a byte changed in MANIFEST.sha256 or its signature is refused by report verify and by openssl', async () => {
    for (const name of ['MANIFEST.sha256', 'MANIFEST.sha256.sig']) {
      const dir = scratch();
      flipByte(path.join(dir, name));
      const r = await verifyReportBundle(dir);
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toMatch(
        /MANIFEST\.sha256\.sig: bad signature: it does not verify MANIFEST\.sha256 with signer\.pub\.pem/,
      );
      const sig = sh(OPENSSL_COMMAND, dir);
      expect(sig.code).not.toBe(0);
      expect(sig.out).toMatch(/Signature Verification Failure/);
    }
  });

  it('an added file is named by report verify and by the listing command (sha256sum -c alone misses it)', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'slipped in later');
    expect((await verifyReportBundle(dir)).problems).toEqual([
      'notes.txt: extra file, not listed in MANIFEST.sha256',
    ]);
    expect(sh(SHA256SUM_COMMAND, dir).code).toBe(0);
    expect(sh(listingCommand(true), dir)).toEqual({ code: 1, out: 'notes.txt\n' });
  });

  it('a removed file is named by report verify, sha256sum -c and the listing command', async () => {
    const dir = scratch();
    fs.rmSync(path.join(dir, 'evidence.sha256'));
    expect((await verifyReportBundle(dir)).problems).toEqual([
      'evidence.sha256: missing (listed in MANIFEST.sha256)',
    ]);
    const sums = sh(SHA256SUM_COMMAND, dir);
    expect(sums.code).not.toBe(0);
    expect(sums.out).toMatch(/evidence\.sha256: FAILED open or read/);
    expect(sh(listingCommand(true), dir)).toEqual({ code: 1, out: 'evidence.sha256\n' });
  });

  it('a signature by another key is refused; a bundle re-signed wholesale is caught by the pin and the fingerprint', async () => {
    const bob = unlockCustodian(fx.home, 'bob', 'pw-bob');
    const dir = scratch();
    const manifest = fs.readFileSync(path.join(dir, 'MANIFEST.sha256'));
    fs.writeFileSync(path.join(dir, 'MANIFEST.sha256.sig'), signBytes(bob.privateKey, manifest));
    expect((await verifyReportBundle(dir)).problems).toEqual([
      `MANIFEST.sha256.sig: bad signature: it does not verify MANIFEST.sha256 with signer.pub.pem (${fx.alice.fingerprint})`,
    ]);
    expect(sh(OPENSSL_COMMAND, dir).code).not.toBe(0);

    // Wholesale: bob's key in signer.pub.pem, the manifest redone, signed by bob. The signature
    // verifies, but report.json and report.html still name alice; the pin tells as well.
    const forged = scratch();
    fs.writeFileSync(path.join(forged, 'signer.pub.pem'), bob.publicKeyPem);
    const redone = sh(
      'sha256sum VERIFY.txt custody-log.jsonl evidence.sha256 report.html report.json signer.pub.pem',
      forged,
    ).out;
    fs.writeFileSync(path.join(forged, 'MANIFEST.sha256'), redone);
    fs.writeFileSync(
      path.join(forged, 'MANIFEST.sha256.sig'),
      signBytes(bob.privateKey, Buffer.from(redone)),
    );
    expect(sh(OPENSSL_COMMAND, forged).code).toBe(0);
    expect(sh(FINGERPRINT_COMMAND, forged).out.split(/\s/)[0]).toBe(bob.fingerprint);
    const resigned = [
      `signer.pub.pem: holds key ${bob.fingerprint}, but report.json names alice (${fx.alice.fingerprint}): the bundle was re-signed with another key`,
      `signer.pub.pem: holds key ${bob.fingerprint}, but report.html names ${fx.alice.fingerprint}: the bundle was re-signed with another key`,
    ];
    expect((await verifyReportBundle(forged)).problems).toEqual(resigned);
    expect((await verifyReportBundle(forged, { pin: fx.alice.fingerprint })).problems).toEqual([
      `signer.pub.pem: signed by ${bob.fingerprint}, not by the pinned ${fx.alice.fingerprint}`,
      ...resigned,
    ]);
  });

  it('names a custody log whose events were rewritten even when the manifest was redone to match', async () => {
    const dir = scratch();
    const file = path.join(dir, 'custody-log.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"actor":"ops"', '"actor":"mallory"'));
    fs.writeFileSync(
      path.join(dir, 'MANIFEST.sha256'),
      sh('sha256sum VERIFY.txt custody-log.jsonl evidence.sha256 report.html report.json signer.pub.pem', dir)
        .out,
    );
    const r = await verifyReportBundle(dir);
    expect(r.problems).toContain('custody-log.jsonl: seq 1: event does not match its hash');
  });

  it('names a signature stripped from the bundled custody log, though the chain still recomputes', async () => {
    const dir = scratch();
    const file = path.join(dir, 'custody-log.jsonl');
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const signed = lines.filter((l) => l.signature !== null);
    expect(signed.length).toBeGreaterThan(0);
    const target = signed[0]!;
    const fp = target.signer as string;
    target.signature = null;
    target.signer = null;
    fs.writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    fs.writeFileSync(
      path.join(dir, 'MANIFEST.sha256'),
      sh('sha256sum VERIFY.txt custody-log.jsonl evidence.sha256 report.html report.json signer.pub.pem', dir)
        .out,
    );
    const r = await verifyReportBundle(dir);
    expect(r.problems.some((p) => p.includes('event does not match its hash'))).toBe(false);
    expect(r.problems).toContainEqual(
      expect.stringMatching(
        new RegExp(`^custody-log\\.jsonl: seq ${target.seq as number}: signature removed \\(signed by ${fp}`),
      ),
    );
  });
});

describe('report contents', () => {
  it('report.json carries every stage’s findings as recorded, the chain head, checkpoint and checklist', () => {
    const report = JSON.parse(fs.readFileSync(path.join(bundle, 'report.json'), 'utf8')) as {
      stages: { stage: string; findings: { id: number; summary: string }[] }[];
      chainHead: { lastSeq: number };
      checkpoint: { seq: number; signer: { fingerprint: string } } | null;
      checklist: { n: number; status: string; links: { href: string }[] }[];
      evidence: { count: number };
      signer: { fingerprint: string };
    };
    expect(report.stages.map((s) => [s.stage, s.findings.length])).toEqual([
      ['audit', 1],
      ['integrity', 3],
      ['provenance', 2],
    ]);
    expect(report.evidence.count).toBe(4);
    expect(report.checkpoint?.signer.fingerprint).toBe(fx.alice.fingerprint);
    expect(report.signer.fingerprint).toBe(fx.alice.fingerprint);
    expect(report.checklist.map((c) => [c.n, c.status])).toEqual([
      [1, 'recorded'],
      [2, 'partial'],
      [3, 'recorded'],
      [4, 'partial'],
      [5, 'recorded'],
      [6, 'not-recorded'],
      [7, 'not-recorded'],
      [8, 'not-recorded'],
      [9, 'not-recorded'],
      [10, 'not-recorded'],
      [11, 'not-recorded'],
      [12, 'not-recorded'],
    ]);
    // Links resolve inside report.html.
    const html = fs.readFileSync(path.join(bundle, 'report.html'), 'utf8');
    for (const l of report.checklist.flatMap((c) => c.links)) {
      if (l.href.startsWith('#')) expect(html).toContain(`id="${l.href.slice(1)}"`);
      else expect(fs.existsSync(path.join(bundle, l.href))).toBe(true);
    }
  });

  it('report.html is self-contained: inline CSS and SVG, no script, no external reference', () => {
    const html = fs.readFileSync(path.join(bundle, 'report.html'), 'utf8');
    expect(html).toMatch(/<style>[\s\S]*@media print[\s\S]*<\/style>/);
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).not.toMatch(/<script|<link\b|<img\b|@import|url\(/i);
    expect(html.match(/(?:src|href)="([^"#][^"]*)"/g) ?? []).toEqual([
      'href="evidence.sha256"',
      'href="evidence.sha256"',
      'href="custody-log.jsonl"',
    ]);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('Not recorded');
    expect(html).not.toMatch(/>done</i);
  });

  it('evidence.sha256 is sha256sum format over every evidence file', () => {
    const lines = fs.readFileSync(path.join(bundle, 'evidence.sha256'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines).toContain(`${sha256Of(Buffer.alloc(4096, 7))}  model/model.safetensors`);
  });

  it('refuses an existing non-empty --out and unknown formats', async () => {
    await expect(exportFixture(bundle, ['json'], { actor: 'a', generator: 'g' })).rejects.toThrow(
      /already exists and is not empty/,
    );
    expect(() => parseFormats('html,docx')).toThrow('--format html,docx: choose from html,pdf,json');
    expect(parseFormats('json, html')).toEqual(['json', 'html']);
  });

  it('an unsigned bundle has no signature files, says so, and fails a pin', async () => {
    const out = path.join(tempDir('probity-unsigned-'), 'b');
    temps.push(path.dirname(out));
    await exportFixture(out, ['json'], { actor: 'ops', generator: 'g' });
    expect(fs.readdirSync(out).sort()).toEqual([
      'MANIFEST.sha256',
      'VERIFY.txt',
      'custody-log.jsonl',
      'evidence.sha256',
      'report.json',
    ]);
    expect(fs.readFileSync(path.join(out, 'VERIFY.txt'), 'utf8')).toMatch(/NOT signed/);
    expect(sh(SHA256SUM_COMMAND, out).code).toBe(0);
    expect(sh(listingCommand(false), out).code).toBe(0);
    expect((await verifyReportBundle(out)).ok).toBe(true);
    expect((await verifyReportBundle(out, { pin: fx.alice.fingerprint })).problems[0]).toMatch(
      /MANIFEST\.sha256\.sig: missing: the bundle is not signed/,
    );
  });
});

const CHROMIUM = '/usr/bin/chromium';

describe('report.pdf', () => {
  it('is printed by Chromium, and page 1 renders to PNG', async (ctx) => {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`skipped: ${CHROMIUM} not found, so no PDF can be printed here`);
      ctx.skip();
    }
    const out = path.join(tempDir('probity-pdf-'), 'b');
    temps.push(path.dirname(out));
    await exportFixture(out, ['pdf'], { actor: 'alice', generator: 'probity test', custodian: fx.alice });
    expect(fs.readdirSync(out)).not.toContain('report.html');
    const pdf = fs.readFileSync(path.join(out, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sh(SHA256SUM_COMMAND, out).out).toMatch(/^report\.pdf: OK$/m);
    const png = path.join(path.dirname(out), 'page');
    const r = run(
      'pdftoppm',
      ['-png', '-r', '60', '-f', '1', '-l', '1', path.join(out, 'report.pdf'), png],
      out,
    );
    expect(r.code).toBe(0);
    const produced = fs.readdirSync(path.dirname(out)).filter((f) => f.endsWith('.png'));
    expect(produced).toHaveLength(1);
    expect(fs.statSync(path.join(path.dirname(out), produced[0]!)).size).toBeGreaterThan(5000);
  });

  it('names a missing Chromium in one line and writes nothing', async () => {
    const out = path.join(tempDir('probity-nopdf-'), 'b');
    temps.push(path.dirname(out));
    const saved = process.env.PROBITY_CHROMIUM;
    process.env.PROBITY_CHROMIUM = '/nonexistent/chromium';
    try {
      await expect(exportFixture(out, ['pdf', 'json'], { actor: 'a', generator: 'g' })).rejects.toThrow(
        'report.pdf: Chromium not found (looked for /nonexistent/chromium); install chromium, set PROBITY_CHROMIUM, or leave pdf out of --format',
      );
    } finally {
      if (saved === undefined) delete process.env.PROBITY_CHROMIUM;
      else process.env.PROBITY_CHROMIUM = saved;
    }
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);
  });
});
