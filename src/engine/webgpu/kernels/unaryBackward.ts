import type { UnaryKind } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';
import { UNARY_KIND } from './unary.ts';

export const unaryBackwardSpecs = [
  { name: 'unaryBackward', shader: 'unaryBackward', entry: 'main', bindings: ['read', 'read', 'read', 'write'] },
] as const satisfies readonly KernelSpec[];

export function unaryBackward(ctx: GpuContext, kind: UnaryKind, param: number, x: GpuBuffer, y: GpuBuffer, dy: GpuBuffer, dx: GpuBuffer): void {
  ctx.dispatch(unaryBackwardSpecs[0], [x, y, dy, dx], (w) => w.u32(dx.length).u32(UNARY_KIND[kind]).f32(param), ctx.grid(dx.length));
}
