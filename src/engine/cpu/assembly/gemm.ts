import { gemmScratch } from './util';

// Register-blocked SGEMM: C = alpha·op(A)·op(B) + beta·C, row-major, with packed panels.
// A 6×8 micro-tile (4×8 in SIMD128 builds) keeps its accumulators in registers; op(A) is packed
// in strips of MR rows (k-major), op(B) in strips of NR columns (k-major), so the transposed variants
// only differ in how panels are packed. Each thread computes a disjoint rectangle of C.

// 6×8 tiles where FMA is one instruction, 4×8 with SIMD128's mul + add (see micro4).
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
const NR = 8;
const KC = 256;
const MC = 132; // a multiple of both tile heights
const NC = 512;

/** Bytes of scratch one thread needs: packed A block, packed B panel, an edge tile. */
export const GEMM_SCRATCH_BYTES: i32 = (MC * KC + KC * NC + MR * NR) * 4;

@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// Four rows r0..r3 of 4 values at src+off each, transposed: dst + q*stride gets [r0[q], r1[q], r2[q], r3[q]].
@inline function transpose4(r0: usize, r1: usize, r2: usize, r3: usize, dst: usize, stride: usize): void {
  const v0 = v128.load(r0), v1 = v128.load(r1), v2 = v128.load(r2), v3 = v128.load(r3);
  const lo01 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
  const hi01 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7));
}

// op(A)[i, p] rows [i0, i0+mc) × [p0, p0+kc) into strips: dst[(strip*kc + p)*MR + r].
function packA(a: usize, m: i32, k: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let is = 0; is < mc; is += MR) {
    const rows = min(MR, mc - is);
    const strip = dst + <usize>(is * kc) * 4;
    if (transA) {
      // A stored K×M: op(A)[i, p] = A[p*m + i], rows of a strip are contiguous.
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>(p0 + p) * m + i0 + is) * 4;
        const d = strip + <usize>(p * MR) * 4;
        if (rows == MR) {
          v128.store(d, v128.load(src));
          if (MR == 6) store<u64>(d, load<u64>(src, 16), 16);
        } else for (let r = 0; r < MR; r++) store<f32>(d + r * 4, r < rows ? load<f32>(src + r * 4) : 0);
      }
    } else if (rows == MR) {
      // A row-major: four rows at once, 4×4 transposed into k-major order.
      const s0 = a + (<usize>(i0 + is) * k + p0) * 4, rs = <usize>k * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p * 4, d = strip + <usize>(p * MR) * 4;
        transpose4(s0 + o, s0 + rs + o, s0 + 2 * rs + o, s0 + 3 * rs + o, d, MR * 4);
        if (MR == 6) {
          // Rows 4 and 5 interleaved: [r4[q], r5[q]] pairs after each step's first four.
          const v4 = v128.load(s0 + 4 * rs + o), v5 = v128.load(s0 + 5 * rs + o);
          const lo = v128.shuffle<f32>(v4, v5, 0, 4, 1, 5), hi = v128.shuffle<f32>(v4, v5, 2, 6, 3, 7);
          v128.store64_lane(d, lo, 0, 16);
          v128.store64_lane(d, lo, 1, MR * 4 + 16);
          v128.store64_lane(d, hi, 0, 2 * MR * 4 + 16);
          v128.store64_lane(d, hi, 1, 3 * MR * 4 + 16);
        }
      }
      for (; p < kc; p++) {
        for (let r = 0; r < MR; r++) store<f32>(strip + <usize>(p * MR + r) * 4, load<f32>(s0 + <usize>r * rs + <usize>p * 4));
      }
    } else {
      for (let r = 0; r < MR; r++) {
        const d = strip + r * 4;
        if (r < rows) {
          const src = a + (<usize>(i0 + is + r) * k + p0) * 4;
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>(p * MR) * 4, load<f32>(src + <usize>p * 4));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>(p * MR) * 4, 0);
        }
      }
    }
  }
}

// op(B)[p, j] for [p0, p0+kc) × [j0, j0+nc) into strips: dst[(strip*kc + p)*NR + c].
function packB(b: usize, n: i32, k: i32, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let js = 0; js < nc; js += NR) {
    const cols = min(NR, nc - js);
    const strip = dst + <usize>(js * kc) * 4;
    if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>(p0 + p) * n + j0 + js) * 4;
        const d = strip + <usize>(p * NR) * 4;
        if (cols == NR) {
          v128.store(d, v128.load(src));
          v128.store(d + 16, v128.load(src + 16));
        } else {
          for (let c = 0; c < NR; c++) store<f32>(d + c * 4, c < cols ? load<f32>(src + c * 4) : 0);
        }
      }
    } else if (cols == NR) {
      // B stored N×K: op(B)[p, j] = B[j*k + p]; eight rows of B, two 4×4 transposes per four k.
      const s0 = b + (<usize>(j0 + js) * k + p0) * 4, rs = <usize>k * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p * 4, d = strip + <usize>(p * NR) * 4;
        transpose4(s0 + o, s0 + rs + o, s0 + 2 * rs + o, s0 + 3 * rs + o, d, NR * 4);
        transpose4(s0 + 4 * rs + o, s0 + 5 * rs + o, s0 + 6 * rs + o, s0 + 7 * rs + o, d + 16, NR * 4);
      }
      for (; p < kc; p++) {
        for (let c = 0; c < NR; c++) store<f32>(strip + <usize>(p * NR + c) * 4, load<f32>(s0 + <usize>c * rs + <usize>p * 4));
      }
    } else {
      // B stored N×K: op(B)[p, j] = B[j*k + p].
      for (let c = 0; c < NR; c++) {
        const d = strip + c * 4;
        if (c < cols) {
          const src = b + (<usize>(j0 + js + c) * k + p0) * 4;
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>(p * NR) * 4, load<f32>(src + <usize>p * 4));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(d + <usize>(p * NR) * 4, 0);
        }
      }
    }
  }
}

