/**
 * `../shared` beside the checkout holds third-party sample files (real models, logs, eval outputs,
 * scanner corpora) that only the project's own machines have; a user's clone has no such folder.
 * Tests on those files are skipped where it is absent, each file printing one line that names the
 * folder; what they check is also covered by data the tests make themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDir = path.resolve(repoRoot, '../shared');

const announced = new Set<string>();

/**
 * True (and says so, once per folder in this test file's process) when `../shared/<sub>` is
 * absent: pass it to `describe.skipIf` / `it.skipIf`.
 */
export function withoutShared(sub = 'fixtures/real'): boolean {
  const dir = path.join(sharedDir, sub);
  if (fs.existsSync(dir)) return false;
  if (!announced.has(sub)) {
    announced.add(sub);
    console.log(
      `skipped: ${dir} is absent (only the project's machines have ../shared); tests on its files skipped`,
    );
  }
  return true;
}
