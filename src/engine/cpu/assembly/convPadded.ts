// im2col / col2im through zero-padded image planes (dilation 1, stride 1 or 2), one plane at a time in
// this thread's scratch (L1-sized for the presets): with the padding in memory every output row segment is
// a fixed run of SIMD loads, shuffles and stores, with no bounds checks. im2col writes segments in groups
// of 4; a group running past a segment's end spills into the next segment of the same block, written
// after it, so only a block's last segment is cut exactly. col2im masks a group's lanes past the segment.
// Padded planes are [hp, wp] with wp a multiple of 4 and at least 8 spare columns, so groups stay in a row.
import { auxScratch, splitEnd, splitStart, zeroF32 } from './util';

/** One plane [h, w] placed at (ph, pw) in a zeroed [hp, wp]. */
function padPlane(src: usize, dst: usize, h: i32, w: i32, ph: i32, pw: i32, hp: i32, wp: i32): void {
  zeroF32(dst, ph * wp);
  for (let y = 0; y < h; y++) {
    const row = dst + <usize>((y + ph) * wp) * 4;
    zeroF32(row, pw);
    const s = src + <usize>(y * w) * 4, d = row + <usize>pw * 4;
    let i = 0;
    for (; i + 4 <= w; i += 4) v128.store(d + <usize>i * 4, v128.load(s + <usize>i * 4));
    for (; i < w; i++) store<f32>(d + <usize>i * 4, load<f32>(s + <usize>i * 4));
    zeroF32(row + <usize>(pw + w) * 4, wp - pw - w);
  }
  zeroF32(dst + <usize>((h + ph) * wp) * 4, (hp - h - ph) * wp);
}

/**
 * col [C*KH*KW, N*OH*OW] from x [N, C, H, W], one plane at a time: the plane is padded into this thread's
 * scratch (xp = 0) or into xp, then each tap writes its OH×OW block of the plane's columns. Chunks own
 * planes, in (c, n) order so consecutive planes write consecutive blocks of the same col rows.
 */
export function im2colPlanes(
  tid: i32, nth: i32, x: usize, xp: usize, col: usize, n: i32, c: i32, h: i32, w: i32, hp: i32, wp: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
): void {
  const cols = n * oh * ow;
  const q0 = splitStart(tid, nth, n * c, 1), q1 = splitEnd(tid, nth, n * c, 1);
  const rowStep = <usize>(sh * wp) * 4;
  for (let q = q0; q < q1; q++) {
    const ci = q / n, ni = q % n, p = ni * c + ci;
    const plane = xp ? xp + <usize>(p * hp * wp) * 4 : auxScratch;
    padPlane(x + <usize>(p * h * w) * 4, plane, h, w, ph, pw, hp, wp);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const r = (ci * kh + ki) * kw + kj;
        let out = col + (<usize>r * cols + <usize>(ni * oh * ow)) * 4;
        let src = plane + <usize>(ki * wp + kj) * 4;
        for (let oy = 0; oy < oh; oy++) {
          // A block's last segment ends where another chunk writes: no spill there.
          const groups = oy == oh - 1 ? ow & ~3 : ow;
          let ox = 0;
          if (sw == 1) {
            for (; ox < groups; ox += 4) v128.store(out + <usize>ox * 4, v128.load(src + <usize>ox * 4));
          } else {
            for (; ox < groups; ox += 4) {
              const s = src + <usize>ox * 8;
              v128.store(out + <usize>ox * 4, v128.shuffle<f32>(v128.load(s), v128.load(s, 16), 0, 2, 4, 6));
            }
          }
          for (; ox < ow; ox++) store<f32>(out + <usize>ox * 4, load<f32>(src + <usize>(ox * sw) * 4));
          out += <usize>ow * 4;
          src += rowStep;
        }
      }
    }
  }
}

/**
 * x [N, C, H, W] = col2im(col) through padded planes yp (scratch [N*C, hp, wp]); chunks own whole planes.
 * A group's last lanes past the segment are masked to zero before they are added.
 */
export function col2imPadded(
  tid: i32, nth: i32, col: usize, yp: usize, x: usize, n: i32, c: i32, h: i32, w: i32, hp: i32, wp: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32,
): void {
  const cols = n * oh * ow;
  const p0 = splitStart(tid, nth, n * c, 1), p1 = splitEnd(tid, nth, n * c, 1);
  const full = ow & ~3, rest = ow & 3;
  const mask = i32x4(rest > 0 ? -1 : 0, rest > 1 ? -1 : 0, rest > 2 ? -1 : 0, 0);
  const zero = f32x4.splat(0);
  // Planes in (c, n) order: consecutive planes then read consecutive blocks of the same col rows, which
  // the hardware prefetchers follow.
  for (let q = p0; q < p1; q++) {
    const ci = q / n, ni = q % n, p = ni * c + ci;
    // One plane at a time: with yp = 0 it lives in this thread's scratch, in L1.
    const plane = yp ? yp + <usize>(p * hp * wp) * 4 : auxScratch;
    zeroF32(plane, hp * wp);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const r = (ci * kh + ki) * kw + kj;
        let src = col + (<usize>r * cols + <usize>(ni * oh * ow)) * 4;
        let dst = plane + <usize>(ki * wp + kj) * 4;
        for (let oy = 0; oy < oh; oy++) {
          if (sw == 1) {
            let ox = 0;
            for (; ox < full; ox += 4) {
              const d = dst + <usize>ox * 4;
              v128.store(d, f32x4.add(v128.load(d), v128.load(src + <usize>ox * 4)));
            }
            if (rest) {
              const d = dst + <usize>ox * 4;
              v128.store(d, f32x4.add(v128.load(d), v128.and(v128.load(src + <usize>ox * 4), mask)));
            }
          } else {
            let ox = 0;
            for (; ox < ow; ox += 4) {
              let v = v128.load(src + <usize>ox * 4);
              if (ox + 4 > ow) v = v128.and(v, mask);
              const d = dst + <usize>ox * 8;
              v128.store(d, f32x4.add(v128.load(d), v128.shuffle<f32>(v, zero, 0, 4, 1, 5)));
              v128.store(d, f32x4.add(v128.load(d, 16), v128.shuffle<f32>(v, zero, 2, 6, 3, 7)), 16);
            }
          }
          src += <usize>ow * 4;
          dst += <usize>(sh * wp) * 4;
        }
      }
    }
    // Crop the padding away into x's plane.
    const out = x + <usize>(p * h * w) * 4;
    for (let y = 0; y < h; y++) {
      const s = plane + <usize>((y + ph) * wp + pw) * 4, d = out + <usize>(y * w) * 4;
      let i = 0;
      for (; i + 4 <= w; i += 4) v128.store(d + <usize>i * 4, v128.load(s + <usize>i * 4));
      for (; i < w; i++) store<f32>(d + <usize>i * 4, load<f32>(s + <usize>i * 4));
    }
  }
}
