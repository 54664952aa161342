// A training run end to end: resolve the spec, data set and backend; record the run in lab.db; train; after
// every epoch write the checkpoint (atomically) and grids, then commit the epoch's metrics. Used in-process
// by the CLI and inside a worker thread by the app and the serve host.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Rng } from '../../engine/rng.ts';
import { Engine } from '../../engine/tensor.ts';
import { modelFromCheckpoint, readCheckpoint, restoreTrainer, saveCheckpoint } from '../../experiments/checkpoint.ts';
import { epochExtras, latentMapToJson, priorSamples, reconstruct } from '../../experiments/evaluate.ts';
import { Model } from '../../experiments/model.ts';
import { findPreset } from '../../experiments/presets.ts';
import { inferSpec } from '../../experiments/spec.ts';
import { DEFAULT_TRAIN_CONFIG, DivergedError, type EpochEvent, type StepEvent, type TrainConfig, Trainer } from '../../experiments/train.ts';
import { openDataset, type DatasetReader } from '../data/registry.ts';
import { encodeGridPng } from '../images/grid.ts';
import { atomicWrite } from '../files.ts';
import { labHome } from '../paths.ts';
import { type RunRecord, type RunStatus, RunStore } from '../runs/store.ts';
import { type BackendChoice, resolveBackend } from './backend.ts';

export interface RunRequest {
  preset?: string;
  spec?: unknown;
  /** Data set name; defaults to the preset's, else mnist. */
  dataset?: string;
  backend?: BackendChoice;
  name?: string;
  config?: Partial<TrainConfig>;
}

export interface RunHooks {
  onStart?(run: RunRecord): void;
  onStep?(runId: string, e: StepEvent): void;
  onEpoch?(runId: string, e: EpochEvent): void;
  control?(): 'run' | 'pause' | 'stop';
  waitWhilePaused?(): Promise<void>;
  onStatus?(runId: string, status: RunStatus): void;
}

export interface RunOutcome {
  run: RunRecord;
  status: RunStatus;
  error?: string;
}

const GRID_COUNT = 16;

export function runFolder(home: string, id: string): string {
  const dir = join(home, 'runs', id);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function checkpointPath(home: string, id: string): string {
  return join(home, 'runs', id, 'checkpoint.safetensors');
}

/** Checks that the data set's images are what the spec takes. */
function checkDataFits(spec: { input: number[] }, data: DatasetReader, dataset: string): void {
  const { channels, height, width } = data.info;
  const [c, h, w] = spec.input;
  if (c !== channels || h !== height || w !== width) {
    throw new Error(`data set '${dataset}' has ${channels}×${height}×${width} images but the architecture takes ${c}×${h}×${w}; pick a matching data set or change the spec's input`);
  }
}

/** Starts a new run and trains it to the end (or until stopped); returns how it ended. */
export async function startRun(req: RunRequest, hooks: RunHooks = {}, home = labHome()): Promise<RunOutcome> {
  const preset = req.preset ? findPreset(req.preset) : null;
  const rawSpec = req.spec ?? preset?.spec;
  if (!rawSpec) throw new Error('give a preset or a spec');
  const { spec } = inferSpec(rawSpec);
  const datasetName = req.dataset ?? preset?.dataset ?? 'mnist';
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...req.config };
  validateConfig(config);
  const data = openDataset(datasetName, home);
  try {
    checkDataFits(spec, data, datasetName);
    const store = new RunStore(home);
    const resolved = await resolveBackend(req.backend ?? 'auto');
    const run = store.create({
      name: req.name ?? `${preset?.name ?? 'custom'} on ${datasetName}`, dataset: datasetName, preset: preset?.name ?? null,
      backend: resolved.name, spec, config: { ...config },
    });
    const engine = new Engine(resolved.backend);
    const model = new Model(engine, spec, Rng.stream(config.seed, 'init'));
    const trainer = new Trainer(engine, model, data, config);
    return await train(store, run, trainer, data, hooks, home, resolved.backend.dispose.bind(resolved.backend));
  } finally {
    data.close();
  }
}

