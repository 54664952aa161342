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
