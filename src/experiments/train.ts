import { Adam, type Optimizer, Sgd } from '../engine/optim.ts';
import { Rng } from '../engine/rng.ts';
import type { Engine } from '../engine/tensor.ts';
import type { Model } from './model.ts';

export type Split = 'train' | 'test';

/** Where images come from: the data-set reader satisfies this. */
export interface ImageSource {
  count(split: Split): number;
  /** Images as float32 in [0, 1], NCHW, into out. */
  readImages(split: Split, indices: ArrayLike<number>, out: Float32Array): void;
  readLabels(split: Split, indices: ArrayLike<number>): Int32Array;
}

export interface TrainConfig {
  epochs: number;
  /** Stop after this many steps in all (0: no limit). */
  steps: number;
  batch: number;
  optimizer: 'adam' | 'sgd';
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: 'constant' | 'cosine';
  /** KL weight; null takes the spec's beta (default 1). */
  beta: number | null;
  /** Epochs over which the KL weight ramps linearly from 0 to beta (0: none). */
  klWarmupEpochs: number;
  seed: number;
  shuffle: boolean;
  /** Use at most this many training images (0: all), e.g. a quick look at a subset. */
  trainLimit: number;
  testLimit: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  epochs: 10, steps: 0, batch: 128, optimizer: 'adam', lr: 1e-3, momentum: 0.9, weightDecay: 0,
  schedule: 'constant', beta: null, klWarmupEpochs: 0, seed: 0, shuffle: true, trainLimit: 0, testLimit: 0,
};

export interface StepEvent {
  epoch: number; // 1-based epoch in progress
  step: number; // global step count after this step
  loss: number;
  rec: number;
  kl: number;
  lr: number;
  beta: number;
  imagesPerSecond: number;
  epochProgress: number; // 0..1
  /** Time left in this epoch at its rate so far. */
  epochSecondsLeft: number;
}

export interface TestMetrics {
  loss: number;
  rec: number;
  kl: number;
}

/** One epoch's metrics, flat: what the run history stores and the CSV export writes. */
export interface EpochRecord {
  epoch: number;
  step: number;
  trainLoss: number;
  trainRec: number;
  trainKl: number;
  trainImagesPerSecond: number;
  seconds: number;
  testLoss: number;
  testRec: number;
  testKl: number;
  /** Further evaluation numbers (NLL, SSIM, active units...). */
  extra: Record<string, unknown>;
}

/** An epoch's end as the trainer reports it: the record's training numbers, the test metrics nested. */
export type EpochEvent = Omit<EpochRecord, 'testLoss' | 'testRec' | 'testKl' | 'extra'> & { test: TestMetrics };

/** The state a checkpoint needs to continue exactly. */
export interface TrainerState {
  epoch: number; // completed epochs
  step: number;
  rng: number[];
}

export class DivergedError extends Error {
  constructor(readonly step: number, readonly values: { loss: number; rec: number; kl: number }) {
    super(`training diverged at step ${step}: loss ${values.loss}, rec ${values.rec}, kl ${values.kl} (not finite); lower the learning rate or add batch norm`);
    this.name = 'DivergedError';
  }
}

export interface TrainHooks {
  onStep?(e: StepEvent): void | Promise<void>;
  /** Called after each epoch's evaluation; a checkpoint is written here. */
  onEpoch?(e: EpochEvent, state: TrainerState): void | Promise<void>;
  /** Polled between steps: 'stop' ends the run after the current step, 'pause' waits until it returns 'run'. */
  control?(): 'run' | 'pause' | 'stop';
  /** Resolves when a paused run may look at control() again. */
  waitWhilePaused?(): Promise<void>;
  /** How often onStep is called (every N steps). */
  stepEvery?: number;
}

export function makeOptimizer(e: Engine, model: Model, c: TrainConfig): Optimizer {
  return c.optimizer === 'adam'
    ? new Adam(e, model.parameters(), { lr: c.lr, weightDecay: c.weightDecay })
    : new Sgd(e, model.parameters(), { lr: c.lr, momentum: c.momentum, weightDecay: c.weightDecay });
}

/** Learning rate for a step: constant, or cosine from lr to 0 over the whole run. */
export function learningRate(c: TrainConfig, step: number, totalSteps: number): number {
  if (c.schedule === 'constant' || totalSteps <= 1) return c.lr;
  return 0.5 * c.lr * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps));
}

/** KL weight at a point in training (fractional epochs): a linear warm-up to beta. */
export function klWeight(c: TrainConfig, model: Model, epochPosition: number): number {
  const beta = c.beta ?? model.spec.beta ?? 1;
  if (c.klWarmupEpochs <= 0) return beta;
  return beta * Math.min(1, epochPosition / c.klWarmupEpochs);
}

/** Test-set loss, reconstruction and KL in nats per image (one z sample, eval mode). */
export async function evaluateLoss(e: Engine, model: Model, data: ImageSource, limit = 0, batch = 500, seed = 1234): Promise<TestMetrics> {
  const n = limit > 0 ? Math.min(limit, data.count('test')) : data.count('test');
  const [c, h, w] = model.spec.input;
  const rng = new Rng(seed);
  let loss = 0, rec = 0, kl = 0;
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const indices = Array.from({ length: b }, (_, i) => start + i);
    const pixels = new Float32Array(b * c * h * w);
    data.readImages('test', indices, pixels);
    const r = await e.scopeAsync(async () => {
      const x = e.fromArray([b, c, h, w], pixels);
      const out = e.noGrad(() => model.loss(x, { training: false, rng }));
      return Promise.all([out.loss.item(), out.rec.item(), out.kl.item()]);
    });
    loss += r[0] * b;
    rec += r[1] * b;
    kl += r[2] * b;
  }
  return { loss: loss / n, rec: rec / n, kl: kl / n };
}

