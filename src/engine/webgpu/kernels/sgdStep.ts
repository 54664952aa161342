import type { SgdParams } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

export const sgdStepSpecs = [
  { name: 'sgdStep', shader: 'sgdStep', entry: 'main', bindings: ['read', 'write', 'write'] },
] as const satisfies readonly KernelSpec[];

export function sgdStep(ctx: GpuContext, p: SgdParams, param: GpuBuffer, grad: GpuBuffer, momentum: GpuBuffer): void {
  ctx.dispatch(sgdStepSpecs[0], [grad, param, momentum],
    (w) => w.u32(param.length).f32(p.lr).f32(p.momentum).f32(1 - p.dampening).f32(p.weightDecay)
      .u32(Number(p.nesterov)).u32(Number(p.firstStep)),
    ctx.grid(param.length));
}
