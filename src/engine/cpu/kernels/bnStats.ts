import { type CpuBuffer, f32 } from '../buffer.ts';

/** Per-channel mean and biased variance over (n, s), two-pass in float64. */
export function bnStats(x: CpuBuffer, mean: CpuBuffer, variance: CpuBuffer, n: number, c: number, s: number): void {
  const X = f32(x), M = f32(mean), V = f32(variance);
  const count = n * s;
  for (let ci = 0; ci < c; ci++) {
    let sum = 0;
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ci) * s;
      for (let si = 0; si < s; si++) sum += X[base + si];
    }
    const mu = sum / count;
    let sq = 0;
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ci) * s;
      for (let si = 0; si < s; si++) {
        const d = X[base + si] - mu;
        sq += d * d;
      }
    }
    M[ci] = mu;
    V[ci] = sq / count;
  }
}
