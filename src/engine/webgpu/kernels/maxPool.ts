import type { PoolGeometry } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec, ParamWriter } from '../context.ts';

export const maxPoolSpecs = [
  { name: 'maxPool', shader: 'maxPool', entry: 'main', bindings: ['read', 'write', 'write'] },
] as const satisfies readonly KernelSpec[];

/** The Params block shared by maxPool.wgsl and maxPoolBackward.wgsl. */
export function writePoolGeometry(w: ParamWriter, g: PoolGeometry): void {
  w.u32(g.planes).u32(g.h).u32(g.w).u32(g.kh).u32(g.kw)
    .i32(g.strideH).i32(g.strideW).i32(g.padH).i32(g.padW).u32(g.oh).u32(g.ow);
}

export function maxPool(ctx: GpuContext, g: PoolGeometry, x: GpuBuffer, y: GpuBuffer, indices: GpuBuffer): void {
  ctx.dispatch(maxPoolSpecs[0], [x, y, indices], (w) => writePoolGeometry(w, g), ctx.grid(g.planes * g.oh * g.ow));
}
