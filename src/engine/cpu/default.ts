import type { Backend } from '../backend.ts';
import { CpuBackend, type CpuBackendOptions } from './backend-cpu.ts';
import type { CpuHost } from './host.ts';

let configuredHost: CpuHost | null = null;

/** A browser or Electron app hands its host here (see host-web.ts) before creating the 'cpu' backend. */
export function setCpuHost(host: CpuHost): void {
  configuredHost = host;
}

/** The 'cpu' backend on the configured host, or on Node's when running in Node. */
export async function createCpuBackend(o: Partial<CpuBackendOptions> = {}): Promise<Backend | { unavailable: string }> {
  let host = o.host ?? configuredHost;
  if (!host && typeof process !== 'undefined' && process.versions?.node) {
    // A computed specifier keeps bundlers from pulling Node modules into a browser build.
    const nodeHost = './host-node.ts';
    const { nodeCpuHost } = (await import(/* @vite-ignore */ nodeHost)) as typeof import('./host-node.ts');
    host = nodeCpuHost();
  }
  if (!host) return { unavailable: 'no CPU host configured (call setCpuHost with a worker factory and the kernels)' };
  return CpuBackend.create({ ...o, host });
}
