// Every WebGPU kernel against the reference kernel (the spec) on random, odd-sized inputs: all GEMM transpose
// variants on both the scalar and the vec4 path and through split-K, the in-place (aliased) calls, absent
// optional outputs, reductions long enough to take two passes. Runs on Dawn (SwiftShader here and in CI).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceBuffer, Kernels, PoolGeometry, ConvGeometry, UnaryKind, BinaryKind } from '../../src/engine/backend.ts';
import { makeCpuBuffer, type CpuBuffer } from '../../src/engine/cpu/buffer.ts';
import { referenceKernels } from '../../src/engine/cpu/reference.ts';
import type { WebGpuBackend } from '../../src/engine/webgpu/backend.ts';
import type { GpuBuffer } from '../../src/engine/webgpu/buffer.ts';
import { splitKFor } from '../../src/engine/webgpu/kernels/gemm.ts';
import { gpuUnavailable, openBackend } from './gpu.ts';

let gpu: WebGpuBackend | null = null;
beforeAll(async () => {
  gpu = await openBackend();
});
afterAll(() => gpu?.dispose());

type Data = Float32Array | Int32Array;
type Bufs = Record<string, DeviceBuffer>;

let seed = 1;
function rand(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
}
const randn = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
const randInts = (n: number, hi: number) => Float32Array.from({ length: n }, () => Math.floor(rand() * hi));

/**
 * Runs `call` on the reference kernels and on WebGPU over copies of the same buffers, then compares the
 * named buffers (indices exactly).
 */
async function check(data: Record<string, Data>, call: (k: Kernels<DeviceBuffer>, b: Bufs) => void, compare: string[], rtol = 1e-5, atol = 1e-6): Promise<void> {
  const g = gpu!;
  const ref: Record<string, CpuBuffer> = {};
  const dev: Record<string, GpuBuffer> = {};
  for (const [name, d] of Object.entries(data)) {
    ref[name] = makeCpuBuffer(d.slice());
    dev[name] = g.alloc(d.length, d instanceof Int32Array ? 'i32' : 'f32');
    g.write(dev[name], d);
  }
  call(referenceKernels as Kernels<DeviceBuffer>, ref);
  call(g.kernels as unknown as Kernels<DeviceBuffer>, dev);
  try {
    for (const name of compare) {
      const got = await g.read(dev[name]);
      const want = ref[name].data;
      expect(got.constructor, name).toBe(want.constructor);
      expect(got.length, name).toBe(want.length);
      const exact = want instanceof Int32Array || (rtol === 0 && atol === 0);
      let worst = 0, at = -1;
      for (let i = 0; i < want.length; i++) {
        const err = Math.abs(got[i] - want[i]);
        const ratio = exact ? (err === 0 ? 0 : Infinity) : err / (atol + rtol * Math.abs(want[i]));
        if (!(ratio <= worst)) { worst = ratio; at = i; }
      }
      if (worst > 1 || Number.isNaN(worst)) {
        expect.fail(`${name}[${at}]: got ${got[at]}, expected ${want[at]} (${worst.toFixed(1)}× the tolerance)`);
      }
    }
  } finally {
    for (const b of new Set(Object.values(dev))) g.release(b);
  }
}

