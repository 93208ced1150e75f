/**
 * What a command of `probity` is: its help text, its positionals and options (node:util parseArgs
 * shapes) and `run`, which gets the parsed context and returns the exit code (main.ts).
 */
import type { ParseArgsConfig } from 'node:util';
import type { Workstation } from '../core/store/workstation';

/** A parsed option: a string, a flag, a repeated string, or absent. */
export type OptionValue = string | boolean | string[] | undefined;

export interface CommandContext {
  workstation: Workstation;
  /** The command words ("ingest", "case export"), named in the witness log's entries. */
  command?: string;
  actor: string;
  host: string;
  json: boolean;
  args: string[];
  options: Record<string, OptionValue>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  signal?: AbortSignal;
}

export interface Command {
  summary: string;
  usage: string;
  positionals: string[];
  options: ParseArgsConfig['options'];
  run(ctx: CommandContext): Promise<number>;
}
