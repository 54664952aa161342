import { type CpuBuffer, f32 } from '../buffer.ts';

export function bnApply(
  x: CpuBuffer, mean: CpuBuffer, variance: CpuBuffer, gamma: CpuBuffer, beta: CpuBuffer, y: CpuBuffer,
  n: number, c: number, s: number, eps: number,
): void {
  const X = f32(x), M = f32(mean), V = f32(variance), G = f32(gamma), B = f32(beta), Y = f32(y);
  for (let ci = 0; ci < c; ci++) {
    const scale = G[ci] / Math.sqrt(V[ci] + eps), mu = M[ci], shift = B[ci];
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ci) * s;
      for (let si = 0; si < s; si++) Y[base + si] = (X[base + si] - mu) * scale + shift;
    }
  }
}
