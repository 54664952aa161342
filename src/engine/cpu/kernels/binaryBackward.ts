import type { BinaryKind } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';

// PyTorch's BCE backward divides by max((1 - p) p, 1e-12).
const BCE_EPS = 1e-12;

/** [∂f/∂a, ∂f/∂b] at (a, b). */
export function binaryPartials(kind: BinaryKind, a: number, b: number): [number, number] {
  switch (kind) {
    case 'add': return [1, 1];
    case 'sub': return [1, -1];
    case 'mul': return [b, a];
    case 'bce_logits': {
      const s = a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a));
      return [s - b, -a];
    }
    case 'bce': return [(a - b) / Math.max((1 - a) * a, BCE_EPS), Math.max(Math.log(1 - a), -100) - Math.max(Math.log(a), -100)];
    case 'sq_diff': return [2 * (a - b), -2 * (a - b)];
    case 'kl_normal': return [a, 0.5 * (Math.exp(b) - 1)];
  }
}

export function binaryBackward(
  kind: BinaryKind, a: CpuBuffer, b: CpuBuffer, dy: CpuBuffer, dyIsScalar: boolean,
  da: CpuBuffer | null, db: CpuBuffer | null,
): void {
  const A = f32(a), B = f32(b), DY = f32(dy);
  const DA = da ? f32(da) : null, DB = db ? f32(db) : null;
  const n = A.length;
  for (let i = 0; i < n; i++) {
    const g = dyIsScalar ? DY[0] : DY[i];
    const [pa, pb] = binaryPartials(kind, A[i], B[i]);
    if (DA) DA[i] = pa * g;
    if (DB) DB[i] = pb * g;
  }
}
