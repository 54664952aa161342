import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, UNARY_CODE, type WasmContext } from '../wasm.ts';

export function unaryBackward(x: WasmContext): Kernels<CpuBuffer>['unaryBackward'] {
  return (kind, param, xs, y, dy, dx) =>
    x.k.unaryBackward(dx.length * 4, UNARY_CODE[kind], param, ptr(xs), ptr(y), ptr(dy), ptr(dx), dx.length);
}
