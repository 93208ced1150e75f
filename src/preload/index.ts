/**
 * The bridge: one function per contract method, nothing else. No ipcRenderer, no generic invoke,
 * reaches the page: `bindMethods` turns each row of the METHODS table into a named function bound
 * to its own channel. The object is checked against ProbityApi by the compiler.
 */
import { contextBridge, ipcRenderer } from 'electron';
import {
  bindMethods,
  JOB_EVENT_CHANNEL,
  type Envelope,
  type JobEvent,
  type ProbityApi,
} from '../shared/contract';

const api = {
  ...bindMethods((channel, args) => ipcRenderer.invoke(channel, args) as Promise<Envelope<unknown>>),
  onJobEvent: (listener: (e: JobEvent) => void) => {
    const handler = (_event: unknown, e: JobEvent) => listener(e);
    ipcRenderer.on(JOB_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(JOB_EVENT_CHANNEL, handler);
    };
  },
} satisfies ProbityApi;

contextBridge.exposeInMainWorld('probity', api);