/** Continues a stopped, interrupted or paused run from its last checkpoint (the last completed epoch). */
export async function resumeRun(id: string, hooks: RunHooks = {}, opts: { backend?: BackendChoice; epochs?: number } = {}, home = labHome()): Promise<RunOutcome> {
  const store = new RunStore(home);
  store.markInterrupted();
  const run = store.get(id);
  if (run.status === 'running') throw new Error(`run ${id} is still running (process ${run.pid})`);
  if (run.status === 'completed' && !(opts.epochs && opts.epochs > run.epochsDone)) {
    throw new Error(`run ${id} has completed its ${run.epochsDone} epochs; resume with more epochs to train further`);
  }
  const file = checkpointPath(home, id);
  if (!existsSync(file)) throw new Error(`run ${id} has no checkpoint yet (no epoch completed), so there is nothing to resume; start it again`);
  const ckpt = readCheckpoint(readFileSync(file), file);
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...(ckpt.meta.config ?? {}), ...(opts.epochs ? { epochs: opts.epochs } : {}) };
  const data = openDataset(run.dataset, home);
  try {
    const resolved = await resolveBackend(opts.backend ?? (run.backend as BackendChoice));
    const engine = new Engine(resolved.backend);
    const model = modelFromCheckpoint(engine, ckpt, file);
    const trainer = new Trainer(engine, model, data, config);
    restoreTrainer(trainer, ckpt, file);
    store.truncateAfter(id, trainer.completedEpochs, trainer.stepCount);
    store.setBackend(id, resolved.name);
    store.setStatus(id, 'running');
    store.db.prepare('UPDATE runs SET config = ? WHERE id = ?').run(JSON.stringify(config), id);
    return await train(store, store.get(id), trainer, data, hooks, home, resolved.backend.dispose.bind(resolved.backend));
  } finally {
    data.close();
  }
}

async function train(store: RunStore, run: RunRecord, trainer: Trainer, data: DatasetReader, hooks: RunHooks, home: string, dispose: () => void): Promise<RunOutcome> {
  const id = run.id, dir = runFolder(home, id);
  hooks.onStart?.(run);
  hooks.onStatus?.(id, 'running');
  const pendingSteps: { step: number; epoch: number; loss: number; rec: number; kl: number; lr: number }[] = [];
  const flushSteps = () => {
    store.recordSteps(id, pendingSteps);
    pendingSteps.length = 0;
  };
  const fixed = fixedTestImages(data, trainer.model.spec.input);
  let status: RunStatus;
  let error: string | undefined;
  try {
    const result = await trainer.run({
      control: hooks.control,
      waitWhilePaused: hooks.waitWhilePaused,
      onStep: (e) => {
        pendingSteps.push({ step: e.step, epoch: e.epoch, loss: e.loss, rec: e.rec, kl: e.kl, lr: e.lr });
        if (pendingSteps.length >= 50) flushSteps();
        hooks.onStep?.(id, e);
      },
      onEpoch: async (e) => {
        flushSteps();
        atomicWrite(checkpointPath(home, id), await saveCheckpoint(trainer.model, trainer));
        const grids = await writeEpochGrids(trainer, fixed, dir, e.epoch);
        const extras = await epochEvaluation(trainer, data, dir, e.epoch);
        store.recordEpoch(id, {
          epoch: e.epoch, step: e.step, trainLoss: e.trainLoss, trainRec: e.trainRec, trainKl: e.trainKl,
          trainImagesPerSecond: e.trainImagesPerSecond, seconds: e.seconds,
          testLoss: e.test.loss, testRec: e.test.rec, testKl: e.test.kl, extra: extras.extra,
        }, [
          { kind: 'checkpoint', epoch: 0, path: relative(home, checkpointPath(home, id)) },
          ...grids.map((g) => ({ kind: g.kind, epoch: e.epoch, path: relative(home, g.path) })),
          ...extras.artifacts.map((g) => ({ kind: g.kind, epoch: e.epoch, path: relative(home, g.path) })),
        ]);
        hooks.onEpoch?.(id, e);
      },
    });
    status = result === 'completed' ? 'completed' : 'stopped';
  } catch (e) {
    flushSteps();
    status = e instanceof DivergedError ? 'diverged' : 'failed';
    error = e instanceof Error ? e.message : String(e);
  } finally {
    trainer.model.dispose();
    dispose();
  }
  store.setStatus(id, status, error ?? null);
  hooks.onStatus?.(id, status);
  return { run: store.get(id), status, error };
}

/** The first GRID_COUNT test images: the same ones every epoch and every run, so grids compare. */
function fixedTestImages(data: DatasetReader, input: number[]): { pixels: Float32Array; n: number } {
  const n = Math.min(GRID_COUNT, data.count('test'));
  const pixels = new Float32Array(n * input[0] * input[1] * input[2]);
  data.readImages('test', Array.from({ length: n }, (_, i) => i), pixels);
  return { pixels, n };
}

