import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function maxUnpoolBackward(x: WasmContext): Kernels<CpuBuffer>['maxUnpoolBackward'] {
  return (dy, indices, dx, planes, inSize, outSize) =>
    x.k.maxUnpoolBackward(dx.length, ptr(dy), ptr(indices), ptr(dx), planes, inSize, outSize);
}
