import { type CpuBuffer, f32 } from '../buffer.ts';

export function axpby(alpha: number, x: CpuBuffer, beta: number, y: CpuBuffer, out: CpuBuffer): void {
  const xd = f32(x), yd = f32(y), od = f32(out);
  for (let i = 0; i < od.length; i++) od[i] = alpha * xd[i] + beta * yd[i];
}
