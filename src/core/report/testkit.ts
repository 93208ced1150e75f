/**
 * A small case for report and transfer tests: a preserved model (weights, config, tokenizer), a
 * verification, findings of a provenance, an integrity and an audit stage, and a signing custodian.
 * Test-only helper (imported by *.test.ts files).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { newWorkstation, tempDir, writeTree, rmrf } from '../../../test/helpers';
import { ingestBundle } from '../ingest/ingest';
import { addCustodian, unlockCustodian, type UnlockedCustodian } from '../keys/custodians';
import { recordFindings } from '../store/findings';
import { verifyCase } from '../verify/verify';
import type { CaseStore, Workstation } from '../store/workstation';

export interface Fixture {
  ws: Workstation;
  home: string;
  store: CaseStore;
  alice: UnlockedCustodian;
  cleanup: () => void;
}

export async function caseWithFindings(): Promise<Fixture> {
  const { ws, home, cleanup } = newWorkstation();
  const bundle = tempDir('probity-report-bundle-');
  writeTree(bundle, {
    'model/model.safetensors': Buffer.alloc(4096, 7),
    'model/config.json': '{"model_type":"llama","hidden_size":64}',
    'model/tokenizer.json': '{"version":"1.0","model":{"type":"BPE"}}',
    'deployment/deployment.yaml': 'kind: Deployment\nmetadata:\n  name: model-service\n',
  });
  const store = ws.createCase({ title: 'SupportLM adapter backdoor', examiner: 'R. Roe', actor: 'ops' });
  await ingestBundle({ store, bundle, actor: 'ops', host: 'test-host' });
  rmrf(bundle);
  await verifyCase({ store, actor: 'ops', workers: 1 });
  recordFindings(store, {
    stage: 'provenance',
    actor: 'ops',
    findings: [
      {
        check: 'provenance-step',
        status: 'pass',
        subject: 'base-model',
        summary: '1. base-model: outputs carry over unchanged',
      },
      {
        check: 'compromise-point',
        status: 'fail',
        subject: 'fine-tuning',
        summary:
          'Fine-tuning compromise: pre-fine-tuning checksums OK, post-fine-tuning differ from expected.',
        details: {
          point: { id: 'fine-tuning', name: 'Fine-tuning compromise' },
          vectors: [{ vector: 'Malicious training data' }, { vector: 'Compromised fine-tuning pipeline' }],
        },
      },
    ],
  });
  recordFindings(store, {
    stage: 'integrity',
    actor: 'ops',
    findings: [
      {
        check: 'file-integrity',
        status: 'fail',
        subject: 'model/model.safetensors',
        summary: 'File integrity: 1 of 3 files differ',
      },
      { check: 'architecture', status: 'pass', subject: null, summary: 'Architecture validation: matches' },
      {
        check: 'configuration',
        status: 'not-analysed',
        subject: null,
        summary: 'No approved configuration given',
      },
    ],
  });
  recordFindings(store, {
    stage: 'audit',
    actor: 'ops',
    findings: [
      {
        check: 'compromise-window',
        status: 'info',
        subject: null,
        summary: 'Window 2026-03-02 to 2026-03-09: 1,204 users.',
      },
    ],
  });
  addCustodian(home, { name: 'alice', role: 'incident commander', passphrase: 'pw-alice', actor: 'ops' });
  addCustodian(home, { name: 'bob', role: 'evidence custodian', passphrase: 'pw-bob', actor: 'ops' });
  const alice = unlockCustodian(home, 'alice', 'pw-alice');
  return {
    ws,
    home,
    store,
    alice,
    cleanup: () => {
      store.close();
      cleanup();
    },
  };
}

/** Run a real binary in a folder; stdout and stderr together, as a user would see them. */
export function run(cmd: string, args: string[], cwd: string): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Run one line of POSIX sh (VERIFY.txt's commands) in a folder. */
export function sh(line: string, cwd: string): { code: number | null; out: string } {
  return run('sh', ['-c', line], cwd);
}

/** Copy a bundle folder so each tamper test starts from the original. */
export function copyDir(src: string): string {
  const dst = tempDir('probity-bundle-copy-');
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

export function flipByte(file: string): void {
  const data = fs.readFileSync(file);
  const i = Math.floor(data.length / 2);
  data[i] = (data[i] ?? 0) ^ 0x01;
  fs.writeFileSync(file, data);
}

export function bundleFile(dir: string, name: string): string {
  return path.join(dir, name);
}
