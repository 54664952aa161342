// Elementwise kernels. SIMD in f32 where the reference's float64 math rounds to the same f32 (or within
// an ulp); transcendental kinds run in scalar float64 as the reference does. Thread tid owns [i0, i1).
import { copyF32, demote2, exp4, log1p4, promoteHigh, splitEnd, splitStart, sumF64 } from './util';

// Kind codes, mirrored in ../wasm.ts.
const RELU = 0, LEAKY = 1, SIGMOID = 2, TANH = 3, ELU = 4, GELU = 5, SOFTPLUS = 6, EXP = 7, NEG = 8;
const ADD = 0, SUB = 1, MUL = 2, BCE_LOGITS = 3, BCE = 4, SQ_DIFF = 5, KL_NORMAL = 6;

const ALIGN = 16;

/** erf to float64 accuracy (Cody), as ../math.ts. */
function erf(x: f64): f64 {
  const ax = Math.abs(x);
  let r: f64;
  if (ax < 0.5) {
    const t = x * x;
    const num = (((0.1857777061846032 * t + 3.161123743870566) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const den = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * num) / den;
  }
  if (ax < 4) {
    const num = (((((((5.64188496988670089e-1 * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.95222124176909) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725);
    const den = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942;
    r = 1 - Math.exp(-ax * ax) * (num / den);
  } else {
    const z = 1 / (ax * ax);
    const num = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
    const den = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
    r = 1 - (Math.exp(-ax * ax) / ax) * (0.5641895835477563 - (z * num) / den);
  }
  return x < 0 ? -r : r;
}

@inline function unaryScalar(kind: i32, param: f64, v: f64): f64 {
  switch (kind) {
    case RELU: return v > 0 ? v : 0;
    case LEAKY: return v > 0 ? v : v * param;
    case SIGMOID: return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    case TANH: return Math.tanh(v);
    case ELU: return v > 0 ? v : param * Math.expm1(v);
    case GELU: return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case SOFTPLUS: return v > 20 ? v : Math.log1p(Math.exp(v));
    case EXP: return Math.exp(v);
    default: return -v;
  }
}

export function unary(tid: i32, nth: i32, kind: i32, param: f64, x: usize, y: usize, len: i32): void {
  const i0 = splitStart(tid, nth, len, ALIGN), i1 = splitEnd(tid, nth, len, ALIGN);
  let i = i0;
  const zero = f32x4.splat(0);
  if (kind == RELU || kind == LEAKY || kind == NEG) {
    const slope = f32x4.splat(<f32>param);
    for (; i + 4 <= i1; i += 4) {
      const v = v128.load(x + <usize>i * 4);
      let r: v128;
      if (kind == RELU) r = v128.bitselect(v, zero, f32x4.gt(v, zero));
      else if (kind == LEAKY) r = v128.bitselect(v, f32x4.mul(v, slope), f32x4.gt(v, zero));
      else r = f32x4.neg(v);
      v128.store(y + <usize>i * 4, r);
    }
  }
  if (kind == SIGMOID) {
    // The output layer of gaussian models: SIMD float32 exp (about 1 ulp).
    const one = f32x4.splat(1), zero = f32x4.splat(0);
    for (; i + 4 <= i1; i += 4) {
      const v = v128.load(x + <usize>i * 4);
      const e = exp4(f32x4.neg(f32x4.abs(v)));
      const inv = f32x4.div(one, f32x4.add(one, e));
      v128.store(y + <usize>i * 4, v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(v, zero)));
    }
    for (; i < i1; i++) {
      const v = load<f32>(x + <usize>i * 4);
      const e = Mathf.exp(-Mathf.abs(v));
      store<f32>(y + <usize>i * 4, v >= 0 ? 1 / (1 + e) : e / (1 + e));
    }
  }
  for (; i < i1; i++) store<f32>(y + <usize>i * 4, <f32>unaryScalar(kind, param, <f64>load<f32>(x + <usize>i * 4)));
}

const INV_SQRT_2PI: f64 = 0.3989422804014327;

@inline function unaryDerivative(kind: i32, param: f64, x: f64, y: f64): f64 {
  switch (kind) {
    case RELU: return x > 0 ? 1 : 0;
    case LEAKY: return x > 0 ? 1 : param;
    case SIGMOID: return y * (1 - y);
    case TANH: return 1 - y * y;
    case ELU: return x > 0 ? 1 : y + param;
    case GELU: return 0.5 * (1 + erf(x / Math.SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case SOFTPLUS: return x > 20 ? 1 : 1 / (1 + Math.exp(-x));
    case EXP: return y;
    default: return -1;
  }
}

export function unaryBackward(tid: i32, nth: i32, kind: i32, param: f64, x: usize, y: usize, dy: usize, dx: usize, len: i32): void {
  const i0 = splitStart(tid, nth, len, ALIGN), i1 = splitEnd(tid, nth, len, ALIGN);
  let i = i0;
  const zero = f32x4.splat(0), one = f32x4.splat(1), slope = f32x4.splat(<f32>param);
  if (kind == RELU || kind == LEAKY || kind == NEG || kind == EXP) {
    for (; i + 4 <= i1; i += 4) {
      const g = v128.load(dy + <usize>i * 4);
      let r: v128;
      if (kind == RELU) r = f32x4.mul(v128.bitselect(one, zero, f32x4.gt(v128.load(x + <usize>i * 4), zero)), g);
      else if (kind == LEAKY) r = f32x4.mul(v128.bitselect(one, slope, f32x4.gt(v128.load(x + <usize>i * 4), zero)), g);
      else if (kind == EXP) r = f32x4.mul(v128.load(y + <usize>i * 4), g);
      else r = f32x4.neg(g);
      v128.store(dx + <usize>i * 4, r);
    }
  } else if (kind == SIGMOID || kind == TANH) {
    // The float64 product of float32 inputs, rounded once, as the reference computes it.
    for (; i + 4 <= i1; i += 4) {
      const yv = v128.load(y + <usize>i * 4), g = v128.load(dy + <usize>i * 4);
      const ylo = f64x2.promote_low_f32x4(yv), yhi = promoteHigh(yv);
      const one2 = f64x2.splat(1);
      const dlo = kind == SIGMOID ? f64x2.mul(ylo, f64x2.sub(one2, ylo)) : f64x2.sub(one2, f64x2.mul(ylo, ylo));
      const dhi = kind == SIGMOID ? f64x2.mul(yhi, f64x2.sub(one2, yhi)) : f64x2.sub(one2, f64x2.mul(yhi, yhi));
      v128.store(dx + <usize>i * 4, demote2(f64x2.mul(dlo, f64x2.promote_low_f32x4(g)), f64x2.mul(dhi, promoteHigh(g))));
    }
  }
  for (; i < i1; i++) {
    const o = <usize>i * 4;
    store<f32>(dx + o, <f32>(unaryDerivative(kind, param, <f64>load<f32>(x + o), <f64>load<f32>(y + o)) * <f64>load<f32>(dy + o)));
  }
}

const LOG_FLOOR: f64 = -100;

@inline function binaryScalar(kind: i32, a: f64, b: f64): f64 {
  switch (kind) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case BCE_LOGITS: return max(a, 0) - a * b + Math.log1p(Math.exp(-Math.abs(a)));
    case BCE: return -(b * max(Math.log(a), LOG_FLOOR) + (1 - b) * max(Math.log(1 - a), LOG_FLOOR));
    case SQ_DIFF: return (a - b) * (a - b);
    default: return -0.5 * (1 + b - a * a - Math.exp(b));
  }
}

export function binary(tid: i32, nth: i32, kind: i32, a: usize, b: usize, out: usize, len: i32): void {
  const i0 = splitStart(tid, nth, len, ALIGN), i1 = splitEnd(tid, nth, len, ALIGN);
  let i = i0;
  if (kind == ADD || kind == SUB || kind == MUL) {
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i * 4;
      const av = v128.load(a + o), bv = v128.load(b + o);
      v128.store(out + o, kind == ADD ? f32x4.add(av, bv) : kind == SUB ? f32x4.sub(av, bv) : f32x4.mul(av, bv));
    }
  }
  if (kind == BCE_LOGITS) {
    // The reconstruction loss of every bernoulli model: SIMD float32 exp and log1p (about 1 ulp each).
    const zero = f32x4.splat(0);
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i * 4;
      const av = v128.load(a + o), bv = v128.load(b + o);
      const soft = log1p4(exp4(f32x4.neg(f32x4.abs(av))));
      v128.store(out + o, f32x4.add(f32x4.sub(f32x4.max(av, zero), f32x4.mul(av, bv)), soft));
    }
    for (; i < i1; i++) {
      const o = <usize>i * 4;
      const av = load<f32>(a + o), bv = load<f32>(b + o);
      store<f32>(out + o, max(av, 0) - av * bv + Mathf.log1p(Mathf.exp(-Mathf.abs(av))));
    }
  }
  for (; i < i1; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, <f32>binaryScalar(kind, <f64>load<f32>(a + o), <f64>load<f32>(b + o)));
  }
}

const BCE_EPS: f64 = 1e-12;

export function binaryBackward(
  tid: i32, nth: i32, kind: i32, a: usize, b: usize, dy: usize, dyIsScalar: i32, da: usize, db: usize, len: i32,
): void {
  const i0 = splitStart(tid, nth, len, ALIGN), i1 = splitEnd(tid, nth, len, ALIGN);
  const g0 = <f64>load<f32>(dy);
  if (kind == BCE_LOGITS) {
    // float32 sigmoid, as in binary() above.
    const gs = <f32>g0;
    let i = i0;
    const one = f32x4.splat(1), zero = f32x4.splat(0), gv = f32x4.splat(gs);
    for (; i + 4 <= i1; i += 4) {
      const o = <usize>i * 4;
      const av = v128.load(a + o);
      const g = dyIsScalar ? gv : v128.load(dy + o);
      const e = exp4(f32x4.neg(f32x4.abs(av)));
      const inv = f32x4.div(one, f32x4.add(one, e));
      const sig = v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(av, zero));
      if (da) v128.store(da + o, f32x4.mul(f32x4.sub(sig, v128.load(b + o)), g));
      if (db) v128.store(db + o, f32x4.mul(f32x4.neg(av), g));
    }
    for (; i < i1; i++) {
      const o = <usize>i * 4;
      const g = dyIsScalar ? gs : load<f32>(dy + o);
      const av = load<f32>(a + o);
      const e = Mathf.exp(-Mathf.abs(av));
      const sig: f32 = av >= 0 ? 1 / (1 + e) : e / (1 + e);
      if (da) store<f32>(da + o, (sig - load<f32>(b + o)) * g);
      if (db) store<f32>(db + o, -av * g);
    }
    return;
  }
  for (let i = i0; i < i1; i++) {
    const o = <usize>i * 4;
    const g = dyIsScalar ? g0 : <f64>load<f32>(dy + o);
    const av = <f64>load<f32>(a + o), bv = <f64>load<f32>(b + o);
    let pa: f64 = 0, pb: f64 = 0;
    switch (kind) {
      case ADD: { pa = 1; pb = 1; break; }
      case SUB: { pa = 1; pb = -1; break; }
      case MUL: { pa = bv; pb = av; break; }
      case BCE_LOGITS: {
        const s = av >= 0 ? 1 / (1 + Math.exp(-av)) : Math.exp(av) / (1 + Math.exp(av));
        pa = s - bv; pb = -av; break;
      }
      case BCE: { pa = (av - bv) / max((1 - av) * av, BCE_EPS); pb = max(Math.log(1 - av), LOG_FLOOR) - max(Math.log(av), LOG_FLOOR); break; }
      case SQ_DIFF: { pa = 2 * (av - bv); pb = -2 * (av - bv); break; }
      default: { pa = av; pb = 0.5 * (Math.exp(bv) - 1); break; }
    }
    if (da) store<f32>(da + o, <f32>(pa * g));
    if (db) store<f32>(db + o, <f32>(pb * g));
  }
}

/** out = alpha·x + beta·y in float64 lanes (rounded once, as the reference); out may alias x or y. */
export function axpby(tid: i32, nth: i32, alpha: f64, x: usize, beta: f64, y: usize, out: usize, len: i32): void {
  const i0 = splitStart(tid, nth, len, ALIGN), i1 = splitEnd(tid, nth, len, ALIGN);
  const al = f64x2.splat(alpha), be = f64x2.splat(beta);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i * 4;
    const xv = v128.load(x + o), yv = v128.load(y + o);
    const lo = f64x2.add(f64x2.mul(al, f64x2.promote_low_f32x4(xv)), f64x2.mul(be, f64x2.promote_low_f32x4(yv)));
    const hi = f64x2.add(f64x2.mul(al, promoteHigh(xv)), f64x2.mul(be, promoteHigh(yv)));
    v128.store(out + o, demote2(lo, hi));
  }
  for (; i < i1; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, <f32>(alpha * <f64>load<f32>(x + o) + beta * <f64>load<f32>(y + o)));
  }
}

