/**
 * A host for component tests: installs `window.probity` (the preload's shape, built from the same
 * METHODS table) answering each channel from a handler the test sets, and records every call.
 * Import it before any module that imports the API client: the client picks its transport once.
 */
import {
  bindMethods,
  type ArgsOf,
  type Channel,
  type Envelope,
  type ResultOf,
} from '../../../shared/contract';

type Handler<C extends Channel> = (args: ArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>>;

class FakeHost {
  readonly calls: { channel: Channel; args: unknown }[] = [];
  private readonly handlers = new Map<Channel, (args: unknown) => unknown>();

  /** Answer `channel` with `handler`; a handler that throws becomes the host's error envelope. */
  on<C extends Channel>(channel: C, handler: Handler<C>): void {
    this.handlers.set(channel, handler as (args: unknown) => unknown);
  }

  callsTo<C extends Channel>(channel: C): ArgsOf<C>[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.args as ArgsOf<C>);
  }

  reset(): void {
    this.calls.length = 0;
    this.handlers.clear();
  }

  async send(channel: Channel, args: unknown): Promise<Envelope<unknown>> {
    this.calls.push({ channel, args });
    const handler = this.handlers.get(channel);
    if (!handler)
      return { ok: false, error: { code: 'test', message: `no answer for ${channel}`, file: null } };
    try {
      return { ok: true, result: await handler(args) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: { code: 'usage', message, file: null } };
    }
  }
}

export const host = new FakeHost();

window.probity = {
  ...bindMethods((channel, args) => host.send(channel, args)),
  onJobEvent: () => () => undefined,
};
