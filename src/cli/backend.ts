import type { Backend } from '../engine/backend.ts';
import { createBackend, type BackendName } from '../engine/backends.ts';
// Installs Dawn (the `webgpu` package) as the WebGPU provider, so createBackend('webgpu') works in Node.
import '../experiments/backendSelect.ts';

/** Opens a backend by name for a command (the WebGPU host hook-up lives in experiments/backendSelect). */
export async function openBackend(name: BackendName): Promise<Backend> {
  return createBackend(name);
}
