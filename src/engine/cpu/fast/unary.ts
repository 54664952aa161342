import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, UNARY_CODE, type WasmContext } from '../wasm.ts';

export function unary(x: WasmContext): Kernels<CpuBuffer>['unary'] {
  // Transcendental kinds cost ~20× a relu per element: count that as work when choosing threads.
  return (kind, param, xs, y) => x.k.unary(UNARY_CODE[kind] <= 1 || kind === 'neg' ? y.length : y.length * 16,
    UNARY_CODE[kind], param, ptr(xs), ptr(y), y.length);
}
