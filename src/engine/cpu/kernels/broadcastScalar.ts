import { type CpuBuffer, f32 } from '../buffer.ts';

export function broadcastScalar(s: CpuBuffer, alpha: number, out: CpuBuffer): void {
  f32(out).fill(alpha * f32(s)[0]);
}
