// The browser / Electron-renderer host of the CPU backend: module Web Workers and the kernels fetched
// beside the bundle. Threads need cross-origin isolation (SharedArrayBuffer); without it the backend
// falls back to its single-threaded JavaScript path.
import type { CpuHost, CpuWorker, WasmVariant } from './host.ts';

export function webCpuHost(wasmUrl: (variant: WasmVariant) => string, threads = globalThis.navigator?.hardwareConcurrency ?? 1): CpuHost {
  return {
    threads,
    createWorker(): CpuWorker {
      return new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
    },
    async loadWasm(variant: WasmVariant) {
      const res = await fetch(wasmUrl(variant));
      return res.ok ? res.arrayBuffer() : null;
    },
  };
}
