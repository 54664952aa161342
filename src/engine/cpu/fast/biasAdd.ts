import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function biasAdd(x: WasmContext): Kernels<CpuBuffer>['biasAdd'] {
  return (xs, bias, y, n, c, s) => x.k.biasAdd(n * c * s, ptr(xs), ptr(bias), ptr(y), n, c, s);
}
