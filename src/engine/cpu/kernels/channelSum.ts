import { type CpuBuffer, f32 } from '../buffer.ts';

/** out[c] = Σ_{n,s} x[n, c, s], accumulated in float64. */
export function channelSum(x: CpuBuffer, out: CpuBuffer, n: number, c: number, s: number, accumulate: boolean): void {
  const X = f32(x), O = f32(out);
  for (let ci = 0; ci < c; ci++) {
    let acc = 0;
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ci) * s;
      for (let si = 0; si < s; si++) acc += X[base + si];
    }
    O[ci] = accumulate ? O[ci] + acc : acc;
  }
}
