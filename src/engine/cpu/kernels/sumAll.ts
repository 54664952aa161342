import { type CpuBuffer, f32 } from '../buffer.ts';

export function sumAll(x: CpuBuffer, out: CpuBuffer): void {
  const X = f32(x);
  let acc = 0;
  for (let i = 0; i < X.length; i++) acc += X[i];
  f32(out)[0] = acc;
}
