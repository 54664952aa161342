import type { GemmParams } from '../../backend.ts';
import { type CpuBuffer, f32 } from '../buffer.ts';

/** The reference GEMM: C = alpha·op(A)·op(B) + beta·C, row-major, accumulated in float64. */
export function gemm(p: GemmParams, a: CpuBuffer, b: CpuBuffer, c: CpuBuffer): void {
  const { m, n, k, transA, transB, alpha, beta } = p;
  const A = f32(a), B = f32(b), C = f32(c);
  // op(A)[i, l] and op(B)[l, j] as strides into the stored matrices.
  const aRow = transA ? 1 : k, aCol = transA ? m : 1;
  const bRow = transB ? 1 : n, bCol = transB ? k : 1;
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let l = 0; l < k; l++) {
      const av = A[i * aRow + l * aCol];
      if (av === 0) continue;
      const bBase = l * bRow;
      for (let j = 0; j < n; j++) acc[j] += av * B[bBase + j * bCol];
    }
    const cBase = i * n;
    for (let j = 0; j < n; j++) C[cBase + j] = alpha * acc[j] + (beta === 0 ? 0 : beta * C[cBase + j]);
  }
}
