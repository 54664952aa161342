// C = alpha·A·Bᵀ + beta·C as dot products, for small outputs with a long K (weight gradients: A = dy
// [O, N·OH·OW], B = col [C·KH·KW, N·OH·OW]). Both operands run contiguously along K, so nothing is
// packed: a 4×2 tile of C keeps 8 f32x4 partial sums, K is walked in blocks that stay in L2, and the
// partials of each tile wait in scratch between blocks. Chunk tid owns a disjoint range of tiles.
import { fma, gemmScratch, splitEnd, splitStart } from './util';

const TR = 4;
const TC = 2;
const KB = 512;

/** Scratch bytes: 8 partial f32x4 per tile. */
@inline function tileBytes(): usize {
  return TR * TC * 16;
}

export function gemmDot(
  tid: i32, nth: i32, m: i32, n: i32, k: i32, alpha: f32, beta: f32, a: usize, b: usize, c: usize,
): void {
  const tilesR = (m + TR - 1) / TR, tilesC = (n + TC - 1) / TC;
  const t0 = splitStart(tid, nth, tilesR * tilesC, 1), t1 = splitEnd(tid, nth, tilesR * tilesC, 1);
  if (t0 >= t1) return;
  const acc = gemmScratch;
  const kv = k & ~3;
  memory.fill(acc, 0, <usize>(t1 - t0) * tileBytes());
  const rowBytes = <usize>k * 4;
  for (let kb = 0; kb < kv; kb += KB) {
    const ke = min(kb + KB, kv);
    for (let t = t0; t < t1; t++) {
      const i0 = (t / tilesC) * TR, j0 = (t % tilesC) * TC;
      // Rows past the edge repeat the last row; their sums are computed and dropped.
      const a0 = a + <usize>min(i0, m - 1) * rowBytes, a1 = a + <usize>min(i0 + 1, m - 1) * rowBytes;
      const a2 = a + <usize>min(i0 + 2, m - 1) * rowBytes, a3 = a + <usize>min(i0 + 3, m - 1) * rowBytes;
      const b0 = b + <usize>min(j0, n - 1) * rowBytes, b1 = b + <usize>min(j0 + 1, n - 1) * rowBytes;
      const s = acc + <usize>(t - t0) * tileBytes();
      let c00 = v128.load(s), c01 = v128.load(s, 16), c10 = v128.load(s, 32), c11 = v128.load(s, 48);
      let c20 = v128.load(s, 64), c21 = v128.load(s, 80), c30 = v128.load(s, 96), c31 = v128.load(s, 112);
      // Two steps per iteration on immediate offsets: fewer address adds per multiply-add.
      let p = kb;
      for (; p + 8 <= ke; p += 8) {
        const o = <usize>p * 4;
        const pa0 = a0 + o, pa1 = a1 + o, pa2 = a2 + o, pa3 = a3 + o, pb0 = b0 + o, pb1 = b1 + o;
        let vb0 = v128.load(pb0), vb1 = v128.load(pb1);
        let va = v128.load(pa0);
        c00 = fma(va, vb0, c00); c01 = fma(va, vb1, c01);
        va = v128.load(pa1);
        c10 = fma(va, vb0, c10); c11 = fma(va, vb1, c11);
        va = v128.load(pa2);
        c20 = fma(va, vb0, c20); c21 = fma(va, vb1, c21);
        va = v128.load(pa3);
        c30 = fma(va, vb0, c30); c31 = fma(va, vb1, c31);
        vb0 = v128.load(pb0, 16); vb1 = v128.load(pb1, 16);
        va = v128.load(pa0, 16);
        c00 = fma(va, vb0, c00); c01 = fma(va, vb1, c01);
        va = v128.load(pa1, 16);
        c10 = fma(va, vb0, c10); c11 = fma(va, vb1, c11);
        va = v128.load(pa2, 16);
        c20 = fma(va, vb0, c20); c21 = fma(va, vb1, c21);
        va = v128.load(pa3, 16);
        c30 = fma(va, vb0, c30); c31 = fma(va, vb1, c31);
      }
      for (; p < ke; p += 4) {
        const o = <usize>p * 4;
        const vb0 = v128.load(b0 + o), vb1 = v128.load(b1 + o);
        let va = v128.load(a0 + o);
        c00 = fma(va, vb0, c00); c01 = fma(va, vb1, c01);
        va = v128.load(a1 + o);
        c10 = fma(va, vb0, c10); c11 = fma(va, vb1, c11);
        va = v128.load(a2 + o);
        c20 = fma(va, vb0, c20); c21 = fma(va, vb1, c21);
        va = v128.load(a3 + o);
        c30 = fma(va, vb0, c30); c31 = fma(va, vb1, c31);
      }
      v128.store(s, c00); v128.store(s, c01, 16); v128.store(s, c10, 32); v128.store(s, c11, 48);
      v128.store(s, c20, 64); v128.store(s, c21, 80); v128.store(s, c30, 96); v128.store(s, c31, 112);
    }
  }
  for (let t = t0; t < t1; t++) {
    const i0 = (t / tilesC) * TR, j0 = (t % tilesC) * TC;
    const s = acc + <usize>(t - t0) * tileBytes();
    for (let r = 0; r < TR; r++) {
      const i = i0 + r;
      if (i >= m) break;
      for (let q = 0; q < TC; q++) {
        const j = j0 + q;
        if (j >= n) break;
        const v = v128.load(s + <usize>(r * TC + q) * 16);
        let sum = (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
        const ar = a + <usize>i * rowBytes, br = b + <usize>j * rowBytes;
        for (let p = kv; p < k; p++) sum += load<f32>(ar + <usize>p * 4) * load<f32>(br + <usize>p * 4);
        const cp = c + (<usize>i * n + j) * 4;
        store<f32>(cp, beta == 0 ? alpha * sum : alpha * sum + beta * load<f32>(cp));
      }
    }
  }
}
