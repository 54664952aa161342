import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const maxUnpoolBackwardSpecs = [
  { name: 'maxUnpoolBackward', shader: 'maxUnpoolBackward', entry: 'main', bindings: ['read', 'read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** dx[i] = dy[plane, indices[i]] */
export function maxUnpoolBackward(ctx: GpuContext, dy: GpuBuffer, indices: GpuBuffer, dx: GpuBuffer, planes: number, inSize: number, outSize: number): void {
  ctx.dispatch(maxUnpoolBackwardSpecs[0], [dy, indices, dx], (w) => w.u32(planes).u32(inSize).u32(outSize), ctx.grid(planes * inSize));
}
