import { type CpuBuffer, f32, i32 } from '../buffer.ts';

export function maxUnpoolBackward(dy: CpuBuffer, indices: CpuBuffer, dx: CpuBuffer, planes: number, inSize: number, outSize: number): void {
  const DY = f32(dy), I = i32(indices), DX = f32(dx);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < inSize; i++) DX[p * inSize + i] = DY[p * outSize + I[p * inSize + i]];
  }
}
