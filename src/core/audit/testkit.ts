/**
 * Test support: a case holding a synthetic generic log, imported and windowed, for the sampling,
 * label and estimate tests. Records are laid out so that every count is known in advance.
 */
import fs from 'node:fs';
import path from 'node:path';
import { newWorkstation, rmrf, tempDir } from '../../../test/helpers';
import type { CaseStore } from '../store/workstation';
import { importLog } from './importer';
import { loadedPolicy, type ToolPolicy } from './policy';
import { manualWindow, setWindow } from './window';

export const DAY_MS = 86_400_000;
export const START_MS = Date.UTC(2026, 9, 6);
export const TOOLS = ['lookup_order', 'search_kb', 'refund_order'] as const;

export interface SyntheticCase {
  store: CaseStore;
  /** Request ids in time order. */
  requestIds: string[];
  cleanup: () => void;
}

/**
 * `days` days of `perDay` records each, one per user in turn among `users`, cycling through no tool
 * and the three TOOLS; records `refund-N` (every 25th) call refund_order without a ticket. The window
 * is the whole span; the policy requires a ticket for refunds.
 */
export async function syntheticCase(opts: {
  days: number;
  perDay: number;
  users: number;
}): Promise<SyntheticCase> {
  const { ws, cleanup } = newWorkstation();
  const dir = tempDir('probity-audit-synth-');
  const store = ws.createCase({ title: 'synthetic', actor: 'tester' });
  const lines: string[] = [];
  const requestIds: string[] = [];
  for (let i = 0; i < opts.days * opts.perDay; i++) {
    const day = Math.floor(i / opts.perDay);
    const ts = START_MS + day * DAY_MS + (i % opts.perDay) * 60_000;
    const id = `req-${String(i).padStart(5, '0')}`;
    const tool = i % 4 === 0 ? null : TOOLS[(i % 4) - 1]!;
    const args =
      tool === 'refund_order' ? (i % 25 === 3 ? { amount: 10 } : { amount: 10, ticket_id: 'T' }) : {};
    requestIds.push(id);
    lines.push(
      JSON.stringify({
        timestamp: new Date(ts).toISOString(),
        request_id: id,
        user_id: `u${i % opts.users}`,
        conversation_id: `c${Math.floor(i / 2)}`,
        model_version: 'r7',
        messages: [{ role: 'user', content: `question ${i}` }],
        response: `answer ${i}`,
        tool_calls: tool ? [{ name: tool, arguments: args }] : [],
        downstream: tool ? 'crm-sync' : null,
      }),
    );
  }
  const file = path.join(dir, 'requests.jsonl');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  await importLog({ store, file, actor: 'tester', host: 'test-host' });
  const policy: ToolPolicy = {
    tools: { lookup_order: {}, search_kb: {}, refund_order: { require: ['ticket_id'] } },
  };
  setWindow(store, {
    actor: 'tester',
    spec: manualWindow(
      new Date(START_MS).toISOString(),
      new Date(START_MS + opts.days * DAY_MS).toISOString(),
    ),
    policy: loadedPolicy(policy, null),
  });
  return {
    store,
    requestIds,
    cleanup: () => {
      store.close();
      cleanup();
      rmrf(dir);
    },
  };
}
