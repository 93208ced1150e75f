// Takes and releases one lock N times, checking nobody else holds it meanwhile:
// `lock-race.mjs LOCKFILE MARKER N`. Prints {"double": <times the marker already existed>}.
import fs from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const [lockFile, marker, n] = process.argv.slice(2);
const { acquireLock } = await import('../../src/core/store/lock.ts');
let double = 0;
for (let i = 0; i < Number(n); i++) {
  const release = acquireLock(lockFile, 'race', { waitMs: 60_000 });
  try {
    fs.writeFileSync(marker, String(process.pid), { flag: 'wx' });
  } catch {
    double++;
  }
  fs.rmSync(marker, { force: true });
  release();
}
process.stdout.write(JSON.stringify({ double }));
