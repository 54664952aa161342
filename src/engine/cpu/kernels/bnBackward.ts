import { type CpuBuffer, f32 } from '../buffer.ts';

export function bnBackward(
  x: CpuBuffer, dy: CpuBuffer, mean: CpuBuffer, variance: CpuBuffer, gamma: CpuBuffer,
  dx: CpuBuffer | null, dgamma: CpuBuffer | null, dbeta: CpuBuffer | null,
  n: number, c: number, s: number, eps: number, training: boolean,
): void {
  const X = f32(x), DY = f32(dy), M = f32(mean), V = f32(variance), G = f32(gamma);
  const count = n * s;
  for (let ci = 0; ci < c; ci++) {
    const mu = M[ci], invStd = 1 / Math.sqrt(V[ci] + eps);
    let sumDy = 0, sumDyXhat = 0;
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ci) * s;
      for (let si = 0; si < s; si++) {
        const g = DY[base + si];
        sumDy += g;
        sumDyXhat += g * (X[base + si] - mu) * invStd;
      }
    }
    if (dgamma) f32(dgamma)[ci] += sumDyXhat;
    if (dbeta) f32(dbeta)[ci] += sumDy;
    if (!dx) continue;
    const DX = f32(dx), k = G[ci] * invStd;
    const meanDy = sumDy / count, meanDyXhat = sumDyXhat / count;
    for (let ni = 0; ni < n; ni++) {
      const base = (ni * c + ci) * s;
      for (let si = 0; si < s; si++) {
        const i = base + si;
        DX[i] = training
          ? k * (DY[i] - meanDy - (X[i] - mu) * invStd * meanDyXhat)
          : k * DY[i];
      }
    }
  }
}
