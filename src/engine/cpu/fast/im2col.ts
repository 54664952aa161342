import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';
import { paddedPlanes } from './paddedPlanes.ts';

/** Plane by plane through a zero-padded copy (assembly/convPadded.ts) for dilation 1 and stride 1 or 2. */
export function im2col(x: WasmContext): Kernels<CpuBuffer>['im2col'] {
  return (g, xs, col) => {
    const padded = paddedPlanes(x, g);
    if (padded) {
      x.k.im2colPlanes(col.length, ptr(xs), ptr(padded.buffer), ptr(col), g.n, g.c, g.h, g.w, padded.hp, padded.wp, g.kh, g.kw,
        g.strideH, g.strideW, g.padH, g.padW, g.oh, g.ow);
      if (padded.buffer) x.temp.release(padded.buffer);
      return;
    }
    x.k.im2col(col.length, ptr(xs), ptr(col), g.n, g.c, g.h, g.w, g.kh, g.kw,
      g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow);
  };
}
