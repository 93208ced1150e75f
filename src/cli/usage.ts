import { COMMANDS } from './registry';

export function printUsage(out: NodeJS.WritableStream): void {
  const lines = [
    'probity — evidence custody and forensics for a compromised AI model',
    '',
    'usage: probity <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${`${name} ${c.usage}`}\n      ${c.summary}`),
    '',
    'Every command takes --home DIR (else PROBITY_HOME, else the OS app-data folder) and --json.',
    'Exit codes: 0 ok · 1 verification or checksum failure · 2 bad usage or unreadable input.',
  ];
  out.write(`${lines.join('\n')}\n`);
}
