import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function transpose021(x: WasmContext): Kernels<CpuBuffer>['transpose021'] {
  return (xs, out, a, b, c) => x.k.transpose021(a * b * c, ptr(xs), ptr(out), a, b, c);
}
