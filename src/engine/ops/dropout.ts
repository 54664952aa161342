import type { Tensor } from '../tensor.ts';
import type { Rng } from '../rng.ts';

/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p). */
export function dropout(x: Tensor, p: number, rng: Rng, training: boolean): Tensor {
  if (p < 0 || p >= 1) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const e = x.engine;
  const maskValues = new Float32Array(x.size);
  const keep = 1 / (1 - p);
  for (let i = 0; i < maskValues.length; i++) maskValues[i] = rng.uniform() >= p ? keep : 0;
  const mask = e.fromArray(x.shape, maskValues);
  const y = e.empty(x.shape);
  e.k.binary('mul', x.buffer, mask.buffer, y.buffer);
  e.record(y, 'dropout', [x], (g) => {
    const dx = e.empty(x.shape);
    e.k.binary('mul', g.buffer, mask.buffer, dx.buffer);
    return [dx];
  });
  if (!y.node) mask.release();
  return y;
}
