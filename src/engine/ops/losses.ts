import type { Tensor } from '../tensor.ts';
import { binarySum } from './pointwise.ts';

// Each loss is summed over every element (reduction 'sum'); targets take no gradient.

/** Binary cross-entropy on logits, max(x,0) - x·t + log(1 + e^{-|x|}): stable for any logit. */
export const bceWithLogitsSum = (logits: Tensor, target: Tensor) => binarySum('bce_logits', logits, target);
/** Binary cross-entropy on probabilities (log clamped at -100 as PyTorch). */
export const bceSum = (probs: Tensor, target: Tensor) => binarySum('bce', probs, target);
/** Σ (x - t)² */
export const mseSum = (x: Tensor, target: Tensor) => binarySum('sq_diff', x, target);
/** KL(N(mu, exp(logvar)) ‖ N(0, I)) summed over every element. */
export const klNormalSum = (mu: Tensor, logvar: Tensor) => binarySum('kl_normal', mu, logvar);
