import type { BinaryKind } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const binarySpecs = [
  { name: 'binary', shader: 'binary', entry: 'main', bindings: ['read', 'read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** The `kind` numbers of binary.wgsl and binaryBackward.wgsl. */
export const BINARY_KIND: Record<BinaryKind, number> = {
  add: 0, sub: 1, mul: 2, bce_logits: 3, bce: 4, sq_diff: 5, kl_normal: 6,
};

export function binary(ctx: GpuContext, kind: BinaryKind, a: GpuBuffer, b: GpuBuffer, out: GpuBuffer): void {
  ctx.dispatch(binarySpecs[0], [a, b, out], (w) => w.u32(out.length).u32(BINARY_KIND[kind]), ctx.grid(out.length));
}
