import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const copyStridedSpecs = [
  { name: 'copyStrided', shader: 'copyStrided', entry: 'main', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

export function copyStrided(
  ctx: GpuContext,
  src: GpuBuffer, srcOffset: number, srcStride: number,
  dst: GpuBuffer, dstOffset: number, dstStride: number,
  rows: number, cols: number,
): void {
  ctx.dispatch(copyStridedSpecs[0], [src, dst],
    (w) => w.u32(rows).u32(cols).u32(srcOffset).u32(srcStride).u32(dstOffset).u32(dstStride),
    ctx.grid(rows * cols));
}
