import type { AdamParams } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';

/** torch.optim.Adam (amsgrad off): L2 decay joins the gradient; bias corrections as PyTorch's. */
export function adamStep(p: AdamParams, param: CpuBuffer, grad: CpuBuffer, m: CpuBuffer, v: CpuBuffer): void {
  const P = f32(param), G = f32(grad), M = f32(m), V = f32(v);
  const bc1 = 1 - Math.pow(p.beta1, p.step), bc2 = 1 - Math.pow(p.beta2, p.step);
  const stepSize = p.lr / bc1, sqrtBc2 = Math.sqrt(bc2);
  for (let i = 0; i < P.length; i++) {
    const g = p.weightDecay !== 0 ? G[i] + p.weightDecay * P[i] : G[i];
    M[i] = p.beta1 * M[i] + (1 - p.beta1) * g;
    V[i] = p.beta2 * V[i] + (1 - p.beta2) * g * g;
    P[i] -= (stepSize * M[i]) / (Math.sqrt(V[i]) / sqrtBc2 + p.eps);
  }
}
