// Every fast kernel against the reference kernel, on random shapes (odd sizes, all GEMM transpose
// variants), in each mode: relaxed-SIMD and SIMD128 WebAssembly on two threads, and the JS fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinaryKind, ConvGeometry, Kernels, PoolGeometry, UnaryKind } from '../../src/engine/backend.ts';
import type { CpuBackend } from '../../src/engine/cpu/backend-cpu.ts';
import type { CpuBuffer } from '../../src/engine/cpu/buffer.ts';
import { bufferFrom, cpuBackend, MODES, randomValues, reference, worstError } from './helpers.ts';

const ref = reference.kernels;

/** Runs `call` on both backends with the same inputs; outputs compared within tolerance. */
function compare(
  b: CpuBackend, inputs: (Float32Array | Int32Array)[], outputs: { length: number; dtype?: 'f32' | 'i32'; init?: Float32Array }[],
  call: (k: Kernels<CpuBuffer>, ins: CpuBuffer[], outs: CpuBuffer[]) => void, rtol = 1e-5, atol = 1e-6, label = '',
): void {
  const run = (backend: typeof reference | CpuBackend) => {
    const ins = inputs.map((d) => bufferFrom(backend, d));
    const outs = outputs.map((o) => bufferFrom(backend, o.init ?? (o.dtype === 'i32' ? new Int32Array(o.length) : new Float32Array(o.length).fill(NaN))));
    call(backend.kernels, ins, outs);
    const values = outs.map((o) => o.data.slice());
    [...ins, ...outs].forEach((x) => backend.release(x));
    return values;
  };
  const expected = run(reference), actual = run(b);
  expected.forEach((e, i) => expect(worstError(actual[i], e, rtol, atol), `${label} output ${i}`).toBeLessThanOrEqual(1));
}

// Relaxed builds tile C in 6×8 (4×8 for a ≤4-row last strip), SIMD128 builds in 4×8: the shapes cover
// every last-strip height (1..5 rows, e.g. 17 = 2·6 + 5, 8 = 6 + 2), ragged columns, B read in place
// (no transB, 32 ≤ K block ≤ 256, few rows or narrow B) and packed (also many rows of wide B), M past one
// 132-row block, N past one 512-column block, and C split between two threads.
const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [4, 8, 16], [13, 17, 19], [33, 9, 300], [64, 130, 70], [129, 47, 5], [7, 600, 33], [300, 260, 257], [2, 3, 0],
  [17, 40, 45], [8, 16, 9], [140, 24, 260], [11, 1000, 64], [100, 520, 40],
];
const UNARY: UnaryKind[] = ['relu', 'leaky_relu', 'sigmoid', 'tanh', 'elu', 'gelu', 'softplus', 'exp', 'neg'];
const BINARY: BinaryKind[] = ['add', 'sub', 'mul', 'bce_logits', 'bce', 'sq_diff', 'kl_normal'];

