import type { ConvGeometry } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';

/** x [N, C, H, W] -> col [C*KH*KW, N*OH*OW]; row r = (c, ki, kj), column = (n, oy, ox). */
export function im2col(g: ConvGeometry, x: CpuBuffer, col: CpuBuffer): void {
  const X = f32(x), COL = f32(col);
  const { n, c, h, w, kh, kw, oh, ow } = g;
  const cols = n * oh * ow;
  for (let ci = 0; ci < c; ci++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const rowBase = ((ci * kh + ki) * kw + kj) * cols;
        for (let ni = 0; ni < n; ni++) {
          const plane = (ni * c + ci) * h * w;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * g.strideH - g.padH + ki * g.dilationH;
            const outBase = rowBase + (ni * oh + oy) * ow;
            if (iy < 0 || iy >= h) {
              for (let ox = 0; ox < ow; ox++) COL[outBase + ox] = 0;
              continue;
            }
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * g.strideW - g.padW + kj * g.dilationW;
              COL[outBase + ox] = ix >= 0 && ix < w ? X[plane + iy * w + ix] : 0;
            }
          }
        }
      }
    }
  }
}
