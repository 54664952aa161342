import type { UnaryKind } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';
import { erf } from '../math.ts';

export function unaryScalar(kind: UnaryKind, param: number, v: number): number {
  switch (kind) {
    case 'relu': return v > 0 ? v : 0;
    case 'leaky_relu': return v > 0 ? v : v * param;
    case 'sigmoid': return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    case 'tanh': return Math.tanh(v);
    case 'elu': return v > 0 ? v : param * Math.expm1(v);
    case 'gelu': return 0.5 * v * (1 + erf(v / Math.SQRT2));
    // PyTorch's softplus (beta 1, threshold 20): linear above the threshold.
    case 'softplus': return v > 20 ? v : Math.log1p(Math.exp(v));
    case 'exp': return Math.exp(v);
    case 'neg': return -v;
  }
}

export function unary(kind: UnaryKind, param: number, x: CpuBuffer, y: CpuBuffer): void {
  const X = f32(x), Y = f32(y);
  for (let i = 0; i < Y.length; i++) Y[i] = unaryScalar(kind, param, X[i]);
}