for (const mode of MODES) {
  describe(`cpu kernels (${mode}) match the reference`, () => {
    let b: CpuBackend;
    beforeAll(async () => {
      b = await cpuBackend(mode);
      expect(b.mode).toBe(mode);
    });
    afterAll(() => b.dispose());

    it('gemm: every transpose variant, odd shapes, alpha and beta', () => {
      let seed = 1;
      for (const [m, n, k] of GEMM_SHAPES) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            for (const [alpha, beta] of [[1, 0], [0.5, 1], [-2, 0.25]]) {
              const p = { m, n, k, transA, transB, alpha, beta };
              compare(b, [randomValues(m * k, seed++), randomValues(k * n, seed++)], [{ length: m * n, init: randomValues(m * n, seed++) }],
                // float32 sums of k products of values in [-1, 1]: rounding grows like √k near zero results.
                (kk, [a, bb], [c]) => kk.gemm(p, a, bb, c), 1e-4, 2e-6 * Math.sqrt(k + 1) * Math.max(1, Math.abs(alpha)));
            }
          }
        }
      }
    });

    it('im2col and col2im on assorted geometries', () => {
      const cases: Partial<ConvGeometry>[] = [
        { n: 2, c: 3, h: 9, w: 7, kh: 4, kw: 4, strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 1, dilationW: 1 },
        { n: 3, c: 1, h: 28, w: 28, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 },
        { n: 1, c: 4, h: 11, w: 13, kh: 3, kw: 2, strideH: 2, strideW: 3, padH: 0, padW: 2, dilationH: 2, dilationW: 1 },
        { n: 5, c: 16, h: 14, w: 14, kh: 4, kw: 4, strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 1, dilationW: 1 },
        // Planes too big for the per-thread scratch take the buffered path.
        { n: 1, c: 2, h: 131, w: 128, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1 },
        { n: 2, c: 3, h: 5, w: 3, kh: 2, kw: 2, strideH: 1, strideW: 2, padH: 0, padW: 1, dilationH: 1, dilationW: 1 },
      ];
      for (const partial of cases) {
        const g = partial as ConvGeometry;
        g.oh = Math.floor((g.h + 2 * g.padH - g.dilationH * (g.kh - 1) - 1) / g.strideH) + 1;
        g.ow = Math.floor((g.w + 2 * g.padW - g.dilationW * (g.kw - 1) - 1) / g.strideW) + 1;
        const xLen = g.n * g.c * g.h * g.w, colLen = g.c * g.kh * g.kw * g.n * g.oh * g.ow;
        compare(b, [randomValues(xLen, 7)], [{ length: colLen }], (k, [x], [col]) => k.im2col(g, x, col), 0, 0);
        compare(b, [randomValues(colLen, 8)], [{ length: xLen }], (k, [col], [x]) => k.col2im(g, col, x), 1e-5, 1e-6);
      }
    });

    it('elementwise, unary and binary (forward and backward)', () => {
      for (const len of [1, 7, 1000, 40_001]) {
        // Mostly [-4, 4], with some large magnitudes where exp under- and overflows.
        const x = randomValues(len, len).map((v, i) => (i % 13 === 7 ? v * 120 : v * 4));
        const probs = randomValues(len, len + 1).map((v) => 0.05 + 0.45 * (v + 1));
        const t = randomValues(len, len + 2).map((v) => (v + 1) / 2);
        const dy = randomValues(len, len + 3);
        for (const kind of UNARY) {
          const param = kind === 'leaky_relu' ? 0.2 : kind === 'elu' ? 1 : 0;
          compare(b, [x], [{ length: len }], (k, [xs], [y]) => k.unary(kind, param, xs, y));
          const y = new Float32Array(len);
          const yr = bufferFrom(reference, y);
          reference.kernels.unary(kind, param, bufferFrom(reference, x), yr);
          compare(b, [x, yr.data as Float32Array, dy], [{ length: len }], (k, [xs, ys, g], [dx]) => k.unaryBackward(kind, param, xs, ys, g, dx));
        }
        for (const kind of BINARY) {
          const a = kind === 'bce' ? probs : x;
          compare(b, [a, t], [{ length: len }], (k, [as, bs], [o]) => k.binary(kind, as, bs, o));
          compare(b, [a, t, dy], [{ length: len }, { length: len }], (k, [as, bs, g], [da, db]) => k.binaryBackward(kind, as, bs, g, false, da, db), 1e-5, 1e-6, `${kind} backward, ${len}`);
          compare(b, [a, t, new Float32Array([0.37])], [{ length: len }], (k, [as, bs, g], [da]) => k.binaryBackward(kind, as, bs, g, true, da, null), 1e-5, 1e-6, `${kind} backward scalar, ${len}`);
        }
        compare(b, [x, dy], [{ length: len }], (k, [xs, ys], [o]) => k.axpby(0.3, xs, -1.7, ys, o));
        compare(b, [x, dy], [], (k, [xs, ys]) => k.axpby(1, xs, 1, ys, ys));
        compare(b, [], [{ length: len }], (k, _, [o]) => k.fill(o, 0.1));
        compare(b, [], [{ length: len, dtype: 'i32' }], (k, _, [o]) => k.fill(o, -3));
        compare(b, [new Float32Array([2.5])], [{ length: len }], (k, [s], [o]) => k.broadcastScalar(s, -0.5, o));
        compare(b, [x], [{ length: 1 }], (k, [xs], [o]) => k.sumAll(xs, o), 1e-6, 1e-6);
      }
    });

    it('copyStrided, transpose021, biasAdd, channelSum', () => {
      compare(b, [randomValues(50 * 37, 3)], [{ length: 50 * 20, init: randomValues(50 * 20, 4) }], (k, [s], [d]) => k.copyStrided(s, 5, 37, d, 3, 20, 50, 17), 0, 0);
      compare(b, [randomValues(100_003, 5)], [{ length: 100_003 }], (k, [s], [d]) => k.copyStrided(s, 0, 0, d, 0, 0, 1, 100_003), 0, 0);
      for (const [a, bb, c] of [[3, 5, 7], [64, 128, 49], [1, 9, 1], [128, 32, 196]]) {
        compare(b, [randomValues(a * bb * c, a)], [{ length: a * bb * c }], (k, [x], [o]) => k.transpose021(x, o, a, bb, c), 0, 0);
      }
      for (const [n, c, s] of [[2, 3, 5], [128, 400, 1], [64, 32, 49], [3, 10_000, 1], [7, 5, 333]]) {
        const x = randomValues(n * c * s, n + c), bias = randomValues(c, s);
        compare(b, [x, bias], [{ length: n * c * s }], (k, [xs, bs], [y]) => k.biasAdd(xs, bs, y, n, c, s), 1e-6, 1e-7);
        compare(b, [x, bias], [], (k, [xs, bs]) => k.biasAdd(xs, bs, xs, n, c, s), 1e-6, 1e-7);
        compare(b, [x], [{ length: c }], (k, [xs], [o]) => k.channelSum(xs, o, n, c, s, false), 1e-5, 1e-5);
        compare(b, [x], [{ length: c, init: randomValues(c, 9) }], (k, [xs], [o]) => k.channelSum(xs, o, n, c, s, true), 1e-5, 1e-5);
      }
    });

    it('batch norm statistics, apply and backward (training and eval)', () => {
      for (const [n, c, s] of [[4, 3, 25], [128, 16, 784], [6, 5, 1], [3, 7, 13]]) {
        const x = randomValues(n * c * s, c).map((v) => v * 3 + 1), dy = randomValues(n * c * s, s);
        const gamma = randomValues(c, 11), beta = randomValues(c, 12);
        compare(b, [x], [{ length: c }, { length: c }], (k, [xs], [m, v]) => k.bnStats(xs, m, v, n, c, s), 1e-5, 1e-6);
        const mean = new Float32Array(c), variance = new Float32Array(c);
        const [mr, vr] = [bufferFrom(reference, mean), bufferFrom(reference, variance)];
        reference.kernels.bnStats(bufferFrom(reference, x), mr, vr, n, c, s);
        compare(b, [x, mr.data as Float32Array, vr.data as Float32Array, gamma, beta], [{ length: n * c * s }],
          (k, [xs, m, v, g, bt], [y]) => k.bnApply(xs, m, v, g, bt, y, n, c, s, 1e-5), 1e-4, 1e-5);
        for (const training of [true, false]) {
          compare(b, [x, dy, mr.data as Float32Array, vr.data as Float32Array, gamma],
            [{ length: n * c * s }, { length: c, init: randomValues(c, 1) }, { length: c, init: randomValues(c, 2) }],
            (k, [xs, g, m, v, gm], [dx, dg, db]) => k.bnBackward(xs, g, m, v, gm, dx, dg, db, n, c, s, 1e-5, training), 1e-4, 1e-4);
        }
      }
    });

    it('max pool family', () => {
      const cases: PoolGeometry[] = [
        { planes: 6, h: 6, w: 6, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, oh: 3, ow: 3 },
        { planes: 2, h: 7, w: 7, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, oh: 4, ow: 4 },
        { planes: 512, h: 28, w: 28, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, oh: 14, ow: 14 },
      ];
      for (const g of cases) {
        const inLen = g.planes * g.h * g.w, outLen = g.planes * g.oh * g.ow;
        // Rounded values give ties, which must resolve to the first maximum as in the reference; NaN wins.
        const x = randomValues(inLen, g.h).map((v, i) => (i % 97 === 5 ? NaN : Math.round(v * 4)));
        compare(b, [x], [{ length: outLen }, { length: outLen, dtype: 'i32' }], (k, [xs], [y, idx]) => k.maxPool(g, xs, y, idx), 0, 0);
        const y = reference.alloc(outLen), idx = reference.alloc(outLen, 'i32');
        reference.kernels.maxPool(g, bufferFrom(reference, x), y, idx);
        const indices = idx.data as Int32Array, dy = randomValues(outLen, 5);
        compare(b, [dy, indices], [{ length: inLen }], (k, [g2, ii], [dx]) => k.maxPoolBackward(g, g2, ii, dx), 1e-6, 1e-7);
        const inSize = g.oh * g.ow, outSize = g.h * g.w;
        compare(b, [dy, indices], [{ length: inLen }], (k, [xs, ii], [o]) => k.maxUnpool(xs, ii, o, g.planes, inSize, outSize), 0, 0);
        compare(b, [randomValues(inLen, 6), indices], [{ length: outLen }], (k, [d, ii], [o]) => k.maxUnpoolBackward(d, ii, o, g.planes, inSize, outSize), 0, 0);
      }
    });

    it('adam and sgd steps', () => {
      for (const len of [6, 1001, 70_000]) {
        for (const weightDecay of [0, 0.01]) {
          const p = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step: 3 };
          const m0 = randomValues(len, 3).map((v) => v * 0.1), v0 = randomValues(len, 4).map((v) => v * v * 0.01);
          compare(b, [randomValues(len, 1), randomValues(len, 2)], [{ length: len, init: m0 }, { length: len, init: v0 }],
            (k, [param, grad], [m, v]) => k.adamStep(p, param, grad, m, v), 1e-6, 1e-7);
          const adamParam = (k: Kernels<CpuBuffer>, backend: typeof reference | CpuBackend) => {
            const param = bufferFrom(backend, randomValues(len, 1)), m = bufferFrom(backend, m0), v = bufferFrom(backend, v0);
            k.adamStep(p, param, bufferFrom(backend, randomValues(len, 2)), m, v);
            return param.data.slice();
          };
          expect(worstError(adamParam(b.kernels, b), adamParam(ref, reference), 1e-6, 1e-7)).toBeLessThanOrEqual(1);
          for (const o of [{ momentum: 0.9, nesterov: true, firstStep: false }, { momentum: 0, nesterov: false, firstStep: true }]) {
            const sp = { lr: 0.01, dampening: 0.1, weightDecay, ...o };
            compare(b, [randomValues(len, 2)], [{ length: len, init: randomValues(len, 1) }, { length: len, init: m0 }],
              (k, [grad], [param, mom]) => k.sgdStep(sp, param, grad, mom), 1e-6, 1e-7);
          }
        }
      }
    });
  });
}
