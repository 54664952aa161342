import type { Backend } from '../engine/backend.ts';
import { createBackend, type BackendName } from '../engine/backends.ts';

/** Opens a backend by name for a command (the WebGPU host hook-up lives in experiments/backendSelect). */
export async function openBackend(name: BackendName): Promise<Backend> {
  return createBackend(name);
}
