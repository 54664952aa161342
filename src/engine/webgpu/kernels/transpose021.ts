import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const transpose021Specs = [
  { name: 'transpose021', shader: 'transpose021', entry: 'main', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** [a, b, c] -> [b, a, c] */
export function transpose021(ctx: GpuContext, x: GpuBuffer, out: GpuBuffer, a: number, b: number, c: number): void {
  ctx.dispatch(transpose021Specs[0], [x, out], (w) => w.u32(a).u32(b).u32(c), ctx.grid(a * b * c));
}