/**
 * The training loop. Data order, noise and initialisation all come from the seed, so the same seed on the
 * same backend gives the same losses. A non-finite loss throws DivergedError before the optimizer step, so
 * the parameters (and the last checkpoint) stay as they were.
 */
export class Trainer {
  readonly optimizer: Optimizer;
  private readonly rng: Rng;
  private epoch = 0;
  private step = 0;

  constructor(
    readonly engine: Engine,
    readonly model: Model,
    readonly data: ImageSource,
    readonly config: TrainConfig,
  ) {
    this.optimizer = makeOptimizer(engine, model, config);
    this.rng = Rng.stream(config.seed, 'train');
  }

  get trainCount(): number {
    const n = this.data.count('train');
    return this.config.trainLimit > 0 ? Math.min(n, this.config.trainLimit) : n;
  }

  get stepsPerEpoch(): number {
    return Math.floor(this.trainCount / this.config.batch);
  }

  get totalSteps(): number {
    const all = this.stepsPerEpoch * this.config.epochs;
    return this.config.steps > 0 ? Math.min(all, this.config.steps) : all;
  }

  get completedEpochs(): number {
    return this.epoch;
  }

  get stepCount(): number {
    return this.step;
  }

  state(): TrainerState {
    return { epoch: this.epoch, step: this.step, rng: this.rng.state() };
  }

  /** Continues from a checkpoint's state (the optimizer's buffers are restored by the caller). */
  restore(s: TrainerState): void {
    this.epoch = s.epoch;
    this.step = s.step;
    this.rng.setState(s.rng);
    this.optimizer.setStepCount(s.step);
  }

  /** Runs the remaining epochs; returns 'completed' or 'stopped'. */
  async run(hooks: TrainHooks = {}): Promise<'completed' | 'stopped'> {
    const e = this.engine, c = this.config;
    if (this.trainCount < c.batch) throw new Error(`the training split has ${this.trainCount} images, fewer than one batch of ${c.batch}`);
    const [ch, h, w] = this.model.spec.input;
    const pixels = new Float32Array(c.batch * ch * h * w);
    const stepEvery = hooks.stepEvery ?? 1;
    while (this.epoch < c.epochs) {
      if (c.steps > 0 && this.step >= c.steps) break;
      const order = c.shuffle ? this.rng.permutation(this.trainCount) : Uint32Array.from({ length: this.trainCount }, (_, i) => i);
      const started = performance.now();
      let sumLoss = 0, sumRec = 0, sumKl = 0, seen = 0;
      const firstStepOfEpoch = this.epoch * this.stepsPerEpoch;
      // Steps already taken in this epoch (a resumed run continues mid-epoch at a step boundary).
      const firstIndex = Math.max(0, this.step - firstStepOfEpoch);
      for (let i = firstIndex; i < this.stepsPerEpoch; i++) {
        if (c.steps > 0 && this.step >= c.steps) break;
        let control = hooks.control?.() ?? 'run';
        while (control === 'pause') {
          await hooks.waitWhilePaused?.();
          control = hooks.control?.() ?? 'run';
        }
        if (control === 'stop') return 'stopped';
        const indices = order.subarray(i * c.batch, (i + 1) * c.batch);
        this.data.readImages('train', indices, pixels);
        const lr = learningRate(c, this.step, this.totalSteps);
        const beta = klWeight(c, this.model, this.epoch + i / this.stepsPerEpoch);
        this.optimizer.lr = lr;
        const values = await e.scopeAsync(async () => {
          const x = e.fromArray([c.batch, ch, h, w], pixels);
          const r = this.model.loss(x, { training: true, rng: this.rng, beta });
          e.backward(r.loss);
          // One readback per step: loss, rec and kl come back together.
          const [loss, rec, kl] = await Promise.all([r.loss.item(), r.rec.item(), r.kl.item()]);
          return { loss, rec, kl };
        });
        if (!Number.isFinite(values.loss) || !Number.isFinite(values.rec) || !Number.isFinite(values.kl)) {
          this.optimizer.zeroGrad();
          throw new DivergedError(this.step + 1, values);
        }
        this.optimizer.step();
        this.optimizer.zeroGrad();
        this.step++;
        sumLoss += values.loss * c.batch;
        sumRec += values.rec * c.batch;
        sumKl += values.kl * c.batch;
        seen += c.batch;
        if (hooks.onStep && this.step % stepEvery === 0) {
          const seconds = (performance.now() - started) / 1000;
          await hooks.onStep({
            epoch: this.epoch + 1, step: this.step, ...values, lr, beta,
            imagesPerSecond: seen / Math.max(seconds, 1e-9), epochProgress: (i + 1) / this.stepsPerEpoch,
            epochSecondsLeft: (seconds / (i + 1 - firstIndex)) * (this.stepsPerEpoch - i - 1),
          });
        }
      }
      const seconds = (performance.now() - started) / 1000;
      this.epoch++;
      const test = await evaluateLoss(e, this.model, this.data, c.testLimit);
      const event: EpochEvent = {
        epoch: this.epoch, step: this.step,
        trainLoss: sumLoss / Math.max(seen, 1), trainRec: sumRec / Math.max(seen, 1), trainKl: sumKl / Math.max(seen, 1),
        trainImagesPerSecond: seen / Math.max(seconds, 1e-9), seconds, test,
      };
      await hooks.onEpoch?.(event, this.state());
    }
    return 'completed';
  }
}
