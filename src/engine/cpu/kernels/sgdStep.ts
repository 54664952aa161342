import type { SgdParams } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';

export function sgdStep(p: SgdParams, param: CpuBuffer, grad: CpuBuffer, momentum: CpuBuffer): void {
  const P = f32(param), G = f32(grad), B = f32(momentum);
  for (let i = 0; i < P.length; i++) {
    let g = p.weightDecay !== 0 ? G[i] + p.weightDecay * P[i] : G[i];
    if (p.momentum !== 0) {
      B[i] = p.firstStep ? g : p.momentum * B[i] + (1 - p.dampening) * g;
      g = p.nesterov ? g + p.momentum * B[i] : B[i];
    }
    P[i] -= p.lr * g;
  }
}
