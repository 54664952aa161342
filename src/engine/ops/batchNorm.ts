import type { Tensor } from '../tensor.ts';

export interface BatchNormState {
  gamma: Tensor; // [C]
  beta: Tensor; // [C]
  runningMean: Tensor; // [C], persistent
  runningVar: Tensor; // [C], persistent
  eps: number;
  momentum: number;
}

/**
 * Batch norm over x [N, C] or [N, C, H, W] (statistics per channel). Training uses the batch's biased
 * variance to normalise and updates the running variance with the unbiased one, as PyTorch.
 */
export function batchNorm(x: Tensor, s: BatchNormState, training: boolean): Tensor {
  const e = x.engine;
  if (x.shape.length !== 2 && x.shape.length !== 4) throw new Error(`batchnorm: input must be [N, C] or [N, C, H, W], got [${x.shape}]`);
  const n = x.shape[0], c = x.shape[1], sp = x.shape.length === 4 ? x.shape[2] * x.shape[3] : 1;
  if (s.gamma.size !== c) throw new Error(`batchnorm: ${c} channels, parameters have ${s.gamma.size}`);
  let mean = s.runningMean, variance = s.runningVar;
  if (training) {
    const count = n * sp;
    if (count < 2) throw new Error(`batchnorm: training needs more than one value per channel, got input [${x.shape}]`);
    mean = e.empty([c]);
    variance = e.empty([c]);
    e.k.bnStats(x.buffer, mean.buffer, variance.buffer, n, c, sp);
    const m = s.momentum;
    e.k.axpby(m, mean.buffer, 1 - m, s.runningMean.buffer, s.runningMean.buffer);
    e.k.axpby((m * count) / (count - 1), variance.buffer, 1 - m, s.runningVar.buffer, s.runningVar.buffer);
  }
  const y = e.empty(x.shape);
  e.k.bnApply(x.buffer, mean.buffer, variance.buffer, s.gamma.buffer, s.beta.buffer, y.buffer, n, c, sp, s.eps);
  return e.record(y, training ? 'batchnorm_train' : 'batchnorm_eval', [x, s.gamma, s.beta], (g) => {
    const dx = x.requiresGrad ? e.empty(x.shape) : null;
    const dgamma = s.gamma.requiresGrad ? e.zeros([c]) : null;
    const dbeta = s.beta.requiresGrad ? e.zeros([c]) : null;
    e.k.bnBackward(x.buffer, g.buffer, mean.buffer, variance.buffer, s.gamma.buffer,
      dx?.buffer ?? null, dgamma?.buffer ?? null, dbeta?.buffer ?? null, n, c, sp, s.eps, training);
    return [dx, dgamma, dbeta];
  });
}
