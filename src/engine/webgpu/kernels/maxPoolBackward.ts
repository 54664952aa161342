import type { PoolGeometry } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';
import { writePoolGeometry } from './maxPool.ts';

export const maxPoolBackwardSpecs = [
  { name: 'maxPoolBackward', shader: 'maxPoolBackward', entry: 'main', bindings: ['read', 'read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** dx[plane, indices[o]] += dy[o], dx overwritten; indices must come from maxPool with this geometry. */
export function maxPoolBackward(ctx: GpuContext, g: PoolGeometry, dy: GpuBuffer, indices: GpuBuffer, dx: GpuBuffer): void {
  ctx.dispatch(maxPoolBackwardSpecs[0], [dy, indices, dx], (w) => writePoolGeometry(w, g), ctx.grid(g.planes * g.h * g.w));
}
