/**
 * The table of `probity` commands, by their words ("case create", "ingest"), in the order the usage
 * lists them. main.ts dispatches on it; usage.ts prints it.
 */
import type { Command } from './command';
import { AUDIT_COMMANDS } from './commands/audit';
import { BEHAVIOR_COMMANDS } from './commands/behavior';
import { CASE_COMMANDS } from './commands/case';
import { CUSTODIAN_COMMANDS } from './commands/custodian';
import { HOST_COMMANDS } from './commands/host';
import { INCIDENT_COMMANDS } from './commands/incident';
import { INTEGRITY_COMMANDS } from './commands/integrity';
import { REPORT_COMMANDS } from './commands/report';
import { SCAN_COMMANDS } from './commands/scan';

export const COMMANDS: Readonly<Record<string, Command>> = {
  ...CASE_COMMANDS,
  ...BEHAVIOR_COMMANDS,
  ...INTEGRITY_COMMANDS,
  ...SCAN_COMMANDS,
  ...HOST_COMMANDS,
  ...CUSTODIAN_COMMANDS,
  ...REPORT_COMMANDS,
  ...AUDIT_COMMANDS,
  ...INCIDENT_COMMANDS,
};
