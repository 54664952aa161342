import type { BinaryKind } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';

// BCE clamps log at -100 as PyTorch does, so a saturated probability gives a finite loss.
const LOG_FLOOR = -100;

export function binaryScalar(kind: BinaryKind, a: number, b: number): number {
  switch (kind) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    // max(a, 0) - a*t + log(1 + exp(-|a|)): stable for any logit.
    case 'bce_logits': return Math.max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a)));
    case 'bce': return -(b * Math.max(Math.log(a), LOG_FLOOR) + (1 - b) * Math.max(Math.log(1 - a), LOG_FLOOR));
    case 'sq_diff': return (a - b) * (a - b);
    case 'kl_normal': return -0.5 * (1 + b - a * a - Math.exp(b));
  }
}

export function binary(kind: BinaryKind, a: CpuBuffer, b: CpuBuffer, out: CpuBuffer): void {
  const A = f32(a), B = f32(b), O = f32(out);
  for (let i = 0; i < O.length; i++) O[i] = binaryScalar(kind, A[i], B[i]);
}
