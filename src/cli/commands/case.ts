/**
 * The case commands of `probity`: case create, case list, ingest, verify, evidence, log, and the
 * case archive (case export, case import).
 */
import fs from 'node:fs';
import type { EvidenceKind } from '../../shared/domain';
import { EVIDENCE_KINDS } from '../../shared/domain';
import { ingestBundle } from '../../core/ingest/ingest';
import { listEvents } from '../../core/store/custody';
import { caseOverview, listEvidence } from '../../core/store/queries';
import { verifyCase } from '../../core/verify/verify';
import { ProbityError, describeFsError } from '../../core/util/errors';
import { parseSignedCheckpoint } from '../../core/keys/checkpoint';
import { exportCase } from '../../core/transfer/case-export';
import { importCase } from '../../core/transfer/case-import';
import { humanBytes } from '../../core/util/format';
import type { Command } from '../command';
import { flag, listOpt, opt, requiredOpt } from '../options';
import { emit, progressPrinter, table, withCase } from '../output';
import { actorFor, caseSigner, signingCustodian } from '../signing';

const caseCreate: Command = {
  summary: 'Create a case and print its incident id (AI-IR-YYYY-NNNN).',
  usage: '--title TITLE [--examiner NAME] [--home DIR] [--json]',
  positionals: [],
  options: { title: { type: 'string' }, examiner: { type: 'string' } },
  async run(ctx) {
    const title = opt(ctx, 'title');
    if (!title) throw new ProbityError('usage', 'a case needs a title: --title "…"');
    const store = ctx.workstation.createCase({
      title,
      examiner: opt(ctx, 'examiner') ?? null,
      actor: ctx.actor,
    });
    try {
      const { summary } = caseOverview(store);
      if (ctx.json) emit(ctx, summary);
      else ctx.stdout.write(`${store.id}\n`);
    } finally {
      store.close();
    }
    return 0;
  },
};

const caseList: Command = {
  summary: 'List the cases on this workstation.',
  usage: '[--home DIR] [--json]',
  positionals: [],
  options: {},
  async run(ctx) {
    const cases = ctx.workstation.listCases();
    if (ctx.json) emit(ctx, cases);
    else if (cases.length === 0) ctx.stderr.write(`no cases in ${ctx.workstation.casesDir}\n`);
    else
      ctx.stdout.write(
        table(
          cases.map((c) => [
            c.id,
            c.createdAt.slice(0, 10),
            String(c.evidenceCount),
            humanBytes(c.totalBytes),
            c.examiner ?? '-',
            c.title,
          ]),
          ['CASE', 'CREATED', 'FILES', 'SIZE', 'EXAMINER', 'TITLE'],
        ),
      );
    return 0;
  },
};

const ingest: Command = {
  summary:
    'Preserve a bundle (folder, .tar, .tar.gz/.tgz, .zip) into the case: each file read once, hashed with SHA-256 and ' +
    'stored read-only; checksum lists inside the bundle are checked (exit 1 on a mismatch or a missing file). ' +
    'Ctrl-C cancels; running the same command again resumes without copying stored objects again. ' +
    'A bundle the case already holds from a finished ingest is not added twice (--again preserves it once more). ' +
    'With --sign-as, every custody event of the ingest is signed by that custodian (passphrase: PROBITY_PASSPHRASE or a prompt).',
  usage: '<case-id> <bundle> [--again] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>', '<bundle>'],
  options: { 'sign-as': { type: 'string' }, again: { type: 'boolean' } },
  async run(ctx) {
    const custodian = await signingCustodian(ctx);
    return withCase(ctx, async (store) => {
      const s = await ingestBundle({
        store,
        bundle: ctx.args[1]!,
        actor: actorFor(ctx, custodian),
        host: ctx.host,
        signer: caseSigner(ctx, store, custodian),
        signal: ctx.signal,
        onProgress: progressPrinter(ctx),
        again: flag(ctx, 'again'),
      });
      const failed = s.manifest.mismatched > 0 || s.manifest.missing > 0;
      if (ctx.json) {
        emit(ctx, s);
        return failed ? 1 : 0;
      }
      const out = ctx.stdout;
      out.write(
        `${s.caseId}: stored ${s.files} files (${humanBytes(s.bytes)})${s.links ? `, recorded ${s.links} links` : ''} from ${s.bundle} ` +
          `in ${s.seconds.toFixed(1)} s${s.reused ? `; ${s.reused} already in the store` : ''}\n`,
      );
      const m = s.manifest;
      if (m.checks.length || m.new) {
        out.write(
          `checksum lists: ${m.matched} matched, ${m.mismatched} mismatched, ${m.missing} missing, ${m.new} new\n`,
        );
        for (const c of m.checks.filter((c) => c.status !== 'matched')) {
          out.write(
            c.status === 'mismatched'
              ? `  MISMATCHED  ${c.listedPath}: sha256 ${c.actual}, ${c.manifestPath} lists ${c.expected}\n`
              : `  MISSING     ${c.listedPath}: listed in ${c.manifestPath}, not in the bundle\n`,
          );
        }
      }
      for (const w of s.warnings) ctx.stderr.write(`warning: ${w}\n`);
      if (failed)
        ctx.stderr.write(
          'the evidence was preserved as found; the checksum failures are recorded in the custody log\n',
        );
      return failed ? 1 : 0;
    });
  },
};

