#!/usr/bin/env node
// The GEMM ceiling on this machine: GFLOP/s of register-only f32x4 FMA loops (8 and 12 independent
// accumulators) and of 4×8 / 6×8 micro-tile loops over L1-resident data, compiled with the same asc flags
// as the CPU backend (both builds). Run: node bench/simd-peak.mjs. On the 2-core AMD EPYC (Zen 4) dev box:
// relaxed 12 accumulators 58.7 GFLOP/s per thread (2 FMA/cycle × 4 lanes at ~3.7 GHz: 128-bit WASM SIMD
// gets half of what AVX2/AVX-512 OpenBLAS can), 8 accumulators 53.8; SIMD128 mul+add 44.6.
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';

// As the CPU backend's Node host: relaxed SIMD on, optimizing tier from the first call.
setFlagsFromString('--experimental-wasm-relaxed-simd');
setFlagsFromString('--no-liftoff');

// AssemblyScript source, kept here rather than as a .ts file (tsc checks bench/ as TypeScript).
const SOURCE = `// Peak f32x4 FMA throughput: N independent accumulators, no loads. The ceiling the GEMM micro-kernel
// can approach on this CPU through V8's 128-bit WASM SIMD.
@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** iters × 12 FMAs of 4 lanes (96 flops per iteration); returns a lane so nothing is dead code. */
export function peak12(iters: i32, x: f32): f32 {
  const a = f32x4.splat(x), b = f32x4.splat(0.999);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(1), c2 = f32x4.splat(2), c3 = f32x4.splat(3);
  let c4 = f32x4.splat(4), c5 = f32x4.splat(5), c6 = f32x4.splat(6), c7 = f32x4.splat(7);
  let c8 = f32x4.splat(8), c9 = f32x4.splat(9), c10 = f32x4.splat(10), c11 = f32x4.splat(11);
  for (let i = 0; i < iters; i++) {
    c0 = fma(a, b, c0); c1 = fma(a, b, c1); c2 = fma(a, b, c2); c3 = fma(a, b, c3);
    c4 = fma(a, b, c4); c5 = fma(a, b, c5); c6 = fma(a, b, c6); c7 = fma(a, b, c7);
    c8 = fma(a, b, c8); c9 = fma(a, b, c9); c10 = fma(a, b, c10); c11 = fma(a, b, c11);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))), 0);
}

/** Same with 8 accumulators (the current 4×8 tile's count). */
export function peak8(iters: i32, x: f32): f32 {
  const a = f32x4.splat(x), b = f32x4.splat(0.999);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(1), c2 = f32x4.splat(2), c3 = f32x4.splat(3);
  let c4 = f32x4.splat(4), c5 = f32x4.splat(5), c6 = f32x4.splat(6), c7 = f32x4.splat(7);
  for (let i = 0; i < iters; i++) {
    c0 = fma(a, b, c0); c1 = fma(a, b, c1); c2 = fma(a, b, c2); c3 = fma(a, b, c3);
    c4 = fma(a, b, c4); c5 = fma(a, b, c5); c6 = fma(a, b, c6); c7 = fma(a, b, c7);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(s, 0);
}

/** 4×8-tile-shaped loop with loads from a tiny L1-resident buffer (ap, bp wrap every 64 steps). */
export function tile48(iters: i32, buf: usize): f32 {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let i = 0; i < iters; i++) {
    const o = <usize>(i & 63);
    const ap = buf + o * 16, bp = buf + 1024 + o * 32;
    const b0 = v128.load(bp), b1 = v128.load(bp + 16);
    let a = v128.load32_splat(ap);
    c00 = fma(a, b0, c00); c01 = fma(a, b1, c01);
    a = v128.load32_splat(ap + 4);
    c10 = fma(a, b0, c10); c11 = fma(a, b1, c11);
    a = v128.load32_splat(ap + 8);
    c20 = fma(a, b0, c20); c21 = fma(a, b1, c21);
    a = v128.load32_splat(ap + 12);
    c30 = fma(a, b0, c30); c31 = fma(a, b1, c31);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
  return f32x4.extract_lane(s, 0);
}

/** 6×8-tile-shaped loop: 12 accumulators, 2 B vectors, 1 broadcast. */
export function tile68(iters: i32, buf: usize): f32 {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0), c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let i = 0; i < iters; i++) {
    const o = <usize>(i & 63);
    const ap = buf + o * 24, bp = buf + 2048 + o * 32;
    const b0 = v128.load(bp), b1 = v128.load(bp + 16);
    let a = v128.load32_splat(ap);
    c00 = fma(a, b0, c00); c01 = fma(a, b1, c01);
    a = v128.load32_splat(ap + 4);
    c10 = fma(a, b0, c10); c11 = fma(a, b1, c11);
    a = v128.load32_splat(ap + 8);
    c20 = fma(a, b0, c20); c21 = fma(a, b1, c21);
    a = v128.load32_splat(ap + 12);
    c30 = fma(a, b0, c30); c31 = fma(a, b1, c31);
    a = v128.load32_splat(ap + 16);
    c40 = fma(a, b0, c40); c41 = fma(a, b1, c41);
    a = v128.load32_splat(ap + 20);
    c50 = fma(a, b0, c50); c51 = fma(a, b1, c51);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c40, c41), f32x4.add(c50, c51))), 0);
}
`;
const { default: asc } = await import('assemblyscript/asc');
async function build(features) {
  const dir = mkdtempSync(join(tmpdir(), 'simd-peak-')), out = join(dir, 'peak.wasm');
  writeFileSync(join(dir, 'peak.ts'), SOURCE);
  const { error } = await asc.main([join(dir, 'peak.ts'), '-O3', '--noAssert', '--runtime', 'stub', '--use', 'abort=',
    '--enable', features, '--initialMemory', '1', '--outFile', out], { stdout: { write: () => true } });
  if (error) throw error;
  return readFileSync(out);
}

function gflops(label, flopsPerIter, fn) {
  const iters = 20_000_000;
  fn(iters / 10);
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    fn(iters);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`  ${label.padEnd(40)} ${(flopsPerIter * iters / best / 1e9).toFixed(1).padStart(6)} GFLOP/s`);
}
for (const [label, features] of [['relaxed-SIMD FMA', 'simd,relaxed-simd'], ['SIMD128 mul+add', 'simd']]) {
  const bytes = await build(features);
  if (!WebAssembly.validate(bytes)) {
    console.log(`${label}: this runtime cannot run it`);
    continue;
  }
  const k = (await WebAssembly.instantiate(bytes, {})).instance.exports;
  console.log(`one thread, ${label}`);
  gflops('12 accumulators, registers only', 96, (n) => k.peak12(n, 1.0001));
  gflops('8 accumulators, registers only', 64, (n) => k.peak8(n, 1.0001));
  gflops('4×8 tile loop, L1 loads', 64, (n) => k.tile48(n, 0));
  gflops('6×8 tile loop, L1 loads', 96, (n) => k.tile68(n, 0));
}
