import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec, ParamWriter } from '../context.ts';
import { CHUNK } from './channelReduce.ts';

export const bnBackwardSpecs = [
  { name: 'bnBackward_partials', shader: 'bnBackward', entry: 'partials', bindings: ['read', 'read', 'read', 'read', 'write'] },
  { name: 'bnBackward_finalize', shader: 'bnBackward', entry: 'finalize', bindings: ['read', 'write', 'write', 'write'] },
  { name: 'bnBackward_dx', shader: 'bnBackward', entry: 'main_dx', bindings: ['read', 'read', 'read', 'read', 'read', 'read', 'write'] },
] as const satisfies readonly KernelSpec[];
const [PARTIALS, FINALIZE, DX] = bnBackwardSpecs;

/**
 * Batch-norm backward: per-channel Σdy and Σdy·x̂ (chunked partial sums, then a per-channel pass that also
 * accumulates dgamma and dbeta), then dx elementwise. Absent outputs are scratch buffers with their flag off.
 */
export function bnBackward(
  ctx: GpuContext, x: GpuBuffer, dy: GpuBuffer, mean: GpuBuffer, variance: GpuBuffer, gamma: GpuBuffer,
  dx: GpuBuffer | null, dgamma: GpuBuffer | null, dbeta: GpuBuffer | null,
  n: number, c: number, s: number, eps: number, training: boolean,
): void {
  if (c === 0) return;
  const chunks = Math.max(1, Math.ceil((n * s) / CHUNK));
  const params = (w: ParamWriter) => w.u32(n).u32(c).u32(s).u32(CHUNK).u32(chunks)
    .u32(Number(!!dgamma)).u32(Number(!!dbeta)).u32(Number(training)).f32(eps);
  const needSums = !!dgamma || !!dbeta || (!!dx && training);
  let sums: GpuBuffer | null = null;
  if (needSums) {
    const part = ctx.alloc(c * chunks * 2);
    sums = ctx.alloc(c * 2);
    ctx.dispatch(PARTIALS, [x, dy, mean, variance, part], params, [chunks, c]);
    ctx.dispatch(FINALIZE, [part, sums, dgamma ?? ctx.dummy(3), dbeta ?? ctx.dummy(4)], params, [c]);
    ctx.release(part);
  }
  if (dx) ctx.dispatch(DX, [x, dy, mean, variance, gamma, sums ?? ctx.dummy(5), dx], params, ctx.grid(n * c * s));
  if (sums) ctx.release(sums);
}