const verify: Command = {
  summary:
    'Re-hash every stored object, recompute the custody chain, check every row against the custody event that created it, ' +
    'the append-only triggers by their SQL, the object store for strays, and the chain head against every witness: the ' +
    "workstation's witness log, earlier verifications, --checkpoint files (signed checkpoints a custodian pinned) and " +
    '--report bundles (the head they printed). --rebuild-derived also rebuilds the DuckDB audit index from the preserved logs and ' +
    'compares it with its recorded build. Exit 0 only when everything holds; what no witness covers is said in one ' +
    'line. The run is itself recorded (signed by the custodian given with --sign-as).',
  usage:
    '<case-id> [--checkpoint FILE]... [--report DIR]... [--rebuild-derived] [--sign-as NAME] [--home DIR] [--actor NAME] [--json]',
  positionals: ['<case-id>'],
  options: {
    'rebuild-derived': { type: 'boolean' },
    'sign-as': { type: 'string' },
    checkpoint: { type: 'string', multiple: true },
    report: { type: 'string', multiple: true },
  },
  async run(ctx) {
    const custodian = await signingCustodian(ctx);
    const checkpoints = listOpt(ctx, 'checkpoint').map((file) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new ProbityError('unreadable', `${file}: ${describeFsError(err)}`, { file });
      }
      return { file, signed: parseSignedCheckpoint(text, file) };
    });
    const reports = listOpt(ctx, 'report');
    return withCase(ctx, async (store) => {
      const r = await verifyCase({
        store,
        actor: actorFor(ctx, custodian),
        signer: caseSigner(ctx, store, custodian),
        signal: ctx.signal,
        onProgress: progressPrinter(ctx),
        checkpoints,
        reports,
        rebuildDerived: ctx.options['rebuild-derived'] === true,
      });
      if (ctx.json) emit(ctx, r);
      else if (r.ok) {
        ctx.stdout.write(
          `${r.caseId}: OK — ${r.objectsChecked} objects (${humanBytes(r.bytesChecked)}) match their SHA-256; custody chain verified through seq ${r.lastSeq} (${r.lastHash}); every row matches its custody event; triggers in place\n`,
        );
        for (const n of r.notes) ctx.stdout.write(`  ${n}\n`);
      } else {
        ctx.stdout.write(
          `${r.caseId}: FAILED — ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}\n`,
        );
        for (const m of r.messages) ctx.stdout.write(`  ${m}\n`);
        for (const n of r.notes) ctx.stdout.write(`  note: ${n}\n`);
      }
      return r.ok ? 0 : 1;
    });
  },
};

const evidence: Command = {
  summary: 'List the evidence of a case: path, kind, size, SHA-256 and checksum-list status.',
  usage: '<case-id> [--kind KIND] [--home DIR] [--json]',
  positionals: ['<case-id>'],
  options: { kind: { type: 'string' } },
  async run(ctx) {
    const kind = opt(ctx, 'kind');
    if (kind && !EVIDENCE_KINDS.includes(kind as EvidenceKind)) {
      throw new ProbityError('usage', `--kind ${kind}: not a kind (${EVIDENCE_KINDS.join(', ')})`);
    }
    return withCase(ctx, async (store) => {
      const items = listEvidence(store, kind ? { kind: kind as EvidenceKind } : {});
      if (ctx.json) emit(ctx, items);
      else
        ctx.stdout.write(
          table(
            items.map((e) => [
              e.kind,
              e.kind === 'link' ? '-' : humanBytes(e.size),
              e.sha256 ?? `-> ${e.linkTarget ?? ''}`,
              e.manifestStatus ?? '-',
              e.occurrence > 1 ? `${e.path} (occurrence ${e.occurrence})` : e.path,
            ]),
            ['KIND', 'SIZE', 'SHA256', 'MANIFEST', 'PATH'],
          ),
        );
      return 0;
    });
  },
};

const log: Command = {
  summary: 'Print the custody log of a case, with each event’s hash.',
  usage: '<case-id> [--home DIR] [--json]',
  positionals: ['<case-id>'],
  options: {},
  async run(ctx) {
    return withCase(ctx, async (store) => {
      const events = listEvents(store.db);
      if (ctx.json) emit(ctx, events);
      else
        ctx.stdout.write(
          table(
            events.map((e) => [String(e.seq), e.at, e.actor, e.action, e.hash.slice(0, 16), e.subject]),
            ['SEQ', 'AT (UTC)', 'ACTOR', 'ACTION', 'HASH', 'SUBJECT'],
          ),
        );
      return 0;
    });
  },
};

const caseExport: Command = {
  summary:
    'Archive a case for another workstation: a .tar with a consistent case.db snapshot, every object, MANIFEST.sha256 and, with --sign-as, its Ed25519 signature.',
  usage: '<case-id> --out FILE.tar [--sign-as NAME] [--home DIR] [--json]',
  positionals: ['<case-id>'],
  options: { out: { type: 'string' }, 'sign-as': { type: 'string' } },
  async run(ctx) {
    const out = requiredOpt(ctx, 'out', 'the .tar file to write');
    return withCase(ctx, async (store) => {
      const custodian = await signingCustodian(ctx);
      const r = await exportCase({
        store,
        home: ctx.workstation.home,
        out,
        actor: actorFor(ctx, custodian),
        custodian,
      });
      if (ctx.json) emit(ctx, r);
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
      pin: opt(ctx, 'pin'),
      custodian,
    });
    if (ctx.json) emit(ctx, r);
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

export const CASE_COMMANDS: Record<string, Command> = {
  'case create': caseCreate,
  'case list': caseList,
  ingest,
  verify,
  evidence,
  log,
  'case export': caseExport,
  'case import': caseImport,
};
