import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function channelSum(x: WasmContext): Kernels<CpuBuffer>['channelSum'] {
  return (xs, out, n, c, s, accumulate) =>
    x.k.channelSum(n * c * s, ptr(xs), ptr(out), n, c, s, accumulate ? 1 : 0);
}
