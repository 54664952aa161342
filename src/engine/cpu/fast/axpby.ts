import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function axpby(x: WasmContext): Kernels<CpuBuffer>['axpby'] {
  return (alpha, xs, beta, y, out) => x.k.axpby(out.length, alpha, ptr(xs), beta, ptr(y), ptr(out), out.length);
}
