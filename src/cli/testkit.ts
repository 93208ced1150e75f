/**
 * For the CLI's tests: run `probity` (bin/probity.js) as a child process against a workstation home,
 * the way a user runs it, and read its exit code and output.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../test/helpers';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `probity ARGS --home HOME`, with `env` added to this process's environment. */
export function runProbity(home: string, args: readonly string[], env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/probity.js'), ...args, '--home', home], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
