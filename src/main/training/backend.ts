import type { Backend } from '../../engine/backend.ts';
import { backendNames, createBackend, type BackendName } from '../../engine/backends.ts';

export type BackendChoice = 'auto' | BackendName;

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'webgpu', 'reference'];

export interface ResolvedBackend {
  backend: Backend;
  /** The backend that actually runs, recorded on the run. */
  name: string;
  detail: string;
}

/**
 * Turns a user's choice into a running backend. `auto` prefers a hardware WebGPU adapter that passes a
 * self-test, then the fast CPU backend, then the reference one.
 */
export async function resolveBackend(choice: BackendChoice): Promise<ResolvedBackend> {
  if (!BACKEND_CHOICES.includes(choice)) throw new Error(`unknown backend '${choice}' (choose ${BACKEND_CHOICES.join(', ')})`);
  const select = await loadSelector();
  if (select) return select(choice);
  if (choice === 'auto') {
    const name: BackendName = backendNames().includes('cpu') ? 'cpu' : 'reference';
    return { backend: await createBackend(name), name, detail: `auto: ${name}` };
  }
  return { backend: await createBackend(choice), name: choice, detail: choice };
}

type Selector = (choice: BackendChoice) => Promise<ResolvedBackend>;

async function loadSelector(): Promise<Selector | null> {
  try {
    const mod = (await import('../../experiments/backendSelect.ts')) as { selectBackend?: Selector };
    return mod.selectBackend ?? null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw e;
  }
}
