// The preload: exposes window.latentLab, one method per channel of the contract, to the sandboxed,
// context-isolated renderer. It forwards requests as they are; validation happens in main (never trust here).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CHANNELS, type Envelope, EVENT_NAMES, type EventName, type LatentLabApi } from '../shared/api.ts';

const api: Record<string, unknown> = {};
for (const channel of CHANNELS) {
  api[channel] = async (req: unknown) => {
    const r = (await ipcRenderer.invoke(channel, req ?? {})) as Envelope<unknown>;
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
}
api.on = (event: EventName, listener: (payload: unknown) => void) => {
  if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event '${event}'`);
  const wrapped = (_: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(`event:${event}`, wrapped);
  return () => ipcRenderer.removeListener(`event:${event}`, wrapped);
};
// A dropped File's path (Electron 32+ removed File.path).
api.pathForFile = (file: File) => webUtils.getPathForFile(file) || null;

contextBridge.exposeInMainWorld('latentLab', api as LatentLabApi);
