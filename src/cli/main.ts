/**
 * The `probity` command. Every command takes --json: stdout then carries only the result, as one
 * JSON document; progress and messages go to stderr. Exit codes: 0 ok, 1 a verification or
 * checksum failure, 2 bad usage or unreadable input (one line naming the file and the reason).
 */
import os from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProbityError } from '../core/util/errors';
import { resolveHome } from '../core/store/home';
import { describeSqliteError } from '../core/store/sqlite';
import { Workstation } from '../core/store/workstation';
import type { CommandContext, OptionValue } from './command';
import { COMMANDS } from './registry';
import { printUsage } from './usage';
import { PROBITY_VERSION } from './version';

const GLOBAL_OPTIONS = {
  home: { type: 'string' },
  json: { type: 'boolean', default: false },
  actor: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} satisfies ParseArgsConfig['options'];

export async function main(argv: string[]): Promise<number> {
  // The command word(s) come first: `case create`, `ingest`, …
  const words: string[] = [];
  let i = 0;
  while (i < argv.length && !argv[i]!.startsWith('-') && words.length < 2) {
    const candidate = [...words, argv[i]!].join(' ');
    if (COMMANDS[candidate] || Object.keys(COMMANDS).some((k) => k.startsWith(`${candidate} `))) {
      words.push(argv[i]!);
      i++;
    } else break;
  }
  const name = words.join(' ');
  const command = COMMANDS[name];
  if (!command) {
    if (argv.includes('--version')) {
      process.stdout.write(`probity ${PROBITY_VERSION}\n`);
      return 0;
    }
    const wantHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    printUsage(process.stderr);
    if (!wantHelp) process.stderr.write(`\nprobity: unknown command "${argv.slice(0, 2).join(' ')}"\n`);
    return wantHelp ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(i),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(
      `probity ${name}: ${(err as Error).message}\nusage: probity ${name} ${command.usage}\n`,
    );
    return 2;
  }
  const values = parsed.values as Record<string, OptionValue>;
  if (values.help) {
    process.stdout.write(`usage: probity ${name} ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  // A positional written `[<name>]` may be left out.
  const required = command.positionals.filter((p) => !p.startsWith('[')).length;
  if (parsed.positionals.length < required || parsed.positionals.length > command.positionals.length) {
    process.stderr.write(
      `probity ${name}: expected ${command.positionals.join(' ') || 'no arguments'}\nusage: probity ${name} ${command.usage}\n`,
    );
    return 2;
  }
  const json = values.json === true;
  const ctx: CommandContext = {
    workstation: new Workstation(resolveHome(values.home as string | undefined)),
    command: name,
    actor: (values.actor as string | undefined) ?? Workstation.defaultActor(),
    host: os.hostname(),
    json,
    args: parsed.positionals,
    options: values,
    stdout: process.stdout,
    stderr: process.stderr,
  };
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      if (name !== 'serve') process.stderr.write('\nprobity: cancelling (Ctrl-C again to quit at once)…\n');
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  try {
    return await command.run({ ...ctx, signal: controller.signal });
  } catch (err) {
    if (err instanceof ProbityError) {
      if (err.code === 'cancelled') {
        process.stderr.write(
          `probity ${name}: cancelled; nothing was lost — run the same command again to resume\n`,
        );
        return 130;
      }
      process.stderr.write(`probity ${name}: ${err.message}\n`);
      if (json)
        process.stdout.write(
          `${JSON.stringify({ error: { code: err.code, message: err.message, file: err.file ?? null } })}\n`,
        );
      return err.exitCode;
    }
    const sqlite = describeSqliteError(err);
    if (sqlite !== null) {
      // A database failure outside any one case (the file is then not known here): the reason, no trace.
      process.stderr.write(`probity ${name}: database error: ${sqlite}\n`);
      return 2;
    }
    process.stderr.write(`probity ${name}: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 2;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Run with this process's arguments and set its exit code. */
export function runCli(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`probity: internal error: ${String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
