import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const broadcastScalarSpecs = [
  { name: 'broadcastScalar', shader: 'broadcastScalar', entry: 'main', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

export function broadcastScalar(ctx: GpuContext, s: GpuBuffer, alpha: number, out: GpuBuffer): void {
  ctx.dispatch(broadcastScalarSpecs[0], [s, out], (w) => w.u32(out.length).f32(alpha), ctx.grid(out.length));
}
