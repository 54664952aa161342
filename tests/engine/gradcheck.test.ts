// Finite-difference gradient checks in float64 on random small shapes, for every op: the analytic gradient
// of L = Σ y·r (r random) must match central differences of L.
import { describe, expect, it } from 'vitest';
import type { CpuBuffer } from '../../src/engine/cpu/buffer.ts';
import { ReferenceBackend } from '../../src/engine/cpu/reference.ts';
import { batchNorm } from '../../src/engine/ops/batchNorm.ts';
import { conv2d, convTranspose2d } from '../../src/engine/ops/conv.ts';
import { dropout } from '../../src/engine/ops/dropout.ts';
import { linear } from '../../src/engine/ops/linear.ts';
import { bceSum, bceWithLogitsSum, klNormalSum, mseSum } from '../../src/engine/ops/losses.ts';
import { axpby, mul, scale, sum, unaryOp } from '../../src/engine/ops/pointwise.ts';
import { maxPool2d, maxUnpool2d } from '../../src/engine/ops/pool.ts';
import { reparameterize } from '../../src/engine/ops/reparameterize.ts';
import { reshape, sliceColumns } from '../../src/engine/ops/shape.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Engine, type Tensor } from '../../src/engine/tensor.ts';

const backend = new ReferenceBackend('f64');
const e = new Engine(backend);
const values = (t: Tensor) => (t.buffer as CpuBuffer).data;

interface Case {
  name: string;
  /** Input shapes and how to fill them. */
  inputs: { shape: number[]; fill?: 'normal' | 'prob' | 'positive' }[];
  f: (xs: Tensor[]) => Tensor;
}

function makeInputs(c: Case, rng: Rng): Tensor[] {
  return c.inputs.map(({ shape, fill }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Array.from({ length: n }, () =>
      fill === 'prob' ? 0.05 + 0.9 * rng.uniform() : fill === 'positive' ? 0.5 + rng.uniform() : rng.normal());
    const t = e.fromArray(shape, data);
    t.requiresGrad = true;
    return t;
  });
}

/** Max relative error between analytic and central-difference gradients over every input element. */
function gradcheck(c: Case, seed = 1): number {
  return e.scope(() => {
    const rng = new Rng(seed);
    const xs = makeInputs(c, rng);
    const y0 = c.f(xs);
    const r = e.fromArray(y0.shape, Array.from({ length: y0.size }, () => rng.normal()));
    const objective = () => e.noGrad(() => {
      const y = c.f(xs);
      const v = values(y), rv = values(r);
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i] * rv[i];
      return s;
    });
    e.backward(sum(mul(y0, r)));
    const h = 1e-6;
    let worst = 0;
    for (const x of xs) {
      const data = values(x) as unknown as Float64Array, grad = values(x.grad!);
      for (let i = 0; i < data.length; i++) {
        const keep = data[i];
        data[i] = keep + h;
        const up = objective();
        data[i] = keep - h;
        const down = objective();
        data[i] = keep;
        const numeric = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - grad[i]) / Math.max(1, Math.abs(numeric)));
      }
    }
    return worst;
  });
}

