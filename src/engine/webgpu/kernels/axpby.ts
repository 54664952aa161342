import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const axpbySpecs = [
  { name: 'axpby', shader: 'axpby', entry: 'main', bindings: ['read', 'read', 'write'] },
  { name: 'axpby_inplace', shader: 'axpby', entry: 'inplace', bindings: ['read', 'write'] },
  { name: 'axpby_self', shader: 'axpby', entry: 'self_', bindings: ['write'] },
] as const satisfies readonly KernelSpec[];
const [DISTINCT, INPLACE, SELF] = axpbySpecs;

/** out = alpha·x + beta·y; out may be x or y (a buffer cannot be bound read-only and writable at once). */
export function axpby(ctx: GpuContext, alpha: number, x: GpuBuffer, beta: number, y: GpuBuffer, out: GpuBuffer): void {
  const len = out.length, grid = ctx.grid(len);
  if (out === x && out === y) {
    ctx.dispatch(SELF, [out], (w) => w.u32(len).f32(alpha).f32(beta), grid);
  } else if (out === y) {
    ctx.dispatch(INPLACE, [x, out], (w) => w.u32(len).f32(alpha).f32(beta), grid);
  } else if (out === x) {
    ctx.dispatch(INPLACE, [y, out], (w) => w.u32(len).f32(beta).f32(alpha), grid);
  } else {
    ctx.dispatch(DISTINCT, [x, y, out], (w) => w.u32(len).f32(alpha).f32(beta), grid);
  }
}
