// The browser / Electron-renderer host of the CPU backend: module Web Workers and the kernels fetched
// beside the bundle. Threads need cross-origin isolation (SharedArrayBuffer); without it the backend
// falls back to its single-threaded JavaScript path. Checked in Chromium by tests/browser/engine.test.ts.
import type { CpuHost, CpuWorker, WasmVariant } from './host.ts';

// The pool's READY slots (threads.ts): READY + tid is set to -1 when worker tid cannot start.
const READY = 8;

/**
 * `wasmUrl(variant)` says where build/wasm/kernels-<variant>.wasm is served; a relative URL resolves against
 * the document (or the worker running the backend), as fetch does.
 */
export function webCpuHost(wasmUrl: (variant: WasmVariant) => string | URL, threads = globalThis.navigator?.hardwareConcurrency ?? 1): CpuHost {
  return {
    threads,
    createWorker(): CpuWorker {
      // This exact form (a literal URL beside import.meta.url) lets bundlers emit worker.mjs as a worker chunk.
      const worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
      let start: { control: SharedArrayBuffer; tid: number } | null = null;
      // A worker script that cannot load (missing chunk, blocked by COEP or CSP) only raises this event:
      // mark the thread failed so the pool stops waiting for it and reports it at once.
      worker.addEventListener('error', (e) => {
        console.error(`cpu backend: a worker thread failed: ${e.message || 'its script did not load'}`);
        if (!start) return;
        const ctl = new Int32Array(start.control);
        if (Atomics.load(ctl, READY + start.tid) === 0) {
          Atomics.store(ctl, READY + start.tid, -1);
          Atomics.notify(ctl, READY + start.tid);
        }
      });
      return {
        postMessage(message: unknown) {
          start ??= message as { control: SharedArrayBuffer; tid: number };
          worker.postMessage(message);
        },
        terminate: () => worker.terminate(),
      };
    },
    async loadWasm(variant: WasmVariant) {
      const url = wasmUrl(variant);
      const res = await fetch(url);
      // Both variants are always shipped together: a failed request is a deployment error, not "this
      // runtime lacks the feature", so it is reported rather than quietly falling back to JavaScript.
      if (!res.ok) throw new Error(`cpu backend: could not fetch the ${variant} WebAssembly kernels from ${url} (HTTP ${res.status})`);
      return res.arrayBuffer();
    },
  };
}
