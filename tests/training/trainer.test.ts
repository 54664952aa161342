import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../src/engine/cpu/reference.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { Model } from '../../src/experiments/model.ts';
import { findPreset } from '../../src/experiments/presets.ts';
import { DEFAULT_TRAIN_CONFIG, DivergedError, type ImageSource, type TrainConfig, Trainer } from '../../src/experiments/train.ts';
import { closeLabDbs } from '../../src/main/db.ts';
import { checkpointPath, resumeRun, startRun } from '../../src/main/training/run.ts';
import { RunStore } from '../../src/main/runs/store.ts';
import { readCheckpoint } from '../../src/experiments/checkpoint.ts';

const home = mkdtempSync(join(tmpdir(), 'latent-lab-train-'));
afterAll(() => closeLabDbs());

const quick: Partial<TrainConfig> = { epochs: 2, batch: 32, trainLimit: 96, testLimit: 64, seed: 7 };

async function epochLosses(id: string) {
  return new RunStore(home).epochs(id).map((e) => [e.trainLoss, e.testLoss]);
}

describe('training runs on real MNIST (reference backend)', () => {
  it('gives the same losses for the same seed, different ones for another seed', async () => {
    const a = await startRun({ preset: 'linear-vae', backend: 'reference', config: quick }, {}, home);
    const b = await startRun({ preset: 'linear-vae', backend: 'reference', config: quick }, {}, home);
    const c = await startRun({ preset: 'linear-vae', backend: 'reference', config: { ...quick, seed: 8 } }, {}, home);
    expect(a.status).toBe('completed');
    expect(a.run.backend).toBe('reference');
    expect(await epochLosses(a.run.id)).toEqual(await epochLosses(b.run.id));
    expect(await epochLosses(a.run.id)).not.toEqual(await epochLosses(c.run.id));
    const epochs = await epochLosses(a.run.id);
    expect(epochs).toHaveLength(2);
    expect(epochs[1][0]).toBeLessThan(epochs[0][0]); // it learns
  });

  it('stops on request, then resumes to exactly the losses of an uninterrupted run', async () => {
    const straight = await startRun({ preset: 'linear-vae', backend: 'reference', config: { ...quick, epochs: 3 } }, {}, home);
    let epochsSeen = 0;
    const stopped = await startRun({ preset: 'linear-vae', backend: 'reference', config: { ...quick, epochs: 3 } }, {
      onEpoch: () => { epochsSeen++; },
      control: () => (epochsSeen >= 1 ? 'stop' : 'run'),
    }, home);
    expect(stopped.status).toBe('stopped');
    expect(stopped.run.epochsDone).toBe(1);
    const resumed = await resumeRun(stopped.run.id, {}, {}, home);
    expect(resumed.status).toBe('completed');
    expect(await epochLosses(stopped.run.id)).toEqual(await epochLosses(straight.run.id));
  });

  it('marks a run that blows up as diverged with a clear message', async () => {
    const r = await startRun({ preset: 'linear-vae', backend: 'reference', config: { ...quick, optimizer: 'sgd', lr: 1e30, momentum: 0 } }, {}, home);
    expect(r.status).toBe('diverged');
    expect(r.error).toMatch(/training diverged at step \d+: loss .* \(not finite\)/);
    expect(new RunStore(home).get(r.run.id).status).toBe('diverged');
  });

  it('writes a checkpoint with PyTorch names, the spec and the optimizer state', async () => {
    const r = await startRun({ preset: 'mnist-cvae', backend: 'reference', config: { ...quick, epochs: 1 } }, {}, home);
    const ckpt = readCheckpoint(readFileSync(checkpointPath(home, r.run.id)), 'ckpt');
    expect([...ckpt.model.keys()]).toContain('encoder.0.weight');
    expect([...ckpt.model.keys()]).toContain('head.weight');
    expect(ckpt.model.get('decoder.7.weight')!.shape).toEqual([32, 1, 4, 4]);
    expect(ckpt.optimizer.get('encoder.0.weight.exp_avg')!.shape).toEqual([32, 1, 4, 4]);
    expect(ckpt.meta.state!.epoch).toBe(1);
    expect(ckpt.meta.spec).toEqual(findPreset('mnist-cvae').spec);
  });

  it('refuses a data set whose images do not fit the architecture', async () => {
    await expect(startRun({ preset: 'svhn-cvae', dataset: 'mnist', backend: 'reference', config: quick }, {}, home))
      .rejects.toThrow(/data set 'mnist' has 1×28×28 images but the architecture takes 3×32×32/);
  });
});

describe('Trainer', () => {
  /** Real-looking images until `badFrom` steps have been read, then NaN pixels. */
  class PoisonedSource implements ImageSource {
    reads = 0;
    constructor(private readonly badFrom: number) {}
    count() { return 64; }
    readImages(_split: 'train' | 'test', indices: ArrayLike<number>, out: Float32Array) {
      const rng = new Rng(this.reads++);
      for (let i = 0; i < out.length; i++) out[i] = this.reads > this.badFrom ? NaN : rng.uniform();
      void indices;
    }
    readLabels(_s: 'train' | 'test', indices: ArrayLike<number>) { return new Int32Array(indices.length); }
  }

  it('throws DivergedError on a non-finite loss before touching the parameters', async () => {
    const e = new Engine(new ReferenceBackend());
    const model = new Model(e, findPreset('linear-vae').spec, new Rng(1));
    const trainer = new Trainer(e, model, new PoisonedSource(2), { ...DEFAULT_TRAIN_CONFIG, epochs: 1, batch: 16 });
    let before: Float32Array | null = null;
    const run = trainer.run({ onStep: async (s) => { if (s.step === 2) before = await model.parameters()[0].read(); } });
    await expect(run).rejects.toThrow(DivergedError);
    expect(trainer.stepCount).toBe(2);
    expect(Array.from(await model.parameters()[0].read())).toEqual(Array.from(before!));
  });
});
