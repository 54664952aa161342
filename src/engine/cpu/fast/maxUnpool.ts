import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function maxUnpool(x: WasmContext): Kernels<CpuBuffer>['maxUnpool'] {
  return (xs, indices, y, planes, inSize, outSize) =>
    x.k.maxUnpool(y.length, ptr(xs), ptr(indices), ptr(y), planes, inSize, outSize);
}
