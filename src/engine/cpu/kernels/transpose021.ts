import { type CpuBuffer } from '../buffer.ts';

/** [a, b, c] -> [b, a, c] */
export function transpose021(x: CpuBuffer, out: CpuBuffer, a: number, b: number, c: number): void {
  const xd = x.data, od = out.data;
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const src = (i * b + j) * c, dst = (j * a + i) * c;
      for (let k = 0; k < c; k++) od[dst + k] = xd[src + k];
    }
  }
}
