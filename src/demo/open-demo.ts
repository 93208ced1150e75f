import path from 'node:path';
import type { DemoCases } from '../shared/contract';
import type { Progress } from '../shared/domain';
import { ingestBundle } from '../core/ingest/ingest';
import type { Workstation } from '../core/store/workstation';
import { generateDemoBundles } from './generate';

export interface OpenDemoOptions {
  actor: string;
  host: string;
  onProgress?: (step: string, p: Progress | null) => void;
}

/**
 * The demo incident, one click or one command away: generate both bundles (deterministic, seeded)
 * under `<home>/demo/`, then preserve each into its own case exactly as a custodian would.
 */
export async function openDemoIncident(ws: Workstation, opts: OpenDemoOptions): Promise<DemoCases> {
  const out = path.join(ws.home, 'demo');
  opts.onProgress?.('generating the demo bundles', null);
  const { referenceDir, incidentDir, facts } = await generateDemoBundles(out, { overwrite: true });
  const reference = ws.createCase({
    title: `Known-good reference: ${facts.model.baseModel} (${facts.model.versions.knownGood})`,
    examiner: 'Demo examiner',
    actor: opts.actor,
  });
  const incident = ws.createCase({
    title: `Demo: ${facts.model.servedModelName} compromised — ${facts.model.versions.compromised} deployed ${facts.window.start.slice(0, 10)}`,
    examiner: 'Demo examiner',
    actor: opts.actor,
  });
  try {
    for (const [store, bundle, step] of [
      [reference, referenceDir, 'preserving the known-good reference'],
      [incident, incidentDir, 'preserving the incident evidence'],
    ] as const) {
      opts.onProgress?.(step, null);
      await ingestBundle({
        store,
        bundle,
        actor: opts.actor,
        host: opts.host,
        onProgress: (p) => opts.onProgress?.(step, p),
      });
    }
    return { incidentCaseId: incident.id, referenceCaseId: reference.id };
  } finally {
    reference.close();
    incident.close();
  }
}
