// The Node host of the CPU backend: worker_threads, the kernels from build/wasm (built on first use when a
// fresh clone has none) and V8's relaxed-SIMD flag, which Node 20 still keeps behind a flag.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { CpuHost, CpuWorker, WasmVariant } from './host.ts';

let flagsSet = false;

export function nodeCpuHost(threads = availableParallelism()): CpuHost {
  if (!flagsSet) {
    // Must precede the first compile; harmless where the feature is already on by default.
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    // Compile the (small) kernels with the optimizing tier at once, so the first steps are not baseline code.
    setFlagsFromString('--no-liftoff');
    flagsSet = true;
  }
  return {
    threads,
    createWorker(): CpuWorker {
      const w = new Worker(new URL('./worker.mjs', import.meta.url));
      w.unref(); // an idle pool must not keep the process alive
      return w;
    },
    async loadWasm(variant: WasmVariant) {
      try {
        // In a checkout: build (or rebuild stale) kernels first.
        // @ts-expect-error plain JS build script, no declarations
        const { buildWasm } = (await import('../../../scripts/build-wasm.mjs')) as { buildWasm(): Promise<string> };
        return await readFile(join(await buildWasm(), `kernels-${variant}.wasm`));
      } catch {
        // Packaged without the build script or compiler: whatever was shipped in build/wasm, else none
        // (the backend then falls back to JavaScript).
        return readFile(fileURLToPath(new URL(`../../../build/wasm/kernels-${variant}.wasm`, import.meta.url))).catch(() => null);
      }
    },
  };
}
