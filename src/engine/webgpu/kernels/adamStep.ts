import type { AdamParams } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const adamStepSpecs = [
  { name: 'adamStep', shader: 'adamStep', entry: 'main', bindings: ['read', 'write', 'write', 'write'] },
] as const satisfies readonly KernelSpec[];

/** One Adam step in place; the bias corrections are computed here in float64, as the reference does. */
export function adamStep(ctx: GpuContext, p: AdamParams, param: GpuBuffer, grad: GpuBuffer, m: GpuBuffer, v: GpuBuffer): void {
  const bc1 = 1 - Math.pow(p.beta1, p.step), bc2 = 1 - Math.pow(p.beta2, p.step);
  ctx.dispatch(adamStepSpecs[0], [grad, param, m, v],
    (w) => w.u32(param.length).f32(p.beta1).f32(1 - p.beta1).f32(p.beta2).f32(1 - p.beta2)
      .f32(p.eps).f32(p.weightDecay).f32(p.lr / bc1).f32(Math.sqrt(bc2)),
    ctx.grid(param.length));
}
