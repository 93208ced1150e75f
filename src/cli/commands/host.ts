/**
 * The host commands of `probity`: demo (generate and preserve the demo incident) and serve (the
 * browser mode: the workstation UI and its API on 127.0.0.1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProbityService } from '../../core/api/service';
import { openDemoIncident } from '../../demo/open-demo';
import { ProbityError } from '../../core/util/errors';
import type { Command } from '../command';
import { opt } from '../options';
import { emit } from '../output';
import { startServer } from '../serve';
import { PROBITY_VERSION } from '../version';

let rendererDirOverride: string | null = null;

/** The install kit (src/cli/packaged.ts) ships the built UI beside its bundle and names it here. */
export function setDefaultRendererDir(dir: string): void {
  rendererDirOverride = dir;
}

/** out/renderer, built by `npm run build:web` (or `npm run build` for the desktop app). */
export function defaultRendererDir(): string {
  return (
    rendererDirOverride ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../out/renderer')
  );
}

const demo: Command = {
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
    if (ctx.json) emit(ctx, ids);
    else ctx.stdout.write(`${ids.incidentCaseId}\n${ids.referenceCaseId}\n`);
    return 0;
  },
};

const serve: Command = {
  summary:
    'Browser mode: serve the workstation UI and its API on 127.0.0.1 only, with a random token in the printed URL. Ctrl-C stops it.',
  usage: '[--port N] [--home DIR] [--actor NAME]',
  positionals: [],
  options: { port: { type: 'string' }, 'renderer-dir': { type: 'string' } },
  async run(ctx) {
    const portText = opt(ctx, 'port') ?? '0';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new ProbityError('usage', `--port ${portText}: not a port number`);
    const rendererDir = opt(ctx, 'renderer-dir') ?? defaultRendererDir();
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

export const HOST_COMMANDS: Record<string, Command> = { demo, serve };
