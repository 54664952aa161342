import type { ConvGeometry } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';

/** col [C*KH*KW, N*OH*OW] -> x [N, C, H, W]: the adjoint of im2col (overlapping taps summed). */
export function col2im(g: ConvGeometry, col: CpuBuffer, x: CpuBuffer): void {
  const X = f32(x), COL = f32(col);
  const { n, c, h, w, kh, kw, oh, ow } = g;
  const cols = n * oh * ow;
  X.fill(0);
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const rowBase = ((ci * kh + ki) * kw + kj) * cols;
        for (let ni = 0; ni < n; ni++) {
          const plane = (ni * c + ci) * h * w;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * g.strideH - g.padH + ki * g.dilationH;
            if (iy < 0 || iy >= h) continue;
            const inBase = rowBase + (ni * oh + oy) * ow;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * g.strideW - g.padW + kj * g.dilationW;
              if (ix >= 0 && ix < w) X[plane + iy * w + ix] += COL[inBase + ox];
            }
          }
        }
      }
    }
  }
}
