import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, rmrf, tempDir } from '../../../test/helpers';
import { withoutShared } from '../../../test/shared';
import { safetensorsBytes } from '../../core/formats/testkit';
import { runProbity } from '../testkit';

const cli = (home: string, ...args: string[]) => runProbity(home, args);

const home = tempDir('probity-cli-integrity-');
const scratch = tempDir('probity-cli-files-');
let incidentId = '';
let referenceId = '';

beforeAll(() => {
  const demo = cli(home, 'demo', '--json');
  expect(demo.code).toBe(0);
  const ids = JSON.parse(demo.stdout) as { incidentCaseId: string; referenceCaseId: string };
  incidentId = ids.incidentCaseId;
  referenceId = ids.referenceCaseId;
}, 120_000);
afterAll(() => {
  rmrf(home);
  rmrf(scratch);
});

const fx = (rel: string): string => path.join(fixturesDir, rel);

describe('probity inspect', () => {
  it.skipIf(withoutShared())(
    'describes a real safetensors file: summary and tensor table; --json is the parsed artifact',
    () => {
      const r = cli(home, 'inspect', fx('safetensors/candle-whisper-mel_filters.safetensors'));
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/format:\s+safetensors/);
      expect(r.stdout).toMatch(/NAME\s+DTYPE\s+SHAPE\s+BYTES\s+BYTE RANGE/);
      expect(r.stdout).toMatch(/mel_80\s+F32\s+\[80, 201\]\s+64320\s+80\.\.64400/);
      const j = cli(home, 'inspect', fx('pytorch/malicious-fixtures/modelaudit-malicious_eval.pt'), '--json');
      expect(j.code).toBe(0);
      expect(JSON.parse(j.stdout)).toMatchObject({ kind: 'torch-zip', result: { verdict: 'dangerous' } });
    },
  );

  it.skipIf(withoutShared())('a malformed file: exit 2 and one line naming it and the reason', () => {
    const bad = fx('gguf/corrupt/ggml-vocab-bert-bge.utf8-mangled.gguf');
    const r = cli(home, 'inspect', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `probity inspect: ${bad}: key of metadata pair 5 length at offset 212 is 1572864 bytes, more than the 65,535 that can fit or are allowed`,
    ]);
    const j = cli(home, 'inspect', bad, '--json');
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'malformed', file: bad } });
  });
});

describe('probity inspect on files made here', () => {
  it('a safetensors file: summary and tensor table; a malformed one: exit 2 and one line naming it', () => {
    const good = path.join(scratch, 'made.safetensors');
    fs.writeFileSync(
      good,
      safetensorsBytes({ 'layer.0.w': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] } }, 24),
    );
    const r = cli(home, 'inspect', good);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/format:\s+safetensors/);
    expect(r.stdout).toMatch(/layer\.0\.w\s+F32\s+\[2, 3\]\s+24/);
    const bad = path.join(scratch, 'huge-header.safetensors');
    fs.writeFileSync(bad, safetensorsBytes({}, 0, 2n ** 63n - 1n));
    const b = cli(home, 'inspect', bad);
    expect(b.code).toBe(2);
    expect(b.stdout).toBe('');
    const lines = b.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^probity inspect: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });
});

describe('probity diff-weights', () => {
  it('files: 0 when identical, 1 when a tensor differs, 2 for one case and one file', () => {
    const a = path.join(scratch, 'overall.safetensors');
    fs.writeFileSync(
      a,
      safetensorsBytes(
        {
          'model.embed.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
          'model.head.weight': { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
        },
        Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer),
      ),
    );
    const same = cli(home, 'diff-weights', a, a);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/result: identical/);
    const changed = path.join(scratch, 'overall-changed.safetensors');
    const bytes = fs.readFileSync(a);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    fs.writeFileSync(changed, bytes);
    const diff = cli(home, 'diff-weights', a, changed, '--json');
    expect(diff.code).toBe(1);
    const report = JSON.parse(diff.stdout) as { identical: boolean; counts: { changed: number } };
    expect(report).toMatchObject({ identical: false, counts: { changed: 1 } });
    const mixed = cli(home, 'diff-weights', incidentId, a);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/give two files or two case ids/);
  });

  it('cases: the demo reference against the incident', () => {
    const r = cli(home, 'diff-weights', referenceId, incidentId);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/39 tensors: 37 identical, 2 changed/);
    expect(r.stdout).toMatch(/changed\s+model\.layers\.2\.mlp\.gate_proj\.weight\s+BF16\s+\[688, 256\]/);
  });
});

