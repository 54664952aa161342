// What the CPU backend needs from its host (Node, a browser worker, Electron): a way to start a thread
// running ./worker.mjs and the compiled kernels. The engine stays free of I/O; hosts live beside it
// (host-node.ts, host-web.ts).

/** The part of a Node Worker / Web Worker the pool uses. */
export interface CpuWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

export type WasmVariant = 'relaxed' | 'simd';

export interface CpuHost {
  /** Threads to use, the calling thread included. */
  readonly threads: number;
  /** Starts a thread running ./worker.mjs (as an ES module). */
  createWorker(): CpuWorker;
  /** The bytes of build/wasm/kernels-<variant>.wasm, or null when they cannot be had here. */
  loadWasm(variant: WasmVariant): Promise<BufferSource | null>;
}
