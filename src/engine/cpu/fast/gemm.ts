import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

// A C too narrow for 4×8 tiles with a long K (weight gradients, A·Bᵀ) goes to dot-product tiles
// (assembly/gemmDot.ts): padded tiles and packing would cost more than the products there. Its tiles'
// partial sums must fit the per-thread scratch.
const DOT_MAX_TILES = 4096;

/** Packed, register-blocked SIMD GEMM (assembly/gemm.ts); chunks split C along its longer side. */
export function gemm(x: WasmContext): Kernels<CpuBuffer>['gemm'] {
  return (p, a, b, c) => {
    const work = p.m * p.n * p.k;
    if (p.transB && !p.transA && (p.n < 16 || p.m < 4) && p.k >= 8 * Math.max(p.m, p.n) && Math.ceil(p.m / 4) * Math.ceil(p.n / 2) <= DOT_MAX_TILES) {
      x.k.gemmDot(work, p.m, p.n, p.k, p.alpha, p.beta, ptr(a), ptr(b), ptr(c));
      return;
    }
    x.k.gemm(work, p.m, p.n, p.k, p.transA ? 1 : 0, p.transB ? 1 : 0, p.alpha, p.beta, ptr(a), ptr(b), ptr(c));
  };
}
