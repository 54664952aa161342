import type { BinaryKind, UnaryKind } from '../backend.ts';
import { sameShape, type Tensor } from '../tensor.ts';

/** y = f(x) for an activation; its gradient from (x, y). */
export function unaryOp(kind: UnaryKind, x: Tensor, param = 0): Tensor {
  const e = x.engine;
  const y = e.empty(x.shape);
  e.k.unary(kind, param, x.buffer, y.buffer);
  return e.record(y, kind, [x], (g) => {
    const dx = e.empty(x.shape);
    e.k.unaryBackward(kind, param, x.buffer, y.buffer, g.buffer, dx.buffer);
    return [dx];
  });
}

export const relu = (x: Tensor) => unaryOp('relu', x);
export const leakyRelu = (x: Tensor, slope = 0.01) => unaryOp('leaky_relu', x, slope);
export const sigmoid = (x: Tensor) => unaryOp('sigmoid', x);
export const tanh = (x: Tensor) => unaryOp('tanh', x);
export const elu = (x: Tensor, alpha = 1) => unaryOp('elu', x, alpha);
export const gelu = (x: Tensor) => unaryOp('gelu', x);
export const softplus = (x: Tensor) => unaryOp('softplus', x);
export const exp = (x: Tensor) => unaryOp('exp', x);

/** out = f(a, b) elementwise over equal shapes. */
export function binaryOp(kind: BinaryKind, a: Tensor, b: Tensor): Tensor {
  if (!sameShape(a.shape, b.shape)) throw new Error(`${kind}: shapes [${a.shape}] and [${b.shape}] differ`);
  const e = a.engine;
  const out = e.empty(a.shape);
  e.k.binary(kind, a.buffer, b.buffer, out.buffer);
  return e.record(out, kind, [a, b], (g) => {
    const da = a.requiresGrad ? e.empty(a.shape) : null;
    const db = b.requiresGrad ? e.empty(b.shape) : null;
    e.k.binaryBackward(kind, a.buffer, b.buffer, g.buffer, false, da?.buffer ?? null, db?.buffer ?? null);
    return [da, db];
  });
}

export const add = (a: Tensor, b: Tensor) => binaryOp('add', a, b);
export const sub = (a: Tensor, b: Tensor) => binaryOp('sub', a, b);
export const mul = (a: Tensor, b: Tensor) => binaryOp('mul', a, b);

/** alpha·a + beta·b over equal shapes (scalars included): the glue of loss arithmetic. */
export function axpby(alpha: number, a: Tensor, beta: number, b: Tensor): Tensor {
  if (!sameShape(a.shape, b.shape)) throw new Error(`axpby: shapes [${a.shape}] and [${b.shape}] differ`);
  const e = a.engine;
  const out = e.empty(a.shape);
  e.k.axpby(alpha, a.buffer, beta, b.buffer, out.buffer);
  return e.record(out, 'axpby', [a, b], (g) => [scaledCopy(g, alpha), scaledCopy(g, beta)]);
}

/** alpha·x */
export function scale(x: Tensor, alpha: number): Tensor {
  const e = x.engine;
  const out = scaledCopy(x, alpha);
  return e.record(out, 'scale', [x], (g) => [scaledCopy(g, alpha)]);
}

function scaledCopy(x: Tensor, alpha: number): Tensor {
  const out = x.engine.empty(x.shape);
  x.engine.k.axpby(alpha, x.buffer, 0, x.buffer, out.buffer);
  return out;
}

/** Σ x, a one-element tensor. */
export function sum(x: Tensor): Tensor {
  const e = x.engine;
  const out = e.empty([1]);
  e.k.sumAll(x.buffer, out.buffer);
  return e.record(out, 'sum', [x], (g) => {
    const dx = e.empty(x.shape);
    e.k.broadcastScalar(g.buffer, 1, dx.buffer);
    return [dx];
  });
}

/**
 * Σ f(a, b) fused with its sum: the backward reads the upstream scalar on the device, so the losses need
 * no readback and no broadcast tensor.
 */
export function binarySum(kind: BinaryKind, a: Tensor, b: Tensor): Tensor {
  if (!sameShape(a.shape, b.shape)) throw new Error(`${kind}: shapes [${a.shape}] and [${b.shape}] differ`);
  const e = a.engine;
  const terms = e.empty(a.shape);
  e.k.binary(kind, a.buffer, b.buffer, terms.buffer);
  const out = e.empty([1]);
  e.k.sumAll(terms.buffer, out.buffer);
  terms.release();
  return e.record(out, kind + '_sum', [a, b], (g) => {
    const da = a.requiresGrad ? e.empty(a.shape) : null;
    const db = b.requiresGrad ? e.empty(b.shape) : null;
    e.k.binaryBackward(kind, a.buffer, b.buffer, g.buffer, true, da?.buffer ?? null, db?.buffer ?? null);
    return [da, db];
  });
}
