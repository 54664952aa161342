// im2col / col2im / transpose021 / biasAdd / channelSum: the data movement around the convolution GEMMs.
import { auxScratch, copyF32, splitEnd, splitStart, sumF64, zeroF32 } from './util';

/** x [N, C, H, W] -> col [C*KH*KW, N*OH*OW]; thread tid fills a disjoint range of col rows. */
export function im2col(
  tid: i32, nth: i32, x: usize, col: usize, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
): void {
  const rows = c * kh * kw, cols = n * oh * ow;
  const r0 = splitStart(tid, nth, rows, 1), r1 = splitEnd(tid, nth, rows, 1);
  for (let r = r0; r < r1; r++) {
    const kj = r % kw, ki = (r / kw) % kh, ci = r / (kw * kh);
    // Valid ox: 0 <= ox*sw - pw + kj*dw < w.
    const off = kj * dw - pw;
    let oxs = off >= 0 ? 0 : (-off + sw - 1) / sw;
    let oxe = w - off <= 0 ? 0 : (w - off + sw - 1) / sw;
    if (oxe > ow) oxe = ow;
    if (oxs > oxe) oxs = oxe;
    for (let ni = 0; ni < n; ni++) {
      const plane = x + <usize>((ni * c + ci) * h * w) * 4;
      for (let oy = 0; oy < oh; oy++) {
        const iy = oy * sh - ph + ki * dh;
        const out = col + (<usize>r * cols + (ni * oh + oy) * ow) * 4;
        if (iy < 0 || iy >= h) {
          zeroF32(out, ow);
          continue;
        }
        if (oxs > 0) zeroF32(out, oxs);
        const src = plane + <usize>(iy * w + off) * 4;
        if (sw == 1) {
          copyF32(out + <usize>oxs * 4, src + <usize>oxs * 4, oxe - oxs);
        } else {
          let ox = oxs;
          if (sw == 2) {
            // Even lanes of two vectors, while all eight reads stay inside the image row.
            for (; ox + 4 <= oxe && 2 * ox + 7 + off < w; ox += 4) {
              const sp = src + <usize>(2 * ox) * 4;
              v128.store(out + <usize>ox * 4, v128.shuffle<f32>(v128.load(sp), v128.load(sp, 16), 0, 2, 4, 6));
            }
          }
          for (; ox < oxe; ox++) store<f32>(out + <usize>ox * 4, load<f32>(src + <usize>(ox * sw) * 4));
        }
        if (oxe < ow) zeroF32(out + <usize>oxe * 4, ow - oxe);
      }
    }
  }
}

/** The adjoint of im2col; thread tid owns a disjoint range of (n, c) planes of x, so no two threads add to one value. */
export function col2im(
  tid: i32, nth: i32, col: usize, x: usize, n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
): void {
  const cols = n * oh * ow;
  const p0 = splitStart(tid, nth, n * c, 1), p1 = splitEnd(tid, nth, n * c, 1);
  for (let p = p0; p < p1; p++) {
    const ni = p / c, ci = p % c;
    const plane = x + <usize>(p * h * w) * 4;
    zeroF32(plane, h * w);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const r = (ci * kh + ki) * kw + kj;
        const off = kj * dw - pw;
        let oxs = off >= 0 ? 0 : (-off + sw - 1) / sw;
        let oxe = w - off <= 0 ? 0 : (w - off + sw - 1) / sw;
        if (oxe > ow) oxe = ow;
        if (oxs > oxe) oxs = oxe;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) continue;
          const src = col + (<usize>r * cols + (ni * oh + oy) * ow) * 4;
          const dst = plane + <usize>(iy * w + off) * 4;
          if (sw == 1) {
            let ox = oxs;
            for (; ox + 4 <= oxe; ox += 4) {
              const d = dst + <usize>ox * 4;
              v128.store(d, f32x4.add(v128.load(d), v128.load(src + <usize>ox * 4)));
            }
            for (; ox < oxe; ox++) {
              const d = dst + <usize>ox * 4;
              store<f32>(d, load<f32>(d) + load<f32>(src + <usize>ox * 4));
            }
          } else {
            let ox = oxs;
            if (sw == 2) {
              // Four taps land on every other value of eight: interleave them with zeros and add.
              const zero = f32x4.splat(0);
              for (; ox + 4 <= oxe && 2 * ox + 7 + off < w; ox += 4) {
                const sv = v128.load(src + <usize>ox * 4);
                const d = dst + <usize>(2 * ox) * 4;
                v128.store(d, f32x4.add(v128.load(d), v128.shuffle<f32>(sv, zero, 0, 4, 1, 5)));
                v128.store(d, f32x4.add(v128.load(d, 16), v128.shuffle<f32>(sv, zero, 2, 6, 3, 7)), 16);
              }
            }
            for (; ox < oxe; ox++) {
              const d = dst + <usize>(ox * sw) * 4;
              store<f32>(d, load<f32>(d) + load<f32>(src + <usize>ox * 4));
            }
          }
        }
      }
    }
  }
}

