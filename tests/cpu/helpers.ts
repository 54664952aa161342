import type { Backend } from '../../src/engine/backend.ts';
import { CpuBackend, type CpuMode } from '../../src/engine/cpu/backend-cpu.ts';
import type { CpuBuffer } from '../../src/engine/cpu/buffer.ts';
import { nodeCpuHost } from '../../src/engine/cpu/host-node.ts';
import { ReferenceBackend } from '../../src/engine/cpu/reference.ts';

export const MODES: CpuMode[] = ['relaxed', 'simd', 'js'];

export function cpuBackend(mode: CpuMode, threads = 2): Promise<CpuBackend> {
  return CpuBackend.create({ host: nodeCpuHost(threads), mode });
}

/** A deterministic pseudo-random fill in [-1, 1). */
export function randomValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

export function bufferFrom(b: Backend<CpuBuffer>, data: Float32Array | Int32Array): CpuBuffer {
  const buf = b.alloc(data.length, data instanceof Int32Array ? 'i32' : 'f32');
  b.write(buf, data);
  return buf;
}

/** Largest |a - e| / (atol + rtol·|e|): ≤ 1 passes. */
export function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i], a = actual[i];
    if (Object.is(a, e) || a === e || (Number.isNaN(e) && Number.isNaN(a))) continue;
    const r = Math.abs(a - e) / (atol + rtol * Math.abs(e));
    if (!(r <= worst)) worst = Number.isNaN(r) ? Infinity : r;
  }
  return worst;
}

export const reference = new ReferenceBackend();
