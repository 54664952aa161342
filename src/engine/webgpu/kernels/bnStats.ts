import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext } from '../context.ts';
import { channelReduce } from './channelReduce.ts';

// Runs on channelReduce.wgsl: two passes as the reference (mean, then the mean of squared deviations).

/** Per-channel mean and biased variance of x [N, C, S]. */
export function bnStats(ctx: GpuContext, x: GpuBuffer, mean: GpuBuffer, variance: GpuBuffer, n: number, c: number, s: number): void {
  const inv = 1 / (n * s);
  channelReduce(ctx, x, mean, n, c, s, { scale: inv });
  channelReduce(ctx, x, variance, n, c, s, { scale: inv, mean });
}
