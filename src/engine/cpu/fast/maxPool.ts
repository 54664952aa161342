import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function maxPool(x: WasmContext): Kernels<CpuBuffer>['maxPool'] {
  return (g, xs, y, indices) => x.k.maxPool(g.planes * g.h * g.w, ptr(xs), ptr(y), ptr(indices), g.planes, g.h, g.w,
    g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.oh, g.ow);
}
