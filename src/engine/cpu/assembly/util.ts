// Work splitting shared by the kernels. A call is cut into `nth` fixed chunks (the `tid, nth` every
// kernel takes are chunk index and count); threads claim chunks dynamically, so a chunk's result does not
// depend on which thread ran it. Chunk tid takes [start, end) of `total` items, rounded up to `align`.

/** This instance's (this thread's) scratch memory, set once per instance by the pool. */
export let gemmScratch: usize = 0;
export let auxScratch: usize = 0;

export function setScratch(gemm: usize, aux: usize): void {
  gemmScratch = gemm;
  auxScratch = aux;
}

@inline export function splitStart(tid: i32, nth: i32, total: i32, align: i32): i32 {
  const chunk = ((total + nth - 1) / nth + align - 1) / align * align;
  return min(tid * chunk, total);
}

@inline export function splitEnd(tid: i32, nth: i32, total: i32, align: i32): i32 {
  const chunk = ((total + nth - 1) / nth + align - 1) / align * align;
  return min(tid * chunk + chunk, total);
}

@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Σ x[0..len) in float64 (two f64x2 lanes per f32x4, then a fixed-order scalar tail). */
export function sumF64(x: usize, len: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
  }
  const s = f64x2.add(s0, s1);
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < len; i++) acc += <f64>load<f32>(x + <usize>i * 4);
  return acc;
}

/** Σ (x - mu)² over x[0..len) in float64. */
export function sumSqDevF64(x: usize, len: i32, mu: f64): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  const m = f64x2.splat(mu);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    const d0 = f64x2.sub(f64x2.promote_low_f32x4(v), m);
    const d1 = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), m);
    s0 = f64x2.add(s0, f64x2.mul(d0, d0));
    s1 = f64x2.add(s1, f64x2.mul(d1, d1));
  }
  const s = f64x2.add(s0, s1);
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < len; i++) {
    const d = <f64>load<f32>(x + <usize>i * 4) - mu;
    acc += d * d;
  }
  return acc;
}

/** The high two f32 lanes as f64x2. */
@inline export function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Two f64x2 rounded back into one f32x4 (lo lanes first). */
@inline export function demote2(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// memory.copy / memory.fill are calls out of the compiled code in V8: for the short runs of im2col and the
// transposes an inline SIMD loop is several times faster.
@inline export function copyF32(dst: usize, src: usize, n: i32): void {
  if (n >= 256) {
    memory.copy(dst, src, <usize>n * 4);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, v128.load(src + <usize>i * 4));
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, load<f32>(src + <usize>i * 4));
}

@inline export function zeroF32(dst: usize, n: i32): void {
  if (n >= 256) {
    memory.fill(dst, 0, <usize>n * 4);
    return;
  }
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, z);
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, 0);
}

/** e^x in f32 lanes (Cephes expf: range reduction by ln 2, degree-6 polynomial; about 1 ulp). x is clamped to ±87. */
export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87)), f32x4.splat(87));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2^n through the exponent bits.
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

/** log(1 + e) in f32 lanes for e in [0, 1] (Cephes logf on u = 1 + e, plus the rounding of u corrected). */
export function log1p4(e: v128): v128 {
  const one = f32x4.splat(1);
  const u = f32x4.add(one, e);
  // u in [1, 2]: above √2 halve it (exponent 1).
  const big = f32x4.gt(u, f32x4.splat(1.41421356237));
  const m = v128.bitselect(f32x4.mul(u, f32x4.splat(0.5)), u, big);
  const ex = v128.and(big, f32x4.splat(1));
  const x = f32x4.sub(m, one);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(x, z), p);
  y = f32x4.add(y, f32x4.mul(ex, f32x4.splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  const logU = f32x4.add(f32x4.add(x, y), f32x4.mul(ex, f32x4.splat(0.693359375)));
  // u = 1 + e rounded: add back what the rounding lost, (e - (u - 1)) / u.
  return f32x4.add(logU, f32x4.div(f32x4.sub(e, f32x4.sub(u, one)), u));
}
