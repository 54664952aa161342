import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../src/engine/cpu/reference.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { Model } from '../../src/experiments/model.ts';
import { findPreset } from '../../src/experiments/presets.ts';
import { DEFAULT_TRAIN_CONFIG, klWeight, learningRate } from '../../src/experiments/train.ts';

describe('learning-rate schedule and KL warm-up', () => {
  it('keeps a constant rate, or follows a cosine from lr to 0 over the run', () => {
    const c = { ...DEFAULT_TRAIN_CONFIG, lr: 0.01 };
    expect(learningRate(c, 500, 1000)).toBe(0.01);
    const cos = { ...c, schedule: 'cosine' as const };
    expect(learningRate(cos, 0, 1000)).toBeCloseTo(0.01, 12);
    expect(learningRate(cos, 500, 1000)).toBeCloseTo(0.005, 12);
    expect(learningRate(cos, 250, 1000)).toBeCloseTo(0.005 * (1 + Math.SQRT1_2), 12);
    expect(learningRate(cos, 1000, 1000)).toBeCloseTo(0, 12);
  });

  it('ramps the KL weight linearly to beta (the spec\'s, unless the config overrides it)', () => {
    const model = new Model(new Engine(new ReferenceBackend()), findPreset('beta-vae').spec, new Rng(0));
    expect(klWeight(DEFAULT_TRAIN_CONFIG, model, 3)).toBe(4); // beta-vae's spec says 4
    const warm = { ...DEFAULT_TRAIN_CONFIG, klWarmupEpochs: 2, beta: 1 };
    expect(klWeight(warm, model, 0)).toBe(0);
    expect(klWeight(warm, model, 0.5)).toBe(0.25);
    expect(klWeight(warm, model, 2)).toBe(1);
    expect(klWeight(warm, model, 5)).toBe(1);
    model.dispose();
  });
});
