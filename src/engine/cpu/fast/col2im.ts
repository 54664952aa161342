import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function col2im(x: WasmContext): Kernels<CpuBuffer>['col2im'] {
  return (g, col, xs) => x.k.col2im(col.length, ptr(col), ptr(xs), g.n, g.c, g.h, g.w, g.kh, g.kw,
    g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow);
}
