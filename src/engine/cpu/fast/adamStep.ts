import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

/** torch.optim.Adam in float64 lanes; bias corrections computed here as the reference does. */
export function adamStep(x: WasmContext): Kernels<CpuBuffer>['adamStep'] {
  return (p, param, grad, m, v) => {
    const bc1 = 1 - Math.pow(p.beta1, p.step), bc2 = 1 - Math.pow(p.beta2, p.step);
    x.k.adamStep(param.length * 2, ptr(param), ptr(grad), ptr(m), ptr(v), param.length,
      p.beta1, p.beta2, p.lr / bc1, Math.sqrt(bc2), p.eps, p.weightDecay);
  };
}
