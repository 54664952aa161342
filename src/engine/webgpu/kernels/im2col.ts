import type { ConvGeometry } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec, ParamWriter } from '../context.ts';

export const im2colSpecs = [
  { name: 'im2col', shader: 'im2col', entry: 'main', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** The Params block shared by im2col.wgsl and col2im.wgsl. */
export function writeConvGeometry(w: ParamWriter, g: ConvGeometry): void {
  w.u32(g.n).u32(g.c).u32(g.h).u32(g.w).u32(g.kh).u32(g.kw)
    .i32(g.strideH).i32(g.strideW).i32(g.padH).i32(g.padW).i32(g.dilationH).i32(g.dilationW)
    .u32(g.oh).u32(g.ow);
}

/** x [N, C, H, W] -> col [C·KH·KW, N·OH·OW] */
export function im2col(ctx: GpuContext, g: ConvGeometry, x: GpuBuffer, col: GpuBuffer): void {
  ctx.dispatch(im2colSpecs[0], [x, col], (w) => writeConvGeometry(w, g), ctx.grid(g.c * g.kh * g.kw * g.n * g.oh * g.ow));
}
