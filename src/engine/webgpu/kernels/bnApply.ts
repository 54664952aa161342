import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const bnApplySpecs = [
  { name: 'bnApply', shader: 'bnApply', entry: 'main', bindings: ['read', 'read', 'read', 'read', 'read', 'write'] },
] as const satisfies readonly KernelSpec[];

export function bnApply(
  ctx: GpuContext, x: GpuBuffer, mean: GpuBuffer, variance: GpuBuffer, gamma: GpuBuffer, beta: GpuBuffer, y: GpuBuffer,
  n: number, c: number, s: number, eps: number,
): void {
  const len = n * c * s;
  ctx.dispatch(bnApplySpecs[0], [x, mean, variance, gamma, beta, y], (w) => w.u32(len).u32(c).u32(s).f32(eps), ctx.grid(len));
}
