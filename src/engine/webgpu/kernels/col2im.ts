import type { ConvGeometry } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';
import { writeConvGeometry } from './im2col.ts';

export const col2imSpecs = [
  { name: 'col2im', shader: 'col2im', entry: 'main', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** col [C·KH·KW, N·OH·OW] -> x [N, C, H, W], overlapping taps summed. */
export function col2im(ctx: GpuContext, g: ConvGeometry, col: GpuBuffer, x: GpuBuffer): void {
  ctx.dispatch(col2imSpecs[0], [col, x], (w) => writeConvGeometry(w, g), ctx.grid(g.n * g.c * g.h * g.w));
}
