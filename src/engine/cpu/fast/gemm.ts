import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

/** Packed, register-blocked SIMD GEMM (assembly/gemm.ts); threads split C along its longer side. */
export function gemm(x: WasmContext): Kernels<CpuBuffer>['gemm'] {
  return (p, a, b, c) =>
    x.k.gemm(p.m * p.n * p.k, p.m, p.n, p.k, p.transA ? 1 : 0, p.transB ? 1 : 0, p.alpha, p.beta, ptr(a), ptr(b), ptr(c));
}
