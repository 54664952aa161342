import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

const AUX_FLOATS = 65536 / 4 - 16;

/** Through zero-padded planes (assembly/convPadded.ts) for dilation 1 and stride 1 or 2; else direct. */
export function col2im(x: WasmContext): Kernels<CpuBuffer>['col2im'] {
  return (g, col, xs) => {
    if (g.dilationH === 1 && g.dilationW === 1 && (g.strideW === 1 || g.strideW === 2)) {
      const hp = g.h + 2 * g.padH, wp = Math.ceil((g.w + 2 * g.padW + 8) / 4) * 4, planes = g.n * g.c;
      // A padded plane fits the per-thread scratch (64 KiB) in every preset; bigger ones get a buffer.
      const yp = hp * wp <= AUX_FLOATS ? null : x.temp.alloc(planes * hp * wp);
      x.k.col2imPadded(col.length, ptr(col), ptr(yp), ptr(xs), g.n, g.c, g.h, g.w, hp, wp, g.kh, g.kw,
        g.strideH, g.strideW, g.padH, g.padW, g.oh, g.ow);
      if (yp) x.temp.release(yp);
      return;
    }
    x.k.col2im(col.length, ptr(col), ptr(xs), g.n, g.c, g.h, g.w, g.kh, g.kw,
      g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.oh, g.ow);
  };
}
