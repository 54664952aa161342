import type { PoolGeometry } from '../../backend.ts';
import { type CpuBuffer, f32, i32 } from '../buffer.ts';

export function maxPoolBackward(g: PoolGeometry, dy: CpuBuffer, indices: CpuBuffer, dx: CpuBuffer): void {
  const DY = f32(dy), I = i32(indices), DX = f32(dx);
  const inSize = g.h * g.w, outSize = g.oh * g.ow;
  DX.fill(0);
  for (let p = 0; p < g.planes; p++) {
    for (let o = 0; o < outSize; o++) DX[p * inSize + I[p * outSize + o]] += DY[p * outSize + o];
  }
}
