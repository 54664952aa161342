import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { BINARY_CODE, ptr, type WasmContext } from '../wasm.ts';

export function binary(x: WasmContext): Kernels<CpuBuffer>['binary'] {
  return (kind, a, b, out) => x.k.binary(BINARY_CODE[kind] <= 2 ? out.length : out.length * 16,
    BINARY_CODE[kind], ptr(a), ptr(b), ptr(out), out.length);
}
