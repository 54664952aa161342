import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext } from '../context.ts';
import { channelReduce } from './channelReduce.ts';
import { fill } from './fill.ts';

// Runs on channelReduce.wgsl: x as one channel [1, 1, len].

/** out[0] = Σ x */
export function sumAll(ctx: GpuContext, x: GpuBuffer, out: GpuBuffer): void {
  if (x.length === 0) fill(ctx, out, 0);
  else channelReduce(ctx, x, out, 1, 1, x.length);
}