/** Reconstructions (originals above, reconstructions below) and, for a VAE, prior samples with a fixed seed. */
async function writeEpochGrids(trainer: Trainer, fixed: { pixels: Float32Array; n: number }, dir: string, epoch: number): Promise<{ kind: string; path: string }[]> {
  const e = trainer.engine, model = trainer.model;
  const [c, h, w] = model.spec.input;
  const out: { kind: string; path: string }[] = [];
  const recon = await reconstruct(e, model, fixed.pixels, fixed.n);
  const both = new Float32Array(2 * fixed.pixels.length);
  both.set(fixed.pixels);
  both.set(recon, fixed.pixels.length);
  const reconPath = join(dir, `reconstructions-${epoch}.png`);
  writeFileSync(reconPath, await encodeGridPng(both, { n: 2 * fixed.n, c, h, w }, { cols: fixed.n, scale: 2 }));
  out.push({ kind: 'reconstructions', path: reconPath });
  if (model.spec.kind === 'vae') {
    const samples = await priorSamples(e, model, fixed.n, 42);
    const samplePath = join(dir, `samples-${epoch}.png`);
    writeFileSync(samplePath, await encodeGridPng(samples, { n: fixed.n, c, h, w }, { cols: 8, scale: 2 }));
    out.push({ kind: 'samples', path: samplePath });
  }
  return out;
}

// Per-epoch extras on a test subset, within a budget of forward passes of 20% of the epoch's training images
// (a training image costs about three forwards, so ~7% of the epoch at most; ~4% for a full MNIST epoch):
// reconstruction quality, KL per dimension and active units (two forwards per image), the latent map (one), and
// the NLL with EXTRA_IS_K samples when the budget leaves room for at least EXTRA_IS_MIN_IMAGES images.
const EXTRA_IMAGES = 1000, EXTRA_IS_K = 50, EXTRA_IS_IMAGES = 100, EXTRA_IS_MIN_IMAGES = 8, EXTRA_MIN_IMAGES = 16;

async function epochEvaluation(trainer: Trainer, data: DatasetReader, dir: string, epoch: number): Promise<{ extra: Record<string, unknown>; artifacts: { kind: string; path: string }[] }> {
  const limit = trainer.config.testLimit > 0 ? Math.min(trainer.config.testLimit, data.count('test')) : data.count('test');
  const budget = 0.2 * trainer.stepsPerEpoch * trainer.config.batch;
  const images = Math.min(limit, Math.max(EXTRA_MIN_IMAGES, Math.min(EXTRA_IMAGES, Math.floor(budget / 4))));
  const isImages = Math.min(limit, EXTRA_IS_IMAGES, Math.floor(budget / 2 / EXTRA_IS_K));
  const started = performance.now();
  const { extra, map } = await epochExtras(trainer.engine, trainer.model, data, {
    images, isK: isImages >= EXTRA_IS_MIN_IMAGES ? EXTRA_IS_K : 0, isImages, mapCount: images,
  });
  const artifacts: { kind: string; path: string }[] = [];
  if (map) {
    const path = join(dir, `latent-map-${epoch}.json`);
    writeFileSync(path, JSON.stringify(latentMapToJson(map)));
    artifacts.push({ kind: 'latent-map', path });
  }
  return { extra: { ...extra, evalSeconds: (performance.now() - started) / 1000 }, artifacts };
}

function validateConfig(c: TrainConfig): void {
  const positiveInt = (k: keyof TrainConfig) => {
    if (!Number.isInteger(c[k]) || (c[k] as number) < 1) throw new Error(`${k} must be a positive integer, got ${c[k]}`);
  };
  positiveInt('epochs');
  positiveInt('batch');
  if (!Number.isInteger(c.steps) || c.steps < 0) throw new Error(`steps must be an integer ≥ 0, got ${c.steps}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new Error(`lr must be a positive number, got ${c.lr}`);
  if (c.optimizer !== 'adam' && c.optimizer !== 'sgd') throw new Error(`optimizer must be adam or sgd, got ${c.optimizer}`);
  if (c.schedule !== 'constant' && c.schedule !== 'cosine') throw new Error(`schedule must be constant or cosine, got ${c.schedule}`);
  if (c.beta !== null && !(c.beta >= 0)) throw new Error(`beta must be ≥ 0, got ${c.beta}`);
}
