import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec, ParamWriter } from '../context.ts';
import { fill } from './fill.ts';

export const maxUnpoolSpecs = [
  { name: 'maxUnpool_claim', shader: 'maxUnpool', entry: 'claim', bindings: ['read', 'write'] },
  { name: 'maxUnpool_place', shader: 'maxUnpool', entry: 'place', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** y zeroed, then y[plane, indices[i]] = x[i] (the last x wins a shared slot, as the reference). */
export function maxUnpool(ctx: GpuContext, x: GpuBuffer, indices: GpuBuffer, y: GpuBuffer, planes: number, inSize: number, outSize: number): void {
  fill(ctx, y, 0);
  const params = (w: ParamWriter) => w.u32(planes).u32(inSize).u32(outSize);
  ctx.dispatch(maxUnpoolSpecs[0], [indices, y], params, ctx.grid(planes * inSize));
  ctx.dispatch(maxUnpoolSpecs[1], [x, y], params, ctx.grid(planes * outSize));
}
