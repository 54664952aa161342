import type { Tensor } from '../tensor.ts';

/** y [B, O] = x [B, F] · wᵀ (w [O, F]) + b [O] */
export function linear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const e = x.engine;
  if (x.shape.length !== 2) throw new Error(`linear: input must be [batch, features], got [${x.shape}]`);
  const [batch, inF] = x.shape;
  const [outF, wIn] = w.shape;
  if (wIn !== inF) throw new Error(`linear: input has ${inF} features, weight [${w.shape}] expects ${wIn}`);
  const y = e.empty([batch, outF]);
  e.k.gemm({ m: batch, n: outF, k: inF, transA: false, transB: true, alpha: 1, beta: 0 }, x.buffer, w.buffer, y.buffer);
  if (b) e.k.biasAdd(y.buffer, b.buffer, y.buffer, batch, outF, 1);
  const inputs = b ? [x, w, b] : [x, w];
  return e.record(y, 'linear', inputs, (g) => {
    let dx: Tensor | null = null, dw: Tensor | null = null, db: Tensor | null = null;
    if (x.requiresGrad) {
      dx = e.empty(x.shape); // dy [B, O] · w [O, F]
      e.k.gemm({ m: batch, n: inF, k: outF, transA: false, transB: false, alpha: 1, beta: 0 }, g.buffer, w.buffer, dx.buffer);
    }
    if (w.requiresGrad) {
      dw = e.empty(w.shape); // dyᵀ [O, B] · x [B, F]
      e.k.gemm({ m: outF, n: inF, k: batch, transA: true, transB: false, alpha: 1, beta: 0 }, g.buffer, x.buffer, dw.buffer);
    }
    if (b?.requiresGrad) {
      db = e.empty(b.shape);
      e.k.channelSum(g.buffer, db.buffer, batch, outF, 1, false);
    }
    return b ? [dx, dw, db] : [dx, dw];
  });
}
