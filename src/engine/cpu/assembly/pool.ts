// Max pooling family; thread tid owns a disjoint range of (n, c) planes (indices never leave a plane).
import { splitEnd, splitStart, zeroF32 } from './util';

export function maxPool(
  tid: i32, nth: i32, x: usize, y: usize, indices: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
): void {
  const p0 = splitStart(tid, nth, planes, 1), p1 = splitEnd(tid, nth, planes, 1);
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0) {
    maxPool2x2(x, y, indices, p0, p1, h, w, oh, ow);
    return;
  }
  for (let p = p0; p < p1; p++) {
    const inBase = x + <usize>(p * h * w) * 4, outBase = <usize>(p * oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best: f32 = -Infinity;
        let bestIdx = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki;
          if (iy < 0 || iy >= h) continue;
          let nan = false;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw - pw + kj;
            if (ix < 0 || ix >= w) continue;
            const v = load<f32>(inBase + <usize>(iy * w + ix) * 4);
            if (v > best || isNaN(v) || bestIdx < 0) {
              best = v;
              bestIdx = iy * w + ix;
              if (isNaN(v)) { nan = true; break; }
            }
          }
          // The reference breaks only the inner loop on NaN; later rows still see v > NaN false and NaN again.
          if (nan) continue;
        }
        const o = outBase + <usize>(oy * ow + ox) * 4;
        store<f32>(y + o, best);
        store<i32>(indices + o, bestIdx);
      }
    }
  }
}

// The common 2×2 / stride 2 window without bounds checks, in the reference's scan order: a larger value
// or a NaN takes over, and a NaN ends its window row.
function maxPool2x2(x: usize, y: usize, indices: usize, p0: i32, p1: i32, h: i32, w: i32, oh: i32, ow: i32): void {
  for (let p = p0; p < p1; p++) {
    const inBase = x + <usize>(p * h * w) * 4, outBase = <usize>(p * oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const r0 = 2 * oy * w, r1 = r0 + w;
      let ox = 0;
      // Four windows at a time: even and odd lanes of two vectors per input row, the same rules as
      // masks (a lane takes the next value when it is larger or NaN, unless its row already saw a NaN).
      for (; ox + 4 <= ow && 2 * ox + 8 <= w; ox += 4) {
        const p0 = inBase + <usize>(r0 + 2 * ox) * 4, p1 = inBase + <usize>(r1 + 2 * ox) * 4;
        const x0 = v128.load(p0), x1 = v128.load(p0, 16), y0 = v128.load(p1), y1 = v128.load(p1, 16);
        const a = v128.shuffle<f32>(x0, x1, 0, 2, 4, 6), b = v128.shuffle<f32>(x0, x1, 1, 3, 5, 7);
        const c = v128.shuffle<f32>(y0, y1, 0, 2, 4, 6), d = v128.shuffle<f32>(y0, y1, 1, 3, 5, 7);
        const i00 = i32x4.add(i32x4.splat(r0 + 2 * ox), i32x4(0, 2, 4, 6));
        let best = a, idx = i00;
        const m1 = v128.and(f32x4.eq(a, a), v128.or(f32x4.gt(b, best), f32x4.ne(b, b)));
        best = v128.bitselect(b, best, m1);
        idx = v128.bitselect(i32x4.add(i00, i32x4.splat(1)), idx, m1);
        const m2 = v128.or(f32x4.gt(c, best), f32x4.ne(c, c));
        best = v128.bitselect(c, best, m2);
        idx = v128.bitselect(i32x4.add(i00, i32x4.splat(w)), idx, m2);
        const m3 = v128.and(f32x4.eq(c, c), v128.or(f32x4.gt(d, best), f32x4.ne(d, d)));
        best = v128.bitselect(d, best, m3);
        idx = v128.bitselect(i32x4.add(i00, i32x4.splat(w + 1)), idx, m3);
        const o = outBase + <usize>(oy * ow + ox) * 4;
        v128.store(y + o, best);
        v128.store(indices + o, idx);
      }
      for (; ox < ow; ox++) {
        const i00 = r0 + 2 * ox, i10 = r1 + 2 * ox;
        let best = load<f32>(inBase + <usize>i00 * 4);
        let bestIdx = i00;
        if (!isNaN(best)) {
          const v = load<f32>(inBase + <usize>(i00 + 1) * 4);
          if (v > best || isNaN(v)) { best = v; bestIdx = i00 + 1; }
        }
        const v10 = load<f32>(inBase + <usize>i10 * 4);
        if (v10 > best || isNaN(v10)) { best = v10; bestIdx = i10; }
        if (!isNaN(v10)) {
          const v = load<f32>(inBase + <usize>(i10 + 1) * 4);
          if (v > best || isNaN(v)) { best = v; bestIdx = i10 + 1; }
        }
        const o = outBase + <usize>(oy * ow + ox) * 4;
        store<f32>(y + o, best);
        store<i32>(indices + o, bestIdx);
      }
    }
  }
}

export function maxPoolBackward(tid: i32, nth: i32, dy: usize, indices: usize, dx: usize, planes: i32, inSize: i32, outSize: i32): void {
  const p0 = splitStart(tid, nth, planes, 1), p1 = splitEnd(tid, nth, planes, 1);
  for (let p = p0; p < p1; p++) {
    const plane = dx + <usize>(p * inSize) * 4;
    zeroF32(plane, inSize);
    const base = <usize>(p * outSize) * 4;
    for (let o = 0; o < outSize; o++) {
      const d = plane + <usize>load<i32>(indices + base + <usize>o * 4) * 4;
      store<f32>(d, load<f32>(d) + load<f32>(dy + base + <usize>o * 4));
    }
  }
}

export function maxUnpool(tid: i32, nth: i32, x: usize, indices: usize, y: usize, planes: i32, inSize: i32, outSize: i32): void {
  const p0 = splitStart(tid, nth, planes, 1), p1 = splitEnd(tid, nth, planes, 1);
  for (let p = p0; p < p1; p++) {
    const plane = y + <usize>(p * outSize) * 4;
    zeroF32(plane, outSize);
    const base = <usize>(p * inSize) * 4;
    for (let i = 0; i < inSize; i++) {
      store<f32>(plane + <usize>load<i32>(indices + base + <usize>i * 4) * 4, load<f32>(x + base + <usize>i * 4));
    }
  }
}

export function maxUnpoolBackward(tid: i32, nth: i32, dy: usize, indices: usize, dx: usize, planes: i32, inSize: i32, outSize: i32): void {
  const p0 = splitStart(tid, nth, planes, 1), p1 = splitEnd(tid, nth, planes, 1);
  for (let p = p0; p < p1; p++) {
    const plane = dy + <usize>(p * outSize) * 4;
    const base = <usize>(p * inSize) * 4;
    for (let i = 0; i < inSize; i++) {
      store<f32>(dx + base + <usize>i * 4, load<f32>(plane + <usize>load<i32>(indices + base + <usize>i * 4) * 4));
    }
  }
}
