import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function bnBackward(x: WasmContext): Kernels<CpuBuffer>['bnBackward'] {
  return (xs, dy, mean, variance, gamma, dx, dgamma, dbeta, n, c, s, eps, training) =>
    x.k.bnBackward(c >= 2 ? n * c * s : 0, ptr(xs), ptr(dy), ptr(mean), ptr(variance), ptr(gamma),
      ptr(dx), ptr(dgamma), ptr(dbeta), n, c, s, eps, training ? 1 : 0);
}
