import type { Backend } from './backend.ts';
import { ReferenceBackend } from './cpu/reference.ts';

/**
 * Backends by name. `reference` is the plain single-threaded JavaScript spec; `cpu` is the fast threaded
 * WASM backend; `webgpu` needs a GPU adapter (navigator.gpu, or Dawn in Node handed in by the host).
 */
export type BackendName = 'reference' | 'cpu' | 'webgpu';

export interface BackendFactory {
  readonly name: BackendName;
  /** Resolves to null with a reason when this backend cannot run here (no adapter, no threads). */
  create(): Promise<Backend | { unavailable: string }>;
}

const factories = new Map<BackendName, BackendFactory>();

export function registerBackend(factory: BackendFactory): void {
  factories.set(factory.name, factory);
}

registerBackend({ name: 'reference', create: async () => new ReferenceBackend() });
registerBackend({ name: 'cpu', create: async () => (await import('./cpu/default.ts')).createCpuBackend() });
// navigator.gpu in a browser or worker; in Node the host installs Dawn (experiments/backendSelect.ts).
registerBackend({ name: 'webgpu', create: async () => (await import('./webgpu/provider.ts')).createRegisteredWebGpu() });

export function backendNames(): BackendName[] {
  return [...factories.keys()];
}

export async function createBackend(name: BackendName): Promise<Backend> {
  const f = factories.get(name);
  if (!f) throw new Error(`unknown backend '${name}' (known: ${backendNames().join(', ')})`);
  const b = await f.create();
  if ('unavailable' in b) throw new Error(`backend '${name}' is not available here: ${b.unavailable}`);
  return b;
}
