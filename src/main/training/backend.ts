import { type BackendChoice, selectBackend, type SelectedBackend } from '../../experiments/backendSelect.ts';

export type { BackendChoice };
export type ResolvedBackend = SelectedBackend;

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'webgpu', 'reference'];

/**
 * Turns a user's choice into a running backend. `auto` prefers a hardware WebGPU adapter that passes a
 * self-test, then the fast CPU backend, then the reference one; the run records the one picked.
 */
export async function resolveBackend(choice: BackendChoice): Promise<ResolvedBackend> {
  if (!BACKEND_CHOICES.includes(choice)) throw new Error(`unknown backend '${choice}' (choose ${BACKEND_CHOICES.join(', ')})`);
  return selectBackend(choice);
}
