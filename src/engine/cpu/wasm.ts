import type { BinaryKind, UnaryKind } from '../backend.ts';
import type { CpuBuffer } from './buffer.ts';
import { type KernelFn, MAX_ARGS, type ThreadPool } from './threads.ts';

/** The kernels exported by src/engine/cpu/assembly/index.ts (each takes tid, nth first). */
export const WASM_KERNELS = [
  'gemm', 'gemmDot', 'im2col', 'col2im', 'im2colPlanes', 'col2imPadded', 'transpose021', 'biasAdd', 'channelSum', 'unary', 'unaryBackward', 'binary',
  'binaryBackward', 'axpby', 'fill32', 'copyStrided', 'sumPartial', 'bnStats', 'bnApply', 'bnBackward',
  'maxPool', 'maxPoolBackward', 'maxUnpool', 'maxUnpoolBackward', 'adamStep', 'sgdStep',
] as const;
export type WasmKernelName = (typeof WASM_KERNELS)[number];

// Kind codes as in assembly/pointwise.ts.
export const UNARY_CODE: Record<UnaryKind, number> = {
  relu: 0, leaky_relu: 1, sigmoid: 2, tanh: 3, elu: 4, gelu: 5, softplus: 6, exp: 7, neg: 8,
};
export const BINARY_CODE: Record<BinaryKind, number> = {
  add: 0, sub: 1, mul: 2, bce_logits: 3, bce: 4, sq_diff: 5, kl_normal: 6,
};

/** Below this many elements (or multiply-adds for GEMM) a call runs on the calling thread only. */
export const PARALLEL_MIN_WORK = 1 << 15;
/** Chunks per thread of a parallel call: enough that a busy or slow thread does not hold the others up. */
const CHUNKS_PER_THREAD = 4;
/** Upper bound on chunks in one call (reductions keep one float64 partial per chunk). */
export const MAX_CHUNKS = 64;

/** A kernel bound to the pool: call(work, ...args) picks the thread count from the amount of work. */
export type BoundKernel = (work: number, ...args: number[]) => void;

/** What the fast kernels share: the wasm kernels bound to the pool, and the reduction partials. */
export class WasmContext {
  readonly k: Record<WasmKernelName, BoundKernel>;
  /** One float64 per chunk (MAX_CHUNKS) for reductions combined here in chunk order. */
  readonly partials: Float64Array;
  private readonly parallelChunks: number;

  constructor(
    exports: Record<WasmKernelName, KernelFn>,
    readonly pool: ThreadPool,
    partials: Float64Array,
    /** Temporary buffers from the backend's pool (reused step after step). */
    readonly temp: { alloc(length: number): CpuBuffer; release(b: CpuBuffer): void },
  ) {
    this.partials = partials;
    this.parallelChunks = Math.min(MAX_CHUNKS, pool.threads === 1 ? 1 : pool.threads * CHUNKS_PER_THREAD);
    const k = {} as Record<WasmKernelName, BoundKernel>;
    WASM_KERNELS.forEach((name, index) => {
      const local = exports[name];
      k[name] = (work, ...args) => {
        if (args.length > MAX_ARGS) throw new Error(`wasm kernel ${name}: ${args.length} arguments`);
        pool.run(index, local, this.chunksFor(work), args);
      };
    });
    this.k = k;
  }

  /** The chunk count of a call with this much work: fixed per backend, so results are reproducible. */
  chunksFor(work: number): number {
    return work >= PARALLEL_MIN_WORK ? this.parallelChunks : 1;
  }
}

/** A buffer's byte address in the shared wasm memory (0 stands for "none"). */
export function ptr(b: CpuBuffer | null): number {
  return b ? b.data.byteOffset : 0;
}
