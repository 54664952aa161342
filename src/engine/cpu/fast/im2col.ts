import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

const AUX_FLOATS = 65536 / 4 - 16;

/** Plane by plane through a zero-padded copy (assembly/convPadded.ts) for dilation 1 and stride 1 or 2. */
export function im2col(x: WasmContext): Kernels<CpuBuffer>['im2col'] {
  return (g, xs, col) => {
    if (g.dilationH === 1 && g.dilationW === 1 && (g.strideW === 1 || g.strideW === 2)) {
      const hp = g.h + 2 * g.padH, wp = Math.ceil((g.w + 2 * g.padW + 8) / 4) * 4, planes = g.n * g.c;
      // A padded plane fits the per-thread scratch (64 KiB) in every preset; bigger ones get a buffer.
      const xp = hp * wp <= AUX_FLOATS ? null : x.temp.alloc(planes * hp * wp);
      x.k.im2colPlanes(col.length, ptr(xs), ptr(xp), ptr(col), g.n, g.c, g.h, g.w, hp, wp, g.kh, g.kw,
        g.strideH, g.strideW, g.padH, g.padW, g.oh, g.ow);
      if (xp) x.temp.release(xp);
      return;
    }
    x.k.im2col(col.length, ptr(xs), ptr(col), g.n, g.c, g.h, g.w, g.kh, g.kw,
      g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow);
  };
}