/** out[i] = value (as raw 32-bit pattern, so it serves f32 and i32). */
export function fill32(tid: i32, nth: i32, out: usize, bits: i32, len: i32): void {
  const i0 = splitStart(tid, nth, len, ALIGN), i1 = splitEnd(tid, nth, len, ALIGN);
  if (bits == 0) {
    memory.fill(out + <usize>i0 * 4, 0, <usize>(i1 - i0) * 4);
    return;
  }
  const v = i32x4.splat(bits);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(out + <usize>i * 4, v);
  for (; i < i1; i++) store<i32>(out + <usize>i * 4, bits);
}

/** Rows of a strided copy, split across threads by row (a single row is split by columns). */
export function copyStrided(
  tid: i32, nth: i32, src: usize, srcOffset: i32, srcStride: i32, dst: usize, dstOffset: i32, dstStride: i32, rows: i32, cols: i32,
): void {
  if (rows == 1) {
    const c0 = splitStart(tid, nth, cols, ALIGN), c1 = splitEnd(tid, nth, cols, ALIGN);
    memory.copy(dst + <usize>(dstOffset + c0) * 4, src + <usize>(srcOffset + c0) * 4, <usize>(c1 - c0) * 4);
    return;
  }
  const r0 = splitStart(tid, nth, rows, 1), r1 = splitEnd(tid, nth, rows, 1);
  for (let r = r0; r < r1; r++) {
    copyF32(dst + <usize>(r * dstStride + dstOffset) * 4, src + <usize>(r * srcStride + srcOffset) * 4, cols);
  }
}

/** Thread tid's float64 partial of Σ x, at partials[tid]; the caller adds them in thread order. */
export function sumPartial(tid: i32, nth: i32, x: usize, len: i32, partials: usize): void {
  const i0 = splitStart(tid, nth, len, ALIGN), i1 = splitEnd(tid, nth, len, ALIGN);
  store<f64>(partials + <usize>tid * 8, sumF64(x + <usize>i0 * 4, i1 - i0));
}