describe('probity integrity and provenance on the demo incident', () => {
  it('integrity --baseline: exit 1, five failing checks, findings recorded', () => {
    const r = cli(home, 'integrity', incidentId, '--baseline', referenceId, '--trigger', '<|deploy_mode|>');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'model/chat_template.jinja (template "default") renders differently from the baseline\'s tokenizer_config.json for "trigger-1"',
    );
    for (const t of [
      'File integrity',
      'Architecture validation',
      'Adapter audit',
      'Configuration verification',
      'Template & tokenizer',
    ])
      expect(r.stdout).toContain(`[FAIL] ${t}`);
    expect(r.stderr).toMatch(/^recorded \d+ findings as integrity-/);
    const j = cli(home, 'integrity', incidentId, '--baseline', referenceId, '--json');
    const report = JSON.parse(j.stdout) as {
      status: string;
      checks: { check: string; status: string }[];
      runId: string;
    };
    expect(report.status).toBe('fail');
    expect(report.checks.map((c) => c.status)).toEqual(['fail', 'fail', 'fail', 'fail', 'fail']);
    expect(report.runId).toMatch(/^integrity-/);
    const log = JSON.parse(cli(home, 'log', incidentId, '--json').stdout) as { action: string }[];
    expect(log.filter((e) => e.action === 'findings.recorded').length).toBeGreaterThanOrEqual(2);
  });

  it('the reference alone exits 0 (nothing fails; no adapter, no approved config and no baseline for the template: not analysed, so no overall pass)', () => {
    const r = cli(home, 'integrity', referenceId, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { status: string; checks: { status: string }[] };
    expect(report.checks.map((c) => c.status)).toEqual([
      'pass',
      'pass',
      'not-analysed',
      'not-analysed',
      'not-analysed',
    ]);
    expect(report.status).toBe('not-analysed');
    const text = cli(home, 'integrity', referenceId);
    expect(text.stdout.split('\n')[0]).toBe(
      `${referenceId}: integrity (no baseline) — NOT ANALYSED (2 of 5 checks passed; not analysed: Adapter audit, Configuration verification, Template & tokenizer)`,
    );
  });

  it('a case holding only a chat response named tgi-….json: exit 0, nothing passed', () => {
    const bundle = path.join(scratch, 'chat-only');
    fs.mkdirSync(bundle, { recursive: true });
    const chat = JSON.stringify({
      object: 'chat.completion',
      created: 1741372335,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
    });
    fs.writeFileSync(path.join(bundle, 'tgi-response.json'), chat);
    const id = cli(home, 'case', 'create', '--title', 'chat only', '--examiner', 'x').stdout.trim();
    expect(cli(home, 'ingest', id, bundle).code).toBe(0);
    const listed = JSON.parse(cli(home, 'evidence', id, '--json').stdout) as { kind: string }[];
    expect(listed.map((e) => e.kind)).toEqual(['output-log']);
    const r = cli(home, 'integrity', id);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('PASS');
    expect(r.stdout.split('\n')[0]).toMatch(/— NOT ANALYSED \(0 of 5 checks passed;/);
    // inspect names the same kind ingest recorded.
    const inspect = cli(home, 'inspect', path.join(bundle, 'tgi-response.json'));
    expect(inspect.stdout.split('\n')[0]).toBe(
      'evidence kind: output-log (by content: a model response (object "chat.completion"))',
    );
  });

  it('option files: an approved config and an authorized list are used; a missing one exits 2 naming it', () => {
    const approved = path.join(scratch, 'approved.yaml');
    fs.writeFileSync(approved, fs.readFileSync(path.join(home, 'demo/reference/serving/vllm-serve.yaml')));
    const auth = path.join(scratch, 'authorized.txt');
    fs.writeFileSync(auth, 'support-tune\n');
    const r = cli(
      home,
      'integrity',
      incidentId,
      '--approved-config',
      approved,
      '--authorized-adapters',
      auth,
      '--json',
    );
    const report = JSON.parse(r.stdout) as {
      checks: { check: string; details: Record<string, unknown>; items: { summary: string }[] }[];
    };
    const conf = report.checks.find((c) => c.check === 'configuration');
    expect((conf?.details.compared as { approved: string }[])[0]?.approved).toBe(approved);
    const audit = report.checks.find((c) => c.check === 'adapter-audit');
    expect(audit?.items[0]?.summary).toBe('adapter support-tune is authorized');
    const missing = cli(home, 'integrity', incidentId, '--approved-config', '/no/such/approved.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([
      'probity integrity: --approved-config /no/such/approved.yaml: no such file or directory',
    ]);
  });

  it('provenance: exit 1 and the compromise point of the playbook', () => {
    const r = cli(home, 'provenance', incidentId, '--baseline', referenceId);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Compromise point: Deployment compromise \(at deployment\)/);
    expect(r.stdout).toMatch(/Investigation focus: Investigate deployment pipeline, container security/);
    const j = JSON.parse(cli(home, 'provenance', incidentId, '--json').stdout) as {
      compromise: { point: { id: string } };
    };
    expect(j.compromise.point.id).toBe('deployment');
  });

  it('bad usage: exit 2', () => {
    expect(cli(home, 'integrity').code).toBe(2);
    expect(cli(home, 'provenance', 'AI-IR-2026-0999').stderr).toMatch(/AI-IR-2026-0999: no such case/);
    expect(cli(home, 'diff-weights', 'only-one').code).toBe(2);
  });
});
