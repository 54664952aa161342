import type { BinaryKind } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';
import { BINARY_KIND } from './binary.ts';

export const binaryBackwardSpecs = [
  { name: 'binaryBackward', shader: 'binaryBackward', entry: 'main', bindings: ['read', 'read', 'read', 'write', 'write'] },
] as const satisfies readonly KernelSpec[];

/** da / db may be null: the slot gets a scratch buffer and the shader skips it. */
export function binaryBackward(
  ctx: GpuContext, kind: BinaryKind, a: GpuBuffer, b: GpuBuffer, dy: GpuBuffer, dyIsScalar: boolean,
  da: GpuBuffer | null, db: GpuBuffer | null,
): void {
  if (!da && !db) return;
  const len = a.length;
  ctx.dispatch(binaryBackwardSpecs[0], [a, b, dy, da ?? ctx.dummy(0), db ?? ctx.dummy(1)],
    (w) => w.u32(len).u32(BINARY_KIND[kind]).u32(Number(dyIsScalar)).u32(Number(!!da)).u32(Number(!!db)),
    ctx.grid(len));
}
