import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function sgdStep(x: WasmContext): Kernels<CpuBuffer>['sgdStep'] {
  return (p, param, grad, momentum) => x.k.sgdStep(param.length, ptr(param), ptr(grad), ptr(momentum), param.length,
    p.lr, p.momentum, p.dampening, p.weightDecay, p.nesterov ? 1 : 0, p.firstStep ? 1 : 0);
}
