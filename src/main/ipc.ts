/**
 * Binds the contract to Electron IPC: one `ipcMain.handle` per channel, each checking that the
 * call comes from the app's own top frame before the service parses its argument from `unknown`.
 * Takes the Electron objects as parameters so it is tested under plain Node.
 */
import { CHANNELS, JOB_EVENT_CHANNEL, type Envelope, type JobEvent } from '../shared/contract';
import type { ProbityService } from '../core/api/service';

export interface IpcEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, arg: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The app's own page: its file:// index (or the dev server), and only the top frame. */
export function isTrustedFrame(event: IpcEventLike, isAppUrl: (url: string) => boolean): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

export function bindIpc(
  ipcMain: IpcMainLike,
  service: ProbityService,
  isAppUrl: (url: string) => boolean,
  send: (channel: string, e: JobEvent) => void,
): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, arg): Promise<Envelope<unknown>> => {
      if (!isTrustedFrame(event, isAppUrl)) {
        return {
          ok: false,
          error: {
            code: 'forbidden',
            message: `${channel}: refused a call from an untrusted frame`,
            file: null,
          },
        };
      }
      return service.handle(channel, arg);
    });
  }
  const unsubscribe = service.onJobEvent((e) => send(JOB_EVENT_CHANNEL, e));
  return () => {
    unsubscribe();
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}
