import type { Backend, DeviceBuffer } from '../backend.ts';
import { makeCpuBuffer } from '../cpu/buffer.ts';
import { gemm as referenceGemm } from '../cpu/kernels/gemm.ts';
import { unary as referenceUnary } from '../cpu/kernels/unary.ts';

/**
 * A short check that a backend computes: a small odd-sized GEMM (both the scalar and the vec4 path, one
 * transposed) and a GELU against the reference kernels. Returns null when it passes, else what went wrong.
 * `auto` runs it before trusting a GPU driver with a training run.
 */
export async function selfTest(backend: Backend): Promise<string | null> {
  const rand = lcg(12345);
  const cases = [
    { m: 37, n: 29, k: 45, transA: false, transB: false },
    { m: 64, n: 68, k: 40, transA: true, transB: true },
  ];
  try {
    for (const c of cases) {
      const a = Float32Array.from({ length: c.m * c.k }, rand), b = Float32Array.from({ length: c.k * c.n }, rand);
      const p = { ...c, alpha: 1, beta: 0 };
      const expected = new Float32Array(c.m * c.n);
      referenceGemm(p, makeCpuBuffer(a), makeCpuBuffer(b), makeCpuBuffer(expected));
      const got = await run(backend, [a, b], c.m * c.n, (k, [ga, gb], out) => k.gemm(p, ga, gb, out));
      const bad = firstMismatch(got, expected, 1e-4, 1e-4);
      if (bad) return `gemm ${c.m}×${c.k}·${c.k}×${c.n}${c.transA ? ' Aᵀ' : ''}${c.transB ? ' Bᵀ' : ''}: ${bad}`;
    }
    const x = Float32Array.from({ length: 301 }, () => rand() * 8);
    const expected = new Float32Array(x.length);
    referenceUnary('gelu', 0, makeCpuBuffer(x), makeCpuBuffer(expected));
    const got = await run(backend, [x], x.length, (k, [gx], out) => k.unary('gelu', 0, gx, out));
    const bad = firstMismatch(got, expected, 1e-5, 1e-6);
    if (bad) return `gelu: ${bad}`;
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

async function run(
  backend: Backend, inputs: Float32Array[], outLength: number,
  fn: (k: Backend['kernels'], ins: DeviceBuffer[], out: DeviceBuffer) => void,
): Promise<Float32Array> {
  const ins = inputs.map((data) => {
    const b = backend.alloc(data.length);
    backend.write(b, data);
    return b;
  });
  const out = backend.alloc(outLength);
  try {
    fn(backend.kernels, ins, out);
    return (await backend.read(out)) as Float32Array;
  } finally {
    for (const b of [...ins, out]) backend.release(b);
  }
}

function firstMismatch(got: Float32Array, expected: Float32Array, rtol: number, atol: number): string | null {
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(got[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]))) return `at [${i}] got ${got[i]}, expected ${expected[i]}`;
  }
  return null;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}
