import type { PoolGeometry } from '../../backend.ts';
import { type CpuBuffer, f32, i32 } from '../buffer.ts';

/** Padding counts as -inf; ties keep the first maximum in scan order, as PyTorch. */
export function maxPool(g: PoolGeometry, x: CpuBuffer, y: CpuBuffer, indices: CpuBuffer): void {
  const X = f32(x), Y = f32(y), I = i32(indices);
  const { planes, h, w, kh, kw, oh, ow } = g;
  for (let p = 0; p < planes; p++) {
    const inBase = p * h * w, outBase = p * oh * ow;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity, bestIdx = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * g.strideH - g.padH + ki;
          if (iy < 0 || iy >= h) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * g.strideW - g.padW + kj;
            if (ix < 0 || ix >= w) continue;
            const v = X[inBase + iy * w + ix];
            if (v > best || Number.isNaN(v) || bestIdx < 0) {
              best = v;
              bestIdx = iy * w + ix;
              if (Number.isNaN(v)) break;
            }
          }
        }
        Y[outBase + oy * ow + ox] = best;
        I[outBase + oy * ow + ox] = bestIdx;
      }
    }
  }
}