const pair = (a: number, b: number): [number, number] => [a, b];
const cases: Case[] = [
  { name: 'linear', inputs: [{ shape: [3, 5] }, { shape: [4, 5] }, { shape: [4] }], f: ([x, w, b]) => linear(x, w, b) },
  { name: 'conv2d stride 2 pad 1', inputs: [{ shape: [2, 3, 7, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }], f: ([x, w, b]) => conv2d(x, w, b, { stride: pair(2, 2), padding: pair(1, 1) }) },
  { name: 'conv2d non-square, dilation 2', inputs: [{ shape: [1, 2, 8, 7] }, { shape: [3, 2, 3, 2] }, { shape: [3] }], f: ([x, w, b]) => conv2d(x, w, b, { stride: pair(1, 2), padding: pair(2, 0), dilation: pair(2, 1) }) },
  { name: 'conv_transpose2d stride 2 output_padding 1', inputs: [{ shape: [2, 3, 3, 4] }, { shape: [3, 2, 3, 3] }, { shape: [2] }], f: ([x, w, b]) => convTranspose2d(x, w, b, { stride: pair(2, 2), padding: pair(1, 1), outputPadding: pair(1, 1) }) },
  { name: 'conv_transpose2d dilation 2', inputs: [{ shape: [1, 2, 3, 3] }, { shape: [2, 3, 2, 3] }, { shape: [3] }], f: ([x, w, b]) => convTranspose2d(x, w, b, { dilation: pair(2, 2), padding: pair(1, 0) }) },
  ...(['relu', 'leaky_relu', 'sigmoid', 'tanh', 'elu', 'gelu', 'softplus', 'exp'] as const).map((k): Case => ({
    name: k, inputs: [{ shape: [3, 7] }], f: ([x]) => unaryOp(k, x, k === 'leaky_relu' ? 0.2 : k === 'elu' ? 1 : 0),
  })),
  { name: 'batchnorm2d training', inputs: [{ shape: [3, 2, 3, 3] }, { shape: [2] }, { shape: [2] }], f: ([x, g, b]) => batchNorm(x, bnState(g, b), true) },
  { name: 'batchnorm1d training', inputs: [{ shape: [5, 3] }, { shape: [3] }, { shape: [3] }], f: ([x, g, b]) => batchNorm(x, bnState(g, b), true) },
  { name: 'batchnorm2d eval', inputs: [{ shape: [2, 2, 3, 3] }, { shape: [2] }, { shape: [2] }], f: ([x, g, b]) => batchNorm(x, bnState(g, b), false) },
  { name: 'maxpool2d 3/2/1', inputs: [{ shape: [2, 2, 7, 7] }], f: ([x]) => maxPool2d(x, { kernel: pair(3, 3), stride: pair(2, 2), padding: pair(1, 1) }).y },
  { name: 'maxpool + maxunpool', inputs: [{ shape: [1, 2, 6, 6] }, { shape: [1, 2, 3, 3] }], f: ([x, v]) => maxUnpool2d(mul(maxPool2d(x, { kernel: pair(2, 2) }).y, v), maxPool2d(x, { kernel: pair(2, 2) }).indices, [6, 6]) },
  { name: 'bce_with_logits', inputs: [{ shape: [4, 6] }, { shape: [4, 6], fill: 'prob' }], f: ([x, t]) => bceWithLogitsSum(x, t) },
  { name: 'bce', inputs: [{ shape: [4, 6], fill: 'prob' }, { shape: [4, 6], fill: 'prob' }], f: ([p, t]) => bceSum(p, t) },
  { name: 'mse', inputs: [{ shape: [4, 6] }, { shape: [4, 6] }], f: ([x, t]) => mseSum(x, t) },
  { name: 'kl_normal', inputs: [{ shape: [4, 3] }, { shape: [4, 3] }], f: ([m, v]) => klNormalSum(m, v) },
  { name: 'reparameterize', inputs: [{ shape: [4, 3] }, { shape: [4, 3] }], f: ([m, v]) => reparameterize(m, v, e.fromArray([4, 3], new Rng(9).fillNormal(new Float32Array(12)))) },
  { name: 'dropout (fixed mask)', inputs: [{ shape: [4, 5] }], f: ([x]) => dropout(x, 0.3, new Rng(5), true) },
  { name: 'reshape + slice', inputs: [{ shape: [2, 3, 4] }], f: ([x]) => sliceColumns(reshape(x, [2, 12]), 3, 5) },
  { name: 'axpby + scale', inputs: [{ shape: [3, 3] }, { shape: [3, 3] }], f: ([a, b]) => scale(axpby(0.7, a, -1.3, b), 2.5) },
];

function bnState(gamma: Tensor, beta: Tensor) {
  const c = gamma.size;
  return { gamma, beta, runningMean: e.zeros([c]), runningVar: e.full([c], 1), eps: 1e-5, momentum: 0.1 };
}

describe('finite-difference gradient checks (float64)', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(gradcheck(c)).toBeLessThan(1e-6);
    });
  }

  it('catches a wrong gradient (the check can fail)', () => {
    const broken: Case = {
      name: 'broken', inputs: [{ shape: [3, 4] }],
      f: ([x]) => {
        const y = e.empty(x.shape);
        e.k.unary('tanh', 0, x.buffer, y.buffer);
        // wrong on purpose: claims d tanh = 1
        return e.record(y, 'broken', [x], (g) => { const d = e.empty(x.shape); e.k.axpby(1, g.buffer, 0, g.buffer, d.buffer); return [d]; });
      },
    };
    expect(gradcheck(broken)).toBeGreaterThan(1e-2);
  });
});
