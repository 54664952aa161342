import type { UnaryKind } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';
import { erf } from '../math.ts';

const INV_SQRT_2PI = 0.3989422804014327;

/** d f(x) / dx given x and y = f(x). */
export function unaryDerivative(kind: UnaryKind, param: number, x: number, y: number): number {
  switch (kind) {
    case 'relu': return x > 0 ? 1 : 0;
    case 'leaky_relu': return x > 0 ? 1 : param;
    case 'sigmoid': return y * (1 - y);
    case 'tanh': return 1 - y * y;
    case 'elu': return x > 0 ? 1 : y + param;
    case 'gelu': return 0.5 * (1 + erf(x / Math.SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case 'softplus': return x > 20 ? 1 : 1 / (1 + Math.exp(-x));
    case 'exp': return y;
    case 'neg': return -1;
  }
}

export function unaryBackward(
  kind: UnaryKind, param: number, x: CpuBuffer, y: CpuBuffer, dy: CpuBuffer, dx: CpuBuffer,
): void {
  const X = f32(x), Y = f32(y), DY = f32(dy), DX = f32(dx);
  for (let i = 0; i < DX.length; i++) DX[i] = unaryDerivative(kind, param, X[i], Y[i]) * DY[i];
}
