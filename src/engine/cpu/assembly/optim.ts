// Optimizer updates in place.
import { splitEnd, splitStart } from './util';

export function adamStep(
  tid: i32, nth: i32, param: usize, grad: usize, m: usize, v: usize, len: i32,
  beta1: f64, beta2: f64, stepSize: f64, sqrtBc2: f64, eps: f64, weightDecay: f64,
): void {
  const i0 = splitStart(tid, nth, len, 16), i1 = splitEnd(tid, nth, len, 16);
  // float32 arithmetic, as PyTorch's own CPU Adam.
  const b1 = f32x4.splat(<f32>beta1), b2 = f32x4.splat(<f32>beta2);
  const c1 = f32x4.splat(<f32>(1 - beta1)), c2 = f32x4.splat(<f32>(1 - beta2));
  const ss = f32x4.splat(<f32>stepSize), isb = f32x4.splat(<f32>(1 / sqrtBc2)), ep = f32x4.splat(<f32>eps), wd = f32x4.splat(<f32>weightDecay);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i * 4;
    const pv = v128.load(param + o);
    let g = v128.load(grad + o);
    if (weightDecay != 0) g = f32x4.add(g, f32x4.mul(wd, pv));
    const mv = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, g));
    const vv = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(f32x4.mul(c2, g), g));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vv), isb), ep);
    v128.store(param + o, f32x4.sub(pv, f32x4.div(f32x4.mul(ss, mv), denom)));
  }
  for (; i < i1; i++) {
    const o = <usize>i * 4;
    const p = load<f32>(param + o);
    let g = load<f32>(grad + o);
    if (weightDecay != 0) g += <f32>weightDecay * p;
    const mi = <f32>beta1 * load<f32>(m + o) + <f32>(1 - beta1) * g;
    const vi = <f32>beta2 * load<f32>(v + o) + <f32>(1 - beta2) * g * g;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(param + o, p - (<f32>stepSize * mi) / (Mathf.sqrt(vi) * <f32>(1 / sqrtBc2) + <f32>eps));
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
