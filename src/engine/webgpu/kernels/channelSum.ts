import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext } from '../context.ts';
import { channelReduce } from './channelReduce.ts';

// Runs on channelReduce.wgsl (mode 0).

/** out[c] = Σ_{n, s} x[n, c, s] (+ out[c] when accumulate). */
export function channelSum(ctx: GpuContext, x: GpuBuffer, out: GpuBuffer, n: number, c: number, s: number, accumulate: boolean): void {
  channelReduce(ctx, x, out, n, c, s, { accumulate });
}
