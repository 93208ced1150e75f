// Appends N custody events to a case from its own process: `append-events.mjs HOME CASE N TAG`.
import { register } from 'tsx/esm/api';

register();
const [home, caseId, n, tag] = process.argv.slice(2);
const { Workstation } = await import('../../src/core/store/workstation.ts');
const { appendEvent } = await import('../../src/core/store/custody.ts');
const store = new Workstation(home, 'test-host').openCase(caseId);
let failed = 0;
for (let i = 0; i < Number(n); i++) {
  try {
    appendEvent(store.db, {
      actor: tag,
      action: 'incident.timeline.added',
      subject: caseId,
      details: { text: `${tag} entry ${i}` },
    });
  } catch (err) {
    failed++;
    process.stderr.write(`${tag}: ${err.message}\n`);
  }
}
store.close();
process.stdout.write(JSON.stringify({ failed }));
