import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../src/engine/cpu/reference.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { Model } from '../../src/experiments/model.ts';
import { findPreset } from '../../src/experiments/presets.ts';

describe('Model.toImage', () => {
  const e = new Engine(new ReferenceBackend());

  it('clamps a gaussian mean to [0, 1] on both sides', async () => {
    const m = new Model(e, findPreset('cae-bn-pool').spec, new Rng(0)); // gaussian likelihood
    const image = await m.toImage(e.fromArray([1, 5], [-0.5, 0, 0.3, 1, 1.7])).read();
    expect(Array.from(image)).toEqual([0, 0, Math.fround(0.3), 1, 1]);
    m.dispose();
  });

  it('turns bernoulli logits into probabilities', async () => {
    const m = new Model(e, findPreset('linear-vae').spec, new Rng(0));
    const image = await m.toImage(e.fromArray([1, 3], [-2, 0, 3])).read();
    expect(Array.from(image).map((v) => Number(v.toFixed(5)))).toEqual([0.1192, 0.5, 0.95257]);
    m.dispose();
  });
});
