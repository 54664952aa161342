// Same seed, same inputs -> bitwise the same results run after run with several threads: chunks are fixed
// per call and each writes a disjoint part of the output, reductions add per-chunk partials in order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CpuBackend } from '../../src/engine/cpu/backend-cpu.ts';
import { Adam } from '../../src/engine/optim.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { Model } from '../../src/experiments/model.ts';
import { SHARED_PRESETS } from '../paths.ts';
import { cpuBackend, randomValues } from './helpers.ts';

async function trainLosses(b: CpuBackend, preset: string, steps: number): Promise<{ losses: number[]; params: Float32Array[] }> {
  const e = new Engine(b);
  const spec = JSON.parse(readFileSync(join(SHARED_PRESETS, `${preset}.json`), 'utf8'));
  const model = new Model(e, spec, new Rng(7));
  const opt = new Adam(e, model.parameters(), { lr: 1e-3 });
  const rng = new Rng(11);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const x = randomValues(32 * 784, 100 + s).map((v) => (v + 1) / 2);
    losses.push(await e.scopeAsync(async () => {
      const r = model.loss(e.fromArray([32, 1, 28, 28], x), { training: true, rng });
      opt.zeroGrad();
      e.backward(r.loss);
      opt.step();
      return r.loss.item();
    }));
  }
  const params = await Promise.all(model.parameters().map((p) => p.read()));
  opt.zeroGrad();
  model.dispose();
  return { losses, params };
}

describe('determinism with several threads', () => {
  let b: CpuBackend;
  beforeAll(async () => {
    b = await cpuBackend('relaxed', 2);
  });
  afterAll(() => b.dispose());

  it('runs on more than one thread', () => expect(b.threads).toBeGreaterThan(1));

  it('a large GEMM, twice, is bitwise identical', () => {
    const m = 257, n = 1031, k = 600;
    const a = b.alloc(m * k), bb = b.alloc(k * n), c1 = b.alloc(m * n), c2 = b.alloc(m * n);
    b.write(a, randomValues(m * k, 1));
    b.write(bb, randomValues(k * n, 2));
    for (const [transA, transB] of [[false, false], [true, false], [false, true]]) {
      const p = { m, n, k, transA, transB, alpha: 1, beta: 0 };
      b.kernels.gemm(p, a, bb, c1);
      b.kernels.gemm(p, a, bb, c2);
      expect(Buffer.from(c1.data.buffer, c1.data.byteOffset, c1.data.byteLength)
        .equals(Buffer.from(c2.data.buffer, c2.data.byteOffset, c2.data.byteLength))).toBe(true);
    }
  });

  for (const preset of ['mnist-cvae', 'cae-bn-pool']) {
    it(`${preset}: the same seed gives the same losses and parameters`, async () => {
      const first = await trainLosses(b, preset, 3);
      const second = await trainLosses(b, preset, 3);
      expect(first.losses.every(Number.isFinite)).toBe(true);
      expect(second.losses).toEqual(first.losses);
      first.params.forEach((p, i) => expect(Buffer.from(second.params[i].buffer).equals(Buffer.from(p.buffer))).toBe(true));
    });
  }
});
