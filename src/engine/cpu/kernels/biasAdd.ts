import { type CpuBuffer, f32 } from '../buffer.ts';

/** y[n, c, s] = x[n, c, s] + bias[c] */
export function biasAdd(x: CpuBuffer, bias: CpuBuffer, y: CpuBuffer, n: number, c: number, s: number): void {
  const X = f32(x), BI = f32(bias), Y = f32(y);
  for (let ni = 0; ni < n; ni++) {
    for (let ci = 0; ci < c; ci++) {
      const base = (ni * c + ci) * s, v = BI[ci];
      for (let si = 0; si < s; si++) Y[base + si] = X[base + si] + v;
    }
  }
}
