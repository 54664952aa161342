import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function bnApply(x: WasmContext): Kernels<CpuBuffer>['bnApply'] {
  return (xs, mean, variance, gamma, beta, y, n, c, s, eps) =>
    x.k.bnApply(n * c * s, ptr(xs), ptr(mean), ptr(variance), ptr(gamma), ptr(beta), ptr(y), n, c, s, eps);
}