// mode 0: C = alpha·acc; 1: C = alpha·acc + beta·C; 2: C += alpha·acc.
@inline function storeRow(cp: usize, v0: v128, v1: v128, alpha: v128, beta: v128, mode: i32): void {
  let r0 = f32x4.mul(v0, alpha), r1 = f32x4.mul(v1, alpha);
  if (mode == 1) {
    r0 = fma(v128.load(cp), beta, r0);
    r1 = fma(v128.load(cp + 16), beta, r1);
  } else if (mode == 2) {
    r0 = f32x4.add(v128.load(cp), r0);
    r1 = f32x4.add(v128.load(cp + 16), r1);
  }
  v128.store(cp, r0);
  v128.store(cp + 16, r1);
}

// One 6×8 tile over kc into `tile` (6 rows of NR, unscaled), for relaxed builds: 12 accumulators + 2 B
// vectors + 1 broadcast fill the 15 xmm registers V8 allocates. ap: a 6-row A strip, bp: NR columns of B
// every bstride bytes. Two things spill accumulators in V8 (and halve the speed): a K loop unrolled by
// hand (TurboFan hoists the second step's loads) and scaling/merging into C in this function (alpha,
// beta, mode and ldc stay live across the loop), so C is updated by mergeTile.
function micro6(kc: i32, ap: usize, bp: usize, bstride: usize, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap); c00 = fma(a, b0, c00); c01 = fma(a, b1, c01);
    a = v128.load32_splat(ap, 4); c10 = fma(a, b0, c10); c11 = fma(a, b1, c11);
    a = v128.load32_splat(ap, 8); c20 = fma(a, b0, c20); c21 = fma(a, b1, c21);
    a = v128.load32_splat(ap, 12); c30 = fma(a, b0, c30); c31 = fma(a, b1, c31);
    a = v128.load32_splat(ap, 16); c40 = fma(a, b0, c40); c41 = fma(a, b1, c41);
    a = v128.load32_splat(ap, 20); c50 = fma(a, b0, c50); c51 = fma(a, b1, c51);
    ap += 24;
    bp += bstride;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80); v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  v128.store(tile, c40, 128); v128.store(tile, c41, 144); v128.store(tile, c50, 160); v128.store(tile, c51, 176);
}

// C[0..rows) × [0..cols) at cp (row stride ldc) from an unscaled tile (row stride NR), per mode.
function mergeTile(tile: usize, cp: usize, ldc: i32, rows: i32, cols: i32, alphaS: f32, betaS: f32, mode: i32): void {
  if (cols == NR) {
    const alpha = f32x4.splat(alphaS), beta = f32x4.splat(betaS);
    for (let r = 0; r < rows; r++) {
      const t = tile + <usize>(r * NR) * 4;
      storeRow(cp + <usize>(r * ldc) * 4, v128.load(t), v128.load(t, 16), alpha, beta, mode);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const dst = cp + (<usize>r * ldc + q) * 4;
      const v = alphaS * load<f32>(tile + <usize>(r * NR + q) * 4);
      if (mode == 0) store<f32>(dst, v);
      else if (mode == 1) store<f32>(dst, v + betaS * load<f32>(dst));
      else store<f32>(dst, load<f32>(dst) + v);
    }
  }
}

// One 4×8 tile over kc, merged into C at cp (row stride ldc elements): the kernel of SIMD128 builds (mul +
// add needs a temporary register, so 12 accumulators would spill) and of ≤4-row strips in relaxed builds
// (ap: the first 4 rows of an MR-row strip). 8 accumulators leave room to scale and merge in place.
function micro4(kc: i32, ap: usize, bp: usize, bstride: usize, cp: usize, ldc: i32, alphaS: f32, betaS: f32, mode: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp + 16);
    let a = v128.load32_splat(ap);
    c00 = fma(a, b0, c00); c01 = fma(a, b1, c01);
    a = v128.load32_splat(ap + 4);
    c10 = fma(a, b0, c10); c11 = fma(a, b1, c11);
    a = v128.load32_splat(ap + 8);
    c20 = fma(a, b0, c20); c21 = fma(a, b1, c21);
    a = v128.load32_splat(ap + 12);
    c30 = fma(a, b0, c30); c31 = fma(a, b1, c31);
    ap += MR * 4;
    bp += bstride;
  }
  const alpha = f32x4.splat(alphaS), beta = f32x4.splat(betaS);
  const ld = <usize>ldc * 4;
  storeRow(cp, c00, c01, alpha, beta, mode);
  storeRow(cp + ld, c10, c11, alpha, beta, mode);
  storeRow(cp + 2 * ld, c20, c21, alpha, beta, mode);
  storeRow(cp + 3 * ld, c30, c31, alpha, beta, mode);
}