/** [a, b, c] -> [b, a, c]; thread tid copies a disjoint range of the a*b runs of c values. */
export function transpose021(tid: i32, nth: i32, x: usize, out: usize, a: i32, b: i32, c: i32): void {
  const t0 = splitStart(tid, nth, a * b, 1), t1 = splitEnd(tid, nth, a * b, 1);
  const bytes = <usize>c * 4;
  for (let t = t0; t < t1; t++) {
    const i = t / b, j = t % b;
    copyF32(out + <usize>(j * a + i) * bytes, x + <usize>t * bytes, c);
  }
}

/** y[n, c, s] = x[n, c, s] + bias[c] over a disjoint range of (n, c) planes. */
export function biasAdd(tid: i32, nth: i32, x: usize, bias: usize, y: usize, n: i32, c: i32, s: i32): void {
  if (s == 1) {
    // Rows of a linear layer: split the batch rows.
    const r0 = splitStart(tid, nth, n, 1), r1 = splitEnd(tid, nth, n, 1);
    for (let r = r0; r < r1; r++) {
      const xs = x + <usize>(r * c) * 4, ys = y + <usize>(r * c) * 4;
      let i = 0;
      for (; i + 4 <= c; i += 4) v128.store(ys + <usize>i * 4, f32x4.add(v128.load(xs + <usize>i * 4), v128.load(bias + <usize>i * 4)));
      for (; i < c; i++) store<f32>(ys + <usize>i * 4, load<f32>(xs + <usize>i * 4) + load<f32>(bias + <usize>i * 4));
    }
    return;
  }
  const p0 = splitStart(tid, nth, n * c, 1), p1 = splitEnd(tid, nth, n * c, 1);
  for (let p = p0; p < p1; p++) {
    const bv = load<f32>(bias + <usize>(p % c) * 4);
    const bs = f32x4.splat(bv);
    const xs = x + <usize>(p * s) * 4, ys = y + <usize>(p * s) * 4;
    let i = 0;
    for (; i + 4 <= s; i += 4) v128.store(ys + <usize>i * 4, f32x4.add(v128.load(xs + <usize>i * 4), bs));
    for (; i < s; i++) store<f32>(ys + <usize>i * 4, load<f32>(xs + <usize>i * 4) + bv);
  }
}

/** out[c] = Σ_{n,s} x[n, c, s] (+ out[c]); float64 sums; thread tid owns a disjoint range of channels. */
export function channelSum(tid: i32, nth: i32, x: usize, out: usize, n: i32, c: i32, s: i32, accumulate: i32): void {
  const c0 = splitStart(tid, nth, c, 4), c1 = splitEnd(tid, nth, c, 4);
  if (s == 1) {
    // Column sums of [n, c]: rows accumulate into float64 partials in this thread's scratch (8192 at a time).
    const acc = auxScratch;
    for (let b0 = c0; b0 < c1; b0 += 8192) {
      const b1 = min(b0 + 8192, c1);
      memory.fill(acc, 0, <usize>(b1 - b0) * 8);
      for (let ni = 0; ni < n; ni++) {
        const row = x + <usize>(ni * c) * 4;
        for (let ci = b0; ci < b1; ci++) {
          const a = acc + <usize>(ci - b0) * 8;
          store<f64>(a, load<f64>(a) + <f64>load<f32>(row + <usize>ci * 4));
        }
      }
      for (let ci = b0; ci < b1; ci++) {
        const v = load<f64>(acc + <usize>(ci - b0) * 8);
        const o = out + <usize>ci * 4;
        store<f32>(o, <f32>(accumulate ? <f64>load<f32>(o) + v : v));
      }
    }
    return;
  }
  for (let ci = c0; ci < c1; ci++) {
    let acc: f64 = 0;
    for (let ni = 0; ni < n; ni++) acc += sumF64(x + <usize>((ni * c + ci) * s) * 4, s);
    const o = out + <usize>ci * 4;
    store<f32>(o, <f32>(accumulate ? <f64>load<f32>(o) + acc : acc));
  }
}
