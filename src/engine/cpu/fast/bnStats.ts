import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function bnStats(x: WasmContext): Kernels<CpuBuffer>['bnStats'] {
  return (xs, mean, variance, n, c, s) => x.k.bnStats(c >= 2 ? n * c * s : 0, ptr(xs), ptr(mean), ptr(variance), n, c, s);
}
