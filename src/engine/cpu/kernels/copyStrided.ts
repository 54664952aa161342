import { type CpuBuffer } from '../buffer.ts';

export function copyStrided(
  src: CpuBuffer, srcOffset: number, srcStride: number,
  dst: CpuBuffer, dstOffset: number, dstStride: number,
  rows: number, cols: number,
): void {
  const s = src.data, d = dst.data;
  for (let r = 0; r < rows; r++) {
    const si = r * srcStride + srcOffset, di = r * dstStride + dstOffset;
    for (let c = 0; c < cols; c++) d[di + c] = s[si + c];
  }
}
