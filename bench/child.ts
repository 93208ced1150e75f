/**
 * One timed Probity operation in its own process, so its peak RSS can be read cleanly:
 *   child.ts ingest <home> <bundle>   — create a case and ingest the bundle into it
 *   child.ts verify <home> <case-id>  — verify the case
 *   child.ts diff <a> <b>              — diff two safetensors files tensor by tensor
 * Prints {seconds, maxRssKb} as JSON; seconds covers the operation (hash pool start included),
 * not Node's own start-up.
 */
import { ingestBundle } from '../src/core/ingest/ingest';
import { diffWeightFiles } from '../src/core/integrity/diff-weights';
import { verifyCase } from '../src/core/verify/verify';
import { Workstation } from '../src/core/store/workstation';

async function run(): Promise<void> {
  const [op, home, arg] = process.argv.slice(2);
  const ws = new Workstation(home!, 'bench');
  const t = process.hrtime.bigint();
  if (op === 'ingest') {
    const store = ws.createCase({ title: 'bench', actor: 'bench' });
    await ingestBundle({ store, bundle: arg!, actor: 'bench', host: 'bench' });
    store.close();
  } else if (op === 'verify') {
    const store = ws.openCase(arg!);
    const r = await verifyCase({ store, actor: 'bench' });
    store.close();
    if (!r.ok) throw new Error(`verify failed: ${r.messages.join('; ')}`);
  } else if (op === 'diff') {
    // child.ts diff <a.safetensors> <b.safetensors>: home is the first file here.
    const r = await diffWeightFiles(home!, arg!);
    if (r.identical) throw new Error('the bench files were expected to differ');
  } else throw new Error(`unknown op ${op}`);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, maxRssKb: process.resourceUsage().maxRSS }));
}

await run();
