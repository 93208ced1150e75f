import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProbityService } from '../core/api/service';
import { openDemoIncident } from '../demo/open-demo';
import { ProbityError } from '../core/util/errors';
import type { Command } from './commands';
import { startServer } from './serve';
import { version } from '../../package.json';

/** The one version, package.json's: in `--version`, the report's generator and the install kit's name. */
export const PROBITY_VERSION: string = version;

let rendererDirOverride: string | null = null;

/** The install kit (src/cli/packaged.ts) ships the built UI beside its bundle and names it here. */
export function setDefaultRendererDir(dir: string): void {
  rendererDirOverride = dir;
}

/** out/renderer, built by `npm run build:web` (or `npm run build` for the desktop app). */
export function defaultRendererDir(): string {
  return (
    rendererDirOverride ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../out/renderer')
  );
}

export const demoCommand: Command = {
  summary:
    'Generate the demo incident (a known-good reference model and a compromised deployment, deterministic) and preserve each into its own case. Prints the incident case id, then the reference case id.',
  usage: '[--home DIR] [--actor NAME] [--json]',
  positionals: [],
  options: {},
  async run(ctx) {
    const ids = await openDemoIncident(ctx.workstation, {
      actor: ctx.actor,
      host: ctx.host,
      onProgress: (step, p) => {
        if (!p && !ctx.json) ctx.stderr.write(`${step}…\n`);
      },
    });
    if (ctx.json) ctx.stdout.write(`${JSON.stringify(ids, null, 2)}\n`);
    else ctx.stdout.write(`${ids.incidentCaseId}\n${ids.referenceCaseId}\n`);
    return 0;
  },
};

export const serveCommand: Command = {
  summary:
    'Browser mode: serve the workstation UI and its API on 127.0.0.1 only, with a random token in the printed URL. Ctrl-C stops it.',
  usage: '[--port N] [--home DIR] [--actor NAME]',
  positionals: [],
  options: { port: { type: 'string' }, 'renderer-dir': { type: 'string' } },
  async run(ctx) {
    const portText = (ctx.options.port as string | undefined) ?? '0';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new ProbityError('usage', `--port ${portText}: not a port number`);
    const rendererDir = (ctx.options['renderer-dir'] as string | undefined) ?? defaultRendererDir();
    if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
      throw new ProbityError(
        'not-found',
        `${rendererDir}: the workstation UI is not built; run \`npm run build:web\` first`,
        {
          file: rendererDir,
        },
      );
    }
    const service = new ProbityService({
      workstation: ctx.workstation,
      actor: ctx.actor,
      host: ctx.host,
      mode: 'browser',
      version: PROBITY_VERSION,
      openDemo: openDemoIncident,
    });
    let running;
    try {
      running = await startServer({ service, rendererDir, port });
    } catch (err) {
      throw new ProbityError('unreadable', `127.0.0.1:${port}: cannot listen: ${(err as Error).message}`);
    }
    // The URL alone on the first stdout line, so scripts and tests can read it.
    ctx.stdout.write(`${running.url}\n`);
    ctx.stderr.write(
      `Probity browser mode on 127.0.0.1 only — open the URL above. Cases live in ${ctx.workstation.casesDir}. Ctrl-C stops.\n`,
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal?.aborted) resolve();
      ctx.signal?.addEventListener('abort', () => resolve(), { once: true });
      process.once('SIGTERM', () => resolve());
    });
    await running.close();
    return 0;
  },
};
