import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { BINARY_CODE, ptr, type WasmContext } from '../wasm.ts';

export function binaryBackward(x: WasmContext): Kernels<CpuBuffer>['binaryBackward'] {
  return (kind, a, b, dy, dyIsScalar, da, db) => x.k.binaryBackward(a.length * 8,
    BINARY_CODE[kind], ptr(a), ptr(b), ptr(dy), dyIsScalar ? 1 : 0, ptr(da), ptr(db), a.length);
}
