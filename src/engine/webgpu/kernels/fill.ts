import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const fillSpecs = [{ name: 'fill', shader: 'fill', entry: 'main', bindings: ['write'] }] as const satisfies readonly KernelSpec[];

const bits = new DataView(new ArrayBuffer(4));

/** out[i] = value, as the 32-bit pattern of out's dtype. */
export function fill(ctx: GpuContext, out: GpuBuffer, value: number): void {
  if (out.dtype === 'i32') bits.setInt32(0, value, true);
  else bits.setFloat32(0, value, true);
  const pattern = bits.getUint32(0, true);
  ctx.dispatch(fillSpecs[0], [out], (w) => w.u32(out.length).u32(pattern), ctx.grid(out.length));
}
