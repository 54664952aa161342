import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec, ParamWriter } from '../context.ts';

export const biasAddSpecs = [
  { name: 'biasAdd', shader: 'biasAdd', entry: 'main', bindings: ['read', 'read', 'write'] },
  { name: 'biasAdd_inplace', shader: 'biasAdd', entry: 'inplace', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

/** y[n, c, s] = x[n, c, s] + bias[c]; y may be x. */
export function biasAdd(ctx: GpuContext, x: GpuBuffer, bias: GpuBuffer, y: GpuBuffer, n: number, c: number, s: number): void {
  const len = n * c * s;
  const params = (w: ParamWriter) => w.u32(len).u32(c).u32(s);
  if (x === y) ctx.dispatch(biasAddSpecs[1], [bias, y], params, ctx.grid(len));
  else ctx.dispatch(biasAddSpecs[0], [bias, x, y], params, ctx.grid(len));
}
