import { type CpuBuffer, f32, i32 } from '../buffer.ts';

export function maxUnpool(x: CpuBuffer, indices: CpuBuffer, y: CpuBuffer, planes: number, inSize: number, outSize: number): void {
  const X = f32(x), I = i32(indices), Y = f32(y);
  Y.fill(0);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < inSize; i++) Y[p * outSize + I[p * inSize + i]] = X[p * inSize + i];
  }
}
