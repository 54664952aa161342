import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const channelReduceSpecs = [
  { name: 'channelReduce', shader: 'channelReduce', entry: 'main', bindings: ['read', 'read', 'write'] },
  { name: 'channelReduce_serial', shader: 'channelReduce', entry: 'serial', bindings: ['read', 'read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** Channels this short are summed by one thread each: a 256-thread tree would mostly add zeros. */
export const SERIAL_MAX = 64;

/** Values one workgroup sums; longer channels are split into chunks and reduced twice. */
export const CHUNK = 16384;

export interface ReduceOptions {
  /** When given, the values are (x - mean[c])² (the variance pass). */
  mean?: GpuBuffer;
  scale?: number;
  accumulate?: boolean;
}

/**
 * out[c] = scale · Σ_{n, s} v(x[n, c, s]) (+ out[c]): the reduction behind channelSum, sumAll and bnStats.
 * At most two dispatches: per-chunk sums into a scratch buffer, then their sum.
 */
export function channelReduce(ctx: GpuContext, x: GpuBuffer, out: GpuBuffer, n: number, c: number, s: number, o: ReduceOptions = {}): void {
  const count = n * s;
  if (c === 0) return;
  if (count > SERIAL_MAX && c > ctx.limits.maxComputeWorkgroupsPerDimension) throw new Error(`WebGPU reduction over ${c} channels exceeds the workgroup grid`);
  const chunks = Math.max(1, Math.ceil(count / CHUNK));
  if (chunks > CHUNK) throw new Error(`WebGPU reduction of ${count} values per channel is too long`);
  const mode = o.mean ? 1 : 0, mean = o.mean ?? ctx.dummy(2);
  const scale = o.scale ?? 1, accumulate = o.accumulate ? 1 : 0;
  const spec = channelReduceSpecs[0];
  if (count <= SERIAL_MAX) {
    ctx.dispatch(channelReduceSpecs[1], [x, mean, out], (w) => w.u32(n).u32(c).u32(s).u32(CHUNK).u32(mode).u32(accumulate).u32(1).f32(scale), ctx.grid(c));
    return;
  }
  if (chunks === 1) {
    ctx.dispatch(spec, [x, mean, out], (w) => w.u32(n).u32(c).u32(s).u32(CHUNK).u32(mode).u32(accumulate).u32(1).f32(scale), [1, c]);
    return;
  }
  const partial = ctx.alloc(c * chunks);
  ctx.dispatch(spec, [x, mean, partial], (w) => w.u32(n).u32(c).u32(s).u32(CHUNK).u32(mode).u32(0).u32(chunks).f32(1), [chunks, c]);
  ctx.dispatch(spec, [partial, mean, out], (w) => w.u32(1).u32(c).u32(chunks).u32(CHUNK).u32(0).u32(accumulate).u32(1).f32(scale), [1, c]);
  ctx.release(partial);
}
