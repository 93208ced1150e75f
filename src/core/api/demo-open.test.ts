/**
 * demo:open runs the demo generator the host handed to the service (src/demo lives outside the
 * domain, so the service cannot import it): with none handed in, the call is refused by name.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { newWorkstation } from '../../../test/helpers';
import type { DemoCases } from '../../shared/contract';
import { ProbityService, type ServiceOptions } from './service';

describe('demo:open', () => {
  const { ws, cleanup } = newWorkstation();
  afterAll(() => cleanup());
  const base: ServiceOptions = { workstation: ws, actor: 'op', host: 'h', mode: 'browser', version: 't' };

  it('is refused, as a usage error and not a crash, when the host gave no demo generator', async () => {
    const res = await new ProbityService(base).handle('demo:open', {});
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('usage');
    expect(res.error.message).toMatch(/without the demo generator/);
  });

  it("runs the host's generator on the service's workstation, as the service's actor and host", async () => {
    const calls: unknown[] = [];
    const cases: DemoCases = { incidentCaseId: 'i', referenceCaseId: 'r' };
    const service = new ProbityService({
      ...base,
      openDemo: async (w, who) => {
        calls.push([w === ws, who]);
        return cases;
      },
    });
    const res = await service.handle('demo:open', {});
    expect(res).toEqual({ ok: true, result: cases });
    expect(calls).toEqual([[true, { actor: 'op', host: 'h' }]]);
  });
});
