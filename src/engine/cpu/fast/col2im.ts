import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';
import { paddedPlanes } from './paddedPlanes.ts';

/** Through zero-padded planes (assembly/convPadded.ts) for dilation 1 and stride 1 or 2; else direct. */
export function col2im(x: WasmContext): Kernels<CpuBuffer>['col2im'] {
  return (g, col, xs) => {
    const padded = paddedPlanes(x, g);
    if (padded) {
      x.k.col2imPadded(col.length, ptr(col), ptr(padded.buffer), ptr(xs), g.n, g.c, g.h, g.w, padded.hp, padded.wp, g.kh, g.kw,
        g.strideH, g.strideW, g.padH, g.padW, g.oh, g.ow);
      if (padded.buffer) x.temp.release(padded.buffer);
      return;
    }
    x.k.col2im(col.length, ptr(col), ptr(xs), g.n, g.c, g.h, g.w, g.kh, g.kw,
      g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow);
  };
}