describe('WebGPU kernels vs the reference', () => {
  it('has an adapter (else says why)', () => {
    if (!gpu) console.warn(`skipping WebGPU kernel tests: ${gpuUnavailable()}`);
    expect(gpu !== null || gpuUnavailable() !== '').toBe(true);
  });

  const run = (name: string, fn: () => Promise<void>) => it(name, async (ctx) => {
    if (!gpu) return ctx.skip();
    await fn();
  });

  run('fill (f32 and i32)', async () => {
    await check({ a: randn(1001), b: new Int32Array(77).fill(9) }, (k, b) => { k.fill(b.a, -2.5); k.fill(b.b, -7); }, ['a', 'b']);
  });

  run('axpby: distinct, out = x, out = y, x = y, all one buffer', async () => {
    const n = 517;
    await check({ x: randn(n), y: randn(n), o: randn(n) }, (k, b) => k.axpby(0.7, b.x, -1.3, b.y, b.o), ['o']);
    await check({ x: randn(n), y: randn(n) }, (k, b) => k.axpby(0.7, b.x, -1.3, b.y, b.x), ['x']);
    await check({ x: randn(n), y: randn(n) }, (k, b) => k.axpby(0.7, b.x, -1.3, b.y, b.y), ['y']);
    await check({ x: randn(n), o: randn(n) }, (k, b) => k.axpby(0.5, b.x, 0, b.x, b.o), ['o']);
    await check({ x: randn(n) }, (k, b) => k.axpby(0.5, b.x, 0.25, b.x, b.x), ['x']);
  });

  run('broadcastScalar', async () => {
    await check({ s: randn(1), o: randn(300) }, (k, b) => k.broadcastScalar(b.s, -3, b.o), ['o']);
  });

  run('copyStrided (offsets, strides, i32, a stride-0 reshape)', async () => {
    await check({ s: randn(7 * 13), o: randn(7 * 9) }, (k, b) => k.copyStrided(b.s, 3, 13, b.o, 2, 9, 7, 6), ['o']);
    await check({ s: randn(50), o: randn(50) }, (k, b) => k.copyStrided(b.s, 0, 0, b.o, 0, 0, 1, 50), ['o']);
    await check({ s: Int32Array.from({ length: 40 }, (_, i) => i * 3 - 7), o: new Int32Array(40) }, (k, b) => k.copyStrided(b.s, 0, 8, b.o, 0, 8, 5, 8), ['o']);
  });

  run('transpose021', async () => {
    await check({ x: randn(3 * 5 * 7), o: randn(3 * 5 * 7) }, (k, b) => k.transpose021(b.x, b.o, 3, 5, 7), ['o']);
    await check({ x: randn(17 * 2), o: randn(17 * 2) }, (k, b) => k.transpose021(b.x, b.o, 17, 2, 1), ['o']);
  });

  const shapes: [number, number, number][] = [
    [37, 29, 45], // odd: scalar path, partial tiles
    [64, 68, 40], // multiples of 4: vec4 path
    [20, 36, 12], // vec4 with partial tiles and K < 16
    [3, 5, 1], // K = 1
    [5, 7, 2100], // split-K, scalar
    [8, 12, 2304], // split-K, vec4
  ];
  for (const [m, n, kk] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const tag = `${m}×${kk}·${kk}×${n}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''}${splitKFor(m, n, kk) > 1 ? ' split-K' : ''}`;
        run(`gemm ${tag}`, async () => {
          const a = randn(m * kk), bm = randn(kk * n);
          const tol = 2e-5 * Math.sqrt(kk);
          await check({ a, b: bm, c: randn(m * n) }, (k, b) => k.gemm({ m, n, k: kk, transA, transB, alpha: 1, beta: 0 }, b.a, b.b, b.c), ['c'], tol, tol);
          await check({ a, b: bm, c: randn(m * n) }, (k, b) => k.gemm({ m, n, k: kk, transA, transB, alpha: 0.5, beta: 1 }, b.a, b.b, b.c), ['c'], tol, tol);
        });
      }
    }
  }

  run('gemm with beta 0 overwrites a NaN C', async () => {
    await check({ a: randn(12), b: randn(12), c: new Float32Array(9).fill(NaN) }, (k, b) => k.gemm({ m: 3, n: 3, k: 4, transA: false, transB: false, alpha: 1, beta: 0 }, b.a, b.b, b.c), ['c'], 1e-5, 1e-5);
  });

  const conv = (n: number, c: number, h: number, w: number, kh: number, kw: number, s: number, p: number, dil: number): ConvGeometry => {
    const oh = Math.floor((h + 2 * p - dil * (kh - 1) - 1) / s) + 1, ow = Math.floor((w + 2 * p - dil * (kw - 1) - 1) / s) + 1;
    return { n, c, h, w, kh, kw, strideH: s, strideW: s, padH: p, padW: p, dilationH: dil, dilationW: dil, oh, ow };
  };
  for (const g of [conv(2, 3, 7, 6, 3, 3, 2, 1, 1), conv(1, 2, 9, 9, 4, 4, 2, 1, 1), conv(2, 1, 8, 7, 3, 2, 1, 2, 2), conv(3, 2, 5, 5, 1, 1, 1, 0, 1)]) {
    const tag = `${g.n}×${g.c}×${g.h}×${g.w} k${g.kh}×${g.kw} s${g.strideH} p${g.padH} d${g.dilationH}`;
    const x = g.n * g.c * g.h * g.w, col = g.c * g.kh * g.kw * g.n * g.oh * g.ow;
    run(`im2col ${tag}`, async () => {
      await check({ x: randn(x), col: randn(col) }, (k, b) => k.im2col(g, b.x, b.col), ['col'], 0, 0);
    });
    run(`col2im ${tag} (exact: same summation order)`, async () => {
      await check({ col: randn(col), x: randn(x) }, (k, b) => k.col2im(g, b.col, b.x), ['x'], 0, 0);
    });
  }

  const unaryKinds: [UnaryKind, number][] = [['relu', 0], ['leaky_relu', 0.2], ['sigmoid', 0], ['tanh', 0], ['elu', 1.3], ['gelu', 0], ['softplus', 0], ['exp', 0], ['neg', 0]];
  for (const [kind, param] of unaryKinds) {
    run(`unary and unaryBackward ${kind}`, async () => {
      const x = randn(999, 8);
      x.set([0, -0, 25, -25, 1e-7, -1e-7, 20.5, 19.5, 4.2, -4.2, 0.4, -0.6]);
      const y = new Float32Array(x.length), dy = randn(x.length);
      referenceKernels.unary(kind, param, makeCpuBuffer(x), makeCpuBuffer(y));
      await check({ x, y: randn(x.length) }, (k, b) => k.unary(kind, param, b.x, b.y), ['y'], 2e-6, 1e-6);
      await check({ x, y, dy, dx: randn(x.length) }, (k, b) => k.unaryBackward(kind, param, b.x, b.y, b.dy, b.dx), ['dx'], 2e-6, 1e-6);
    });
  }

  const binaryKinds: BinaryKind[] = ['add', 'sub', 'mul', 'bce_logits', 'bce', 'sq_diff', 'kl_normal'];
  for (const kind of binaryKinds) {
    run(`binary and binaryBackward ${kind}`, async () => {
      const n = 601;
      const probs = kind === 'bce';
      const a = probs ? Float32Array.from({ length: n }, () => rand()) : randn(n, 6);
      const b = probs || kind === 'bce_logits' ? Float32Array.from({ length: n }, () => rand()) : randn(n, 3);
      if (probs) a.set([0, 1, 1e-30, 0.5]);
      await check({ a, b, o: randn(n) }, (k, bb) => k.binary(kind, bb.a, bb.b, bb.o), ['o'], 2e-6, 2e-6);
      await check({ a, b, dy: randn(n), da: randn(n), db: randn(n) }, (k, bb) => k.binaryBackward(kind, bb.a, bb.b, bb.dy, false, bb.da, bb.db), ['da', 'db'], 2e-6, 2e-6);
      await check({ a, b, dy: randn(1), da: randn(n) }, (k, bb) => k.binaryBackward(kind, bb.a, bb.b, bb.dy, true, bb.da, null), ['da'], 2e-6, 2e-6);
      await check({ a, b, dy: randn(n), db: randn(n) }, (k, bb) => k.binaryBackward(kind, bb.a, bb.b, bb.dy, false, null, bb.db), ['db'], 2e-6, 2e-6);
    });
  }

  run('biasAdd, distinct and in place', async () => {
    await check({ x: randn(2 * 5 * 9), bias: randn(5), y: randn(90) }, (k, b) => k.biasAdd(b.x, b.bias, b.y, 2, 5, 9), ['y'], 0, 0);
    await check({ x: randn(7 * 3), bias: randn(3) }, (k, b) => k.biasAdd(b.x, b.bias, b.x, 7, 3, 1), ['x'], 0, 0);
  });

  run('channelSum (short and chunked channels, accumulate)', async () => {
    await check({ x: randn(4 * 3 * 5), o: randn(3) }, (k, b) => k.channelSum(b.x, b.o, 4, 3, 5, false), ['o'], 1e-5, 1e-5);
    await check({ x: randn(4 * 3 * 5), o: randn(3) }, (k, b) => k.channelSum(b.x, b.o, 4, 3, 5, true), ['o'], 1e-5, 1e-5);
    await check({ x: randn(9 * 300), o: randn(300) }, (k, b) => k.channelSum(b.x, b.o, 9, 300, 1, true), ['o'], 1e-5, 1e-5); // serial path
    await check({ x: randn(3 * 2 * 7001), o: randn(2) }, (k, b) => k.channelSum(b.x, b.o, 3, 2, 7001, true), ['o'], 1e-4, 1e-3);
  });

  run('sumAll (one workgroup and two passes)', async () => {
    await check({ x: randn(1000), o: randn(1) }, (k, b) => k.sumAll(b.x, b.o), ['o'], 1e-5, 1e-5);
    await check({ x: randn(40_001), o: randn(1) }, (k, b) => k.sumAll(b.x, b.o), ['o'], 1e-4, 1e-3);
  });

  run('bnStats, bnApply (short and chunked channels)', async () => {
    for (const [n, c, s] of [[5, 3, 7], [2, 2, 9000]]) {
      const x = randn(n * c * s, 3).map((v, i) => v + (Math.floor(i / s) % c));
      await check({ x, m: randn(c), v: randn(c) }, (k, b) => k.bnStats(b.x, b.m, b.v, n, c, s), ['m', 'v'], 1e-4, 1e-5);
      const mean = randn(c), variance = randn(c).map(Math.abs);
      await check({ x, mean, variance, g: randn(c), be: randn(c), y: randn(x.length) }, (k, b) => k.bnApply(b.x, b.mean, b.variance, b.g, b.be, b.y, n, c, s, 1e-5), ['y'], 1e-5, 1e-5);
    }
  });

  run('bnBackward: training and eval, absent outputs, chunked channels', async () => {
    for (const [n, c, s] of [[4, 3, 5], [2, 2, 9000]]) {
      const len = n * c * s;
      const x = randn(len), dy = randn(len), mean = randn(c, 0.1), variance = randn(c).map((v) => 0.5 + Math.abs(v)), gamma = randn(c);
      for (const training of [true, false]) {
        await check({ x, dy, mean, variance, gamma, dx: randn(len), dg: randn(c), db: randn(c) },
          (k, b) => k.bnBackward(b.x, b.dy, b.mean, b.variance, b.gamma, b.dx, b.dg, b.db, n, c, s, 1e-5, training), ['dx', 'dg', 'db'], 1e-4, 1e-4);
      }
      await check({ x, dy, mean, variance, gamma, dg: randn(c) },
        (k, b) => k.bnBackward(b.x, b.dy, b.mean, b.variance, b.gamma, null, b.dg, null, n, c, s, 1e-5, true), ['dg'], 1e-4, 1e-4);
      await check({ x, dy, mean, variance, gamma, dx: randn(len) },
        (k, b) => k.bnBackward(b.x, b.dy, b.mean, b.variance, b.gamma, b.dx, null, null, n, c, s, 1e-5, true), ['dx'], 1e-4, 1e-4);
    }
  });

  const pool = (planes: number, h: number, w: number, kh: number, s: number, p: number): PoolGeometry => {
    const oh = Math.floor((h + 2 * p - kh) / s) + 1, ow = Math.floor((w + 2 * p - kh) / s) + 1;
    return { planes, h, w, kh, kw: kh, strideH: s, strideW: s, padH: p, padW: p, oh, ow };
  };
  for (const g of [pool(3, 7, 9, 2, 2, 0), pool(2, 7, 6, 3, 2, 1), pool(2, 5, 5, 3, 1, 1)]) {
    const tag = `${g.planes}×${g.h}×${g.w} k${g.kh} s${g.strideH} p${g.padH}`;
    run(`maxPool, maxPoolBackward, maxUnpool, maxUnpoolBackward ${tag} (with ties, overlapping windows)`, async () => {
      const inSize = g.h * g.w, outSize = g.oh * g.ow;
      const x = randInts(g.planes * inSize, 4); // small integers: many ties
      const outLen = g.planes * outSize;
      await check({ x, y: randn(outLen), idx: new Int32Array(outLen) }, (k, b) => k.maxPool(g, b.x, b.y, b.idx), ['y', 'idx'], 0, 0);
      const y = new Float32Array(outLen), idx = new Int32Array(outLen);
      referenceKernels.maxPool(g, makeCpuBuffer(x), makeCpuBuffer(y), makeCpuBuffer(idx));
      await check({ dy: randn(outLen), idx, dx: randn(x.length) }, (k, b) => k.maxPoolBackward(g, b.dy, b.idx, b.dx), ['dx'], 0, 0);
      // Unpool the pooled map back to the input size: overlapping windows give duplicate indices.
      await check({ v: randn(outLen), idx, u: randn(x.length) }, (k, b) => k.maxUnpool(b.v, b.idx, b.u, g.planes, outSize, inSize), ['u'], 0, 0);
      await check({ du: randn(x.length), idx, dv: randn(outLen) }, (k, b) => k.maxUnpoolBackward(b.du, b.idx, b.dv, g.planes, outSize, inSize), ['dv'], 0, 0);
    });
  }

  run('adamStep (weight decay, several steps)', async () => {
    const n = 333;
    await check({ p: randn(n), g1: randn(n), g2: randn(n), m: new Float32Array(n), v: new Float32Array(n) }, (k, b) => {
      k.adamStep({ lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1 }, b.p, b.g1, b.m, b.v);
      k.adamStep({ lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 2 }, b.p, b.g2, b.m, b.v);
    }, ['p', 'm', 'v'], 1e-5, 1e-6);
  });

  run('sgdStep (momentum, dampening, nesterov, first step)', async () => {
    const n = 257;
    for (const nesterov of [false, true]) {
      await check({ p: randn(n), g: randn(n), buf: randn(n) }, (k, b) => {
        k.sgdStep({ lr: 0.1, momentum: 0.9, dampening: nesterov ? 0 : 0.1, weightDecay: 1e-3, nesterov, firstStep: true }, b.p, b.g, b.buf);
        k.sgdStep({ lr: 0.1, momentum: 0.9, dampening: nesterov ? 0 : 0.1, weightDecay: 1e-3, nesterov, firstStep: false }, b.p, b.g, b.buf);
      }, ['p', 'buf'], 1e-5, 1e-6);
    }
    await check({ p: randn(n), g: randn(n), buf: randn(n) }, (k, b) => k.sgdStep({ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, firstStep: true }, b.p, b.g, b.buf), ['p', 'buf'], 1e-6, 1e-7);
  });

  run('a grid past 65535 workgroups folds into 2-D', async () => {
    const n = 65535 * 256 + 1000;
    await check({ x: new Float32Array(n), y: new Float32Array(n) }, (k, b) => { k.fill(b.x, 1.5); k.axpby(2, b.x, 0, b.x, b.y); }, ['y'], 0, 0);
  });
});
