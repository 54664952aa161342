import type { Backend } from '../../src/engine/backend.ts';
import { Adam } from '../../src/engine/optim.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { Model } from '../../src/experiments/model.ts';
import type { ArchitectureSpec } from '../../src/experiments/spec.ts';

/** Deterministic images in [0, 1] of the spec's input shape, different at every step. */
function batchImages(shape: readonly number[], batch: number, step: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: batch * size }, (_, i) => 0.5 + 0.5 * Math.sin(i * 0.37 + step * 1.3 + Math.floor(i / size) * 0.7));
}

/** The losses of `steps` Adam steps (lr 1e-3) of a model built with `seed`, on a backend. */
export async function trainLosses(backend: Backend, spec: ArchitectureSpec, steps: number, batch: number, seed: number): Promise<number[]> {
  const e = new Engine(backend);
  const model = new Model(e, spec, new Rng(seed));
  const opt = new Adam(e, model.parameters(), { lr: 1e-3 });
  const rng = new Rng(seed + 1);
  const shape = spec.input;
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      losses.push(await e.scopeAsync(async () => {
        const x = e.fromArray([batch, ...shape], batchImages(shape, batch, step));
        const r = model.loss(x, { training: true, rng });
        e.backward(r.loss);
        opt.step();
        opt.zeroGrad();
        return r.loss.item(); // the step's one readback
      }));
    }
  } finally {
    model.dispose();
    for (const bufs of opt.buffers()) for (const t of bufs) t.release();
  }
  return losses;
}
