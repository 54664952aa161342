// Batch-norm kernels over x [N, C, S]: statistics and backward sums in float64, one channel per thread
// at a time (thread tid owns a disjoint range of channels, so each sum has one fixed order).
import { splitEnd, splitStart, sumF64, sumSqDevF64 } from './util';

export function bnStats(tid: i32, nth: i32, x: usize, mean: usize, variance: usize, n: i32, c: i32, s: i32): void {
  const c0 = splitStart(tid, nth, c, 1), c1 = splitEnd(tid, nth, c, 1);
  const count = <f64>(n * s);
  for (let ci = c0; ci < c1; ci++) {
    let sum: f64 = 0;
    for (let ni = 0; ni < n; ni++) sum += sumF64(x + <usize>((ni * c + ci) * s) * 4, s);
    const mu = sum / count;
    let sq: f64 = 0;
    for (let ni = 0; ni < n; ni++) sq += sumSqDevF64(x + <usize>((ni * c + ci) * s) * 4, s, mu);
    store<f32>(mean + <usize>ci * 4, <f32>mu);
    store<f32>(variance + <usize>ci * 4, <f32>(sq / count));
  }
}

/** y = (x - mean)·scale + beta with scale = gamma/sqrt(var + eps); thread tid owns a range of (n, c) planes. */
export function bnApply(
  tid: i32, nth: i32, x: usize, mean: usize, variance: usize, gamma: usize, beta: usize, y: usize,
  n: i32, c: i32, s: i32, eps: f64,
): void {
  const p0 = splitStart(tid, nth, n * c, 1), p1 = splitEnd(tid, nth, n * c, 1);
  for (let p = p0; p < p1; p++) {
    const ci = p % c;
    const scale = <f64>load<f32>(gamma + <usize>ci * 4) / Math.sqrt(<f64>load<f32>(variance + <usize>ci * 4) + eps);
    const mu = <f64>load<f32>(mean + <usize>ci * 4), shift = <f64>load<f32>(beta + <usize>ci * 4);
    const sv = f32x4.splat(<f32>scale), bv = f32x4.splat(<f32>(shift - mu * scale));
    const xs = x + <usize>(p * s) * 4, ys = y + <usize>(p * s) * 4;
    let i = 0;
    for (; i + 4 <= s; i += 4) v128.store(ys + <usize>i * 4, f32x4.add(f32x4.mul(v128.load(xs + <usize>i * 4), sv), bv));
    for (; i < s; i++) store<f32>(ys + <usize>i * 4, <f32>((<f64>load<f32>(xs + <usize>i * 4) - mu) * scale + shift));
  }
}

export function bnBackward(
  tid: i32, nth: i32, x: usize, dy: usize, mean: usize, variance: usize, gamma: usize,
  dx: usize, dgamma: usize, dbeta: usize, n: i32, c: i32, s: i32, eps: f64, training: i32,
): void {
  const c0 = splitStart(tid, nth, c, 1), c1 = splitEnd(tid, nth, c, 1);
  const count = <f64>(n * s);
  for (let ci = c0; ci < c1; ci++) {
    const mu = <f64>load<f32>(mean + <usize>ci * 4);
    const invStd = 1 / Math.sqrt(<f64>load<f32>(variance + <usize>ci * 4) + eps);
    const muv = f64x2.splat(mu);
    let sDy = f64x2.splat(0), sDyX = f64x2.splat(0);
    let sumDy: f64 = 0, sumDyXc: f64 = 0;
    for (let ni = 0; ni < n; ni++) {
      const base = <usize>((ni * c + ci) * s) * 4;
      let i = 0;
      for (; i + 4 <= s; i += 4) {
        const g = v128.load(dy + base + <usize>i * 4), xv = v128.load(x + base + <usize>i * 4);
        const glo = f64x2.promote_low_f32x4(g), ghi = f64x2.promote_low_f32x4(v128.shuffle<f32>(g, g, 2, 3, 2, 3));
        const xlo = f64x2.sub(f64x2.promote_low_f32x4(xv), muv);
        const xhi = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(xv, xv, 2, 3, 2, 3)), muv);
        sDy = f64x2.add(sDy, f64x2.add(glo, ghi));
        sDyX = f64x2.add(sDyX, f64x2.add(f64x2.mul(glo, xlo), f64x2.mul(ghi, xhi)));
      }
      for (; i < s; i++) {
        const g = <f64>load<f32>(dy + base + <usize>i * 4);
        sumDy += g;
        sumDyXc += g * (<f64>load<f32>(x + base + <usize>i * 4) - mu);
      }
    }
    sumDy += f64x2.extract_lane(sDy, 0) + f64x2.extract_lane(sDy, 1);
    sumDyXc += f64x2.extract_lane(sDyX, 0) + f64x2.extract_lane(sDyX, 1);
    const sumDyXhat = sumDyXc * invStd;
    if (dgamma) store<f32>(dgamma + <usize>ci * 4, <f32>(<f64>load<f32>(dgamma + <usize>ci * 4) + sumDyXhat));
    if (dbeta) store<f32>(dbeta + <usize>ci * 4, <f32>(<f64>load<f32>(dbeta + <usize>ci * 4) + sumDy));
    if (!dx) continue;
    const k = <f64>load<f32>(gamma + <usize>ci * 4) * invStd;
    // dx = k·dy - k·meanDy - (x - mu)·k·invStd·meanDyXhat  (training); k·dy (eval)
    const a = k;
    const b = training ? -k * (sumDy / count) : 0;
    const cx = training ? -k * invStd * (sumDyXhat / count) : 0;
    const av = f32x4.splat(<f32>a), bv = f32x4.splat(<f32>b), cv = f32x4.splat(<f32>cx), mv = f32x4.splat(<f32>mu);
    for (let ni = 0; ni < n; ni++) {
      const base = <usize>((ni * c + ci) * s) * 4;
      let i = 0;
      for (; i + 4 <= s; i += 4) {
        const o = base + <usize>i * 4;
        v128.store(dx + o, f32x4.add(f32x4.add(f32x4.mul(v128.load(dy + o), av), f32x4.mul(f32x4.sub(v128.load(x + o), mv), cv)), bv));
      }
      for (; i < s; i++) {
        const o = base + <usize>i * 4;
        store<f32>(dx + o, <f32>(a * <f64>load<f32>(dy + o) + cx * (<f64>load<f32>(x + o) - mu) + b));
      }
    }
  }
}
