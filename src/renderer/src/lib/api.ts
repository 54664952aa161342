// The renderer's one way to its host: Electron's preload (window.latentLab) when present, else the serve
// host over HTTP + WebSocket. Both implement LatentLabApi from the shared contract.
import { CHANNELS, type Envelope, type EventName, type LatentLabApi } from '../../../shared/api.ts';

function httpClient(): LatentLabApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let socket: WebSocket | null = null;
  const connect = () => {
    const url = new URL('api/events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url);
    socket.onmessage = (m) => {
      const { event, payload } = JSON.parse(String(m.data)) as { event: string; payload: unknown };
      for (const l of listeners.get(event) ?? []) l(payload);
    };
    // The host restarting (or a laptop waking up): reconnect.
    socket.onclose = () => setTimeout(connect, 1000);
  };
  connect();
  const api: Record<string, unknown> = {};
  for (const channel of CHANNELS) {
    api[channel] = async (req: unknown) => {
      const res = await fetch(new URL(`api/${channel}`, location.href), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(req ?? {}),
      });
      if (!res.ok) throw new Error(`${channel}: HTTP ${res.status} ${await res.text()}`);
      const r = (await res.json()) as Envelope<unknown>;
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
  }
  api.on = (event: EventName, listener: (p: unknown) => void) => {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)!.add(listener);
    return () => listeners.get(event)!.delete(listener);
  };
  api.pathForFile = () => null;
  return api as LatentLabApi;
}

declare global {
  interface Window {
    latentLab?: LatentLabApi;
  }
}

function choose(): LatentLabApi {
  const native = window.latentLab;
  if (!native) return httpClient();
  // Requests may hold Svelte state proxies, which structured clone (IPC) refuses: send plain data.
  const wrapped: Record<string, unknown> = { on: native.on, pathForFile: native.pathForFile };
  for (const channel of CHANNELS) {
    wrapped[channel] = (req: unknown) => (native[channel] as (r: unknown) => Promise<unknown>)(JSON.parse(JSON.stringify(req ?? {})));
  }
  return wrapped as LatentLabApi;
}

export const api: LatentLabApi = choose();
export const isElectron = !!window.latentLab;
