/**
 * For the service's tests: a ProbityService on a fresh workstation home (removed after the tests),
 * optionally with the demo incident opened before them, and the readers of its envelopes.
 */
import { afterAll, beforeAll } from 'vitest';
import { newWorkstation } from '../../../test/helpers';
import type { ApiError, DemoCases, Envelope } from '../../shared/contract';
import type { Workstation } from '../store/workstation';
import { openDemoIncident } from '../../demo/open-demo';
import { ProbityService } from './service';

/** The result of a call that must succeed; a failure throws with its code and message. */
export function ok<T>(e: Envelope<unknown>): T {
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
  return e.result as T;
}

/** The error of a call that must fail; a success throws. */
export function fails(e: Envelope<unknown>): ApiError {
  if (e.ok) throw new Error('expected an error');
  return e.error;
}

export interface TestService {
  service: ProbityService;
  ws: Workstation;
  home: string;
}

/** Inside a describe: a browser-mode service acting as `actor`, its home removed after the tests. */
export function testService(actor = 'tester'): TestService {
  const { ws, home, cleanup } = newWorkstation();
  afterAll(() => cleanup());
  return {
    service: new ProbityService({
      workstation: ws,
      actor,
      host: 'h',
      mode: 'browser',
      version: 't',
      openDemo: openDemoIncident,
    }),
    ws,
    home,
  };
}

/** Inside a describe: testService, with the demo incident opened before the tests (`demo()`). */
export function demoService(actor = 'tester'): TestService & { demo: () => DemoCases } {
  const t = testService(actor);
  let demo: DemoCases | null = null;
  beforeAll(async () => {
    demo = ok<DemoCases>(await t.service.handle('demo:open', {}));
  }, 120_000);
  return {
    ...t,
    demo: () => {
      if (!demo) throw new Error('the demo incident was not opened');
      return demo;
    },
  };
}
