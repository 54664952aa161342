// Optimizer updates in place, in float64 lanes with the moments rounded to f32 before use, as the reference.
import { demote2, promoteHigh, splitEnd, splitStart } from './util';

export function adamStep(
  tid: i32, nth: i32, param: usize, grad: usize, m: usize, v: usize, len: i32,
  beta1: f64, beta2: f64, stepSize: f64, sqrtBc2: f64, eps: f64, weightDecay: f64,
): void {
  const i0 = splitStart(tid, nth, len, 16), i1 = splitEnd(tid, nth, len, 16);
  const b1 = f64x2.splat(beta1), b2 = f64x2.splat(beta2), c1 = f64x2.splat(1 - beta1), c2 = f64x2.splat(1 - beta2);
  const ss = f64x2.splat(stepSize), sb = f64x2.splat(sqrtBc2), ep = f64x2.splat(eps), wd = f64x2.splat(weightDecay);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i * 4;
    const pv = v128.load(param + o), gv = v128.load(grad + o), mv = v128.load(m + o), vv = v128.load(v + o);
    let plo = f64x2.promote_low_f32x4(pv), phi = promoteHigh(pv);
    let glo = f64x2.promote_low_f32x4(gv), ghi = promoteHigh(gv);
    if (weightDecay != 0) {
      glo = f64x2.add(glo, f64x2.mul(wd, plo));
      ghi = f64x2.add(ghi, f64x2.mul(wd, phi));
    }
    const m32 = demote2(
      f64x2.add(f64x2.mul(b1, f64x2.promote_low_f32x4(mv)), f64x2.mul(c1, glo)),
      f64x2.add(f64x2.mul(b1, promoteHigh(mv)), f64x2.mul(c1, ghi)));
    const v32 = demote2(
      f64x2.add(f64x2.mul(b2, f64x2.promote_low_f32x4(vv)), f64x2.mul(f64x2.mul(c2, glo), glo)),
      f64x2.add(f64x2.mul(b2, promoteHigh(vv)), f64x2.mul(f64x2.mul(c2, ghi), ghi)));
    v128.store(m + o, m32);
    v128.store(v + o, v32);
    const dlo = f64x2.add(f64x2.div(f64x2.sqrt(f64x2.promote_low_f32x4(v32)), sb), ep);
    const dhi = f64x2.add(f64x2.div(f64x2.sqrt(promoteHigh(v32)), sb), ep);
    plo = f64x2.sub(plo, f64x2.div(f64x2.mul(ss, f64x2.promote_low_f32x4(m32)), dlo));
    phi = f64x2.sub(phi, f64x2.div(f64x2.mul(ss, promoteHigh(m32)), dhi));
    v128.store(param + o, demote2(plo, phi));
  }
  for (; i < i1; i++) {
    const o = <usize>i * 4;
    const p = <f64>load<f32>(param + o);
    let g = <f64>load<f32>(grad + o);
    if (weightDecay != 0) g += weightDecay * p;
    const mi = <f32>(beta1 * <f64>load<f32>(m + o) + (1 - beta1) * g);
    const vi = <f32>(beta2 * <f64>load<f32>(v + o) + (1 - beta2) * g * g);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(param + o, <f32>(p - (stepSize * <f64>mi) / (Math.sqrt(<f64>vi) / sqrtBc2 + eps)));
  }
}

export function sgdStep(
  tid: i32, nth: i32, param: usize, grad: usize, mom: usize, len: i32,
  lr: f64, momentum: f64, dampening: f64, weightDecay: f64, nesterov: i32, firstStep: i32,
): void {
  const i0 = splitStart(tid, nth, len, 16), i1 = splitEnd(tid, nth, len, 16);
  for (let i = i0; i < i1; i++) {
    const o = <usize>i * 4;
    const p = <f64>load<f32>(param + o);
    let g = <f64>load<f32>(grad + o);
    if (weightDecay != 0) g += weightDecay * p;
    if (momentum != 0) {
      const b = <f32>(firstStep ? g : momentum * <f64>load<f32>(mom + o) + (1 - dampening) * g);
      store<f32>(mom + o, b);
      g = nesterov ? g + momentum * <f64>b : <f64>b;
    }
    store<f32>(param + o, <f32>(p - lr * g));
  }
}
