import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function im2col(x: WasmContext): Kernels<CpuBuffer>['im2col'] {
  return (g, xs, col) => x.k.im2col(col.length, ptr(xs), ptr(col), g.n, g.c, g.h, g.w, g.kh, g.kw,
    g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow);
}
