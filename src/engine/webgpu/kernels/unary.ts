import type { UnaryKind } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const unarySpecs = [
  { name: 'unary', shader: 'unary', entry: 'main', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** The `kind` numbers of unary.wgsl and unaryBackward.wgsl (a new kind is a compile error here). */
export const UNARY_KIND: Record<UnaryKind, number> = {
  relu: 0, leaky_relu: 1, sigmoid: 2, tanh: 3, elu: 4, gelu: 5, softplus: 6, exp: 7, neg: 8,
};

export function unary(ctx: GpuContext, kind: UnaryKind, param: number, x: GpuBuffer, y: GpuBuffer): void {
  ctx.dispatch(unarySpecs[0], [x, y], (w) => w.u32(y.length).u32(UNARY_KIND[kind]).f32(param), ctx.grid(y.length));
}
