import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function maxPoolBackward(x: WasmContext): Kernels<CpuBuffer>['maxPoolBackward'] {
  return (g, dy, indices, dx) =>
    x.k.maxPoolBackward(dx.length, ptr(dy), ptr(indices), ptr(dx), g.planes, g.h * g.w, g.oh * g.ow);
}
