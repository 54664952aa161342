import { type CpuBuffer } from '../buffer.ts';

export function fill(out: CpuBuffer, value: number): void {
  out.data.fill(value);
}