/**
 * Computes rows [m0, m1) × columns [n0, n1) of C. scratch: GEMM_SCRATCH_BYTES of this thread's own memory.
 */
export function gemmBlock(
  m: i32, n: i32, k: i32, transA: bool, transB: bool, alpha: f32, beta: f32,
  a: usize, b: usize, c: usize, m0: i32, m1: i32, n0: i32, n1: i32, scratch: usize,
): void {
  const packedA = scratch;
  const packedB = scratch + <usize>(MC * KC) * 4;
  const tile = packedB + <usize>(KC * NC) * 4;
  if (k == 0) {
    // No products: C = beta·C.
    for (let i = m0; i < m1; i++) {
      for (let j = n0; j < n1; j++) {
        const cp = c + (<usize>i * n + j) * 4;
        store<f32>(cp, beta == 0 ? 0 : beta * load<f32>(cp));
      }
    }
    return;
  }
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    // K in equal blocks of at most KC: a short last block would cost a whole pass over C for little work.
    const kBlock = (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC);
    for (let pc = 0; pc < k; pc += kBlock) {
      const kc = min(kBlock, k - pc);
      // A row-major B with a short K is read in place (its rows stay in cache); only a ragged last strip
      // is packed, with zero padding. Not when rows sit a multiple of 1 KiB apart: they would all map to
      // the same few cache sets; and not for wide B under many rows of C: each k step of a strip then
      // lands on another page, and packing once pays for itself (measured with 6×8 tiles: 512x6272x64ᵀA
      // +14%, 128x3136x256 +12%; 64x6272x512 and n = 400 shapes keep reading in place).
      const direct = !transB && kc >= 32 && kc <= 256 && (n & 255) != 0 && (m1 - m0 <= 96 || n <= 512);
      if (!direct) packB(b, n, k, transB, pc, kc, jc, nc, packedB);
      else if (nc % NR != 0) packB(b, n, k, transB, pc, kc, jc + nc / NR * NR, nc % NR, packedB);
      const mode = pc > 0 ? 2 : beta == 0 ? 0 : 1;
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        packA(a, m, k, transA, ic, mc, pc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          let bp = packedB + <usize>(jr * kc) * 4;
          let bstride: usize = NR * 4;
          if (direct) {
            if (cols == NR) {
              bp = b + (<usize>pc * n + jc + jr) * 4;
              bstride = <usize>n * 4;
            } else {
              bp = packedB;
            }
          }
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = packedA + <usize>(ir * kc) * 4;
            const cp = c + (<usize>(ic + ir) * n + jc + jr) * 4;
            if (MR == 6 && rows == MR && cols == NR) {
              micro6(kc, ap, bp, bstride, tile);
              mergeTile(tile, cp, n, MR, NR, alpha, beta, mode);
            } else if (MR == 6 && rows > 4) {
              // A second call site on purpose: Binaryen inlines a function with one caller, and micro6
              // inlined into this loop nest spills.
              micro6(kc, ap, bp, bstride, tile);
              mergeTile(tile, cp, n, rows, cols, alpha, beta, mode);
            } else if (rows == 4 && cols == NR) {
              micro4(kc, ap, bp, bstride, cp, n, alpha, beta, mode);
            } else {
              // Edge tile: compute into scratch, then merge the valid part.
              micro4(kc, ap, bp, bstride, tile, NR, 1, 0, 0);
              mergeTile(tile, cp, n, rows, cols, alpha, beta, mode);
            }
          }
        }
      }
    }
  }
}

/** Chunk tid of nth: C split along its longer side in whole tiles. */
export function gemm(
  tid: i32, nth: i32, m: i32, n: i32, k: i32, transA: i32, transB: i32, alpha: f32, beta: f32,
  a: usize, b: usize, c: usize,
): void {
  const own = gemmScratch;
  if (n >= m) {
    const chunk = ((n + nth - 1) / nth + NR - 1) / NR * NR;
    const n0 = min(tid * chunk, n), n1 = min(n0 + chunk, n);
    if (n0 < n1) gemmBlock(m, n, k, transA != 0, transB != 0, alpha, beta, a, b, c, 0, m, n0, n1, own);
  } else {
    const chunk = ((m + nth - 1) / nth + MR - 1) / MR * MR;
    const m0 = min(tid * chunk, m), m1 = min(m0 + chunk, m);
    if (m0 < m1) gemmBlock(m, n, k, transA != 0, transB != 0, alpha, beta, a, b, c, m0, m1, 0, n, own);
  }
}
