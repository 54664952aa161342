import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

export function copyStrided(x: WasmContext): Kernels<CpuBuffer>['copyStrided'] {
  return (src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, cols) =>
    x.k.copyStrided(rows * cols, ptr(src), srcOffset, srcStride, ptr(dst), dstOffset, dstStride, rows, cols);
}
