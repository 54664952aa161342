import type { GemmParams } from '../../backend.ts';
import type { GpuBuffer } from '../buffer.ts';
import type { GpuContext, KernelSpec } from '../context.ts';

const TILE = 64, TK = 16;

function variant(transA: boolean, transB: boolean, vec4: boolean): KernelSpec {
  const tag = `${transA ? 't' : 'n'}${transB ? 't' : 'n'}`;
  return {
    name: `gemm_${vec4 ? 'vec4' : 'scalar'}_${tag}`,
    shader: 'gemm',
    entry: vec4 ? 'gemm_vec4' : 'gemm_scalar',
    bindings: ['read', 'read', 'write'],
    constants: { TRANS_A: Number(transA), TRANS_B: Number(transB) },
  };
}

export const gemmSpecs: readonly KernelSpec[] = [false, true].flatMap((vec4) =>
  [false, true].flatMap((ta) => [false, true].map((tb) => variant(ta, tb, vec4))));
export const gemmSplitKSpecs = [
  { name: 'gemmSplitK', shader: 'gemmSplitK', entry: 'main', bindings: ['read', 'write'] },
] as const satisfies readonly KernelSpec[];

const byName = new Map(gemmSpecs.map((s) => [s.name, s]));

/** How many K ranges to split into: only when C has too few tiles to fill a GPU and K is long. */
export function splitKFor(m: number, n: number, k: number): number {
  const tiles = Math.ceil(m / TILE) * Math.ceil(n / TILE);
  if (tiles >= 32 || k < 2048) return 1;
  return Math.min(64, Math.ceil(k / 1024), Math.ceil(256 / tiles));
}

/** C = alpha·op(A)·op(B) + beta·C. */
export function gemm(ctx: GpuContext, p: GemmParams, a: GpuBuffer, b: GpuBuffer, c: GpuBuffer): void {
  const { m, n, k, transA, transB, alpha, beta } = p;
  if (a.length < m * k || b.length < k * n || c.length < m * n) {
    throw new Error(`gemm ${m}×${k}·${k}×${n}: buffers of ${a.length}, ${b.length}, ${c.length} values are too small`);
  }
  if (m === 0 || n === 0) return;
  // vec4 needs every contiguous dimension divisible by 4: C's rows (N), A's (K, or M stored transposed), B's.
  const vec4 = n % 4 === 0 && (transA ? m : k) % 4 === 0 && (transB ? k : n) % 4 === 0;
  const spec = byName.get(variant(transA, transB, vec4).name)!;
  const groupsX = Math.ceil(n / TILE), groupsY = Math.ceil(m / TILE);
  const splits = splitKFor(m, n, k);
  if (splits === 1) {
    ctx.dispatch(spec, [a, b, c], (w) => w.u32(m).u32(n).u32(k).u32(Math.max(k, TK)).f32(alpha).f32(beta), [groupsX, groupsY, 1]);
    return;
  }
  const kChunk = Math.ceil(k / splits / TK) * TK;
  const used = Math.ceil(k / kChunk);
  const partial = ctx.alloc(used * m * n);
  ctx.dispatch(spec, [a, b, partial], (w) => w.u32(m).u32(n).u32(k).u32(kChunk).f32(1).f32(0), [groupsX, groupsY, used]);
  ctx.dispatch(gemmSplitKSpecs[0], [partial, c], (w) => w.u32(m * n).u32(used).f32(alpha).f32(beta), ctx.grid(m * n));
  ctx.release(partial); // reused only by later commands
}
