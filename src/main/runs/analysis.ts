// The I/O side of evaluation: a run's checkpoint loaded into a model (cached per run id and checkpoint file
// version), evaluation, latent maps, decoding, sampling, exports (grids, checkpoint, PyTorch module, CSV) and
// run comparison. Used by the CLI and by the app's main process.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Backend } from '../../engine/backend.ts';
import { Engine } from '../../engine/tensor.ts';
import { modelFromCheckpoint, readCheckpoint } from '../../experiments/checkpoint.ts';
import {
  decodeLatents, evaluateModel, type EvalOptions, type EvalReport, latentFromMapPoint, latentMap, type LatentMap, priorSamples, reconstruct,
} from '../../experiments/evaluate.ts';
import { generatePytorchModule } from '../../experiments/export/pytorch.ts';
import { metricsCsv } from '../../experiments/export/csv.ts';
import type { Model } from '../../experiments/model.ts';
import { inferSpec } from '../../experiments/spec.ts';
import { openDataset, type DatasetReader } from '../data/registry.ts';
import { encodeGridPng } from '../images/grid.ts';
import { atomicWrite } from '../files.ts';
import { labHome } from '../paths.ts';
import { checkpointPath, runFolder } from '../training/run.ts';
import { resolveBackend, type BackendChoice } from '../training/backend.ts';
import { type RunRecord, RunStore } from './store.ts';

interface Loaded {
  model: Model;
  data: DatasetReader;
  /** The checkpoint file's mtime and size when loaded: a run that trains on is reloaded. */
  version: string;
  epoch: number;
  /** The run's last latent map at this checkpoint: the projection decodeMapPointForRun inverts. */
  map: LatentMap | null;
}

interface Shared { engine: Engine; backend: Backend; name: string }
let shared: Shared | null = null;
/** The backend being started: concurrent first calls share it (two backends would split a model's buffers). */
let starting: Promise<Shared> | null = null;
/** Analysis tasks run one at a time: the engine's scopes are a stack, so interleaved async tasks would free each other's tensors. */
let queue: Promise<unknown> = Promise.resolve();
/** Least recently used first; at most MAX_CACHED runs stay loaded (the app explores run after run). */
const cache = new Map<string, Loaded>();
const MAX_CACHED = 4;
let backendChoice: BackendChoice = (process.env.LATENT_LAB_ANALYSIS_BACKEND as BackendChoice | undefined) ?? 'cpu';

/** Which backend analysis runs on (default 'cpu': evaluation is forward-only and the CPU backend is always there). */
export function setAnalysisBackend(choice: BackendChoice): void {
  if (choice !== backendChoice) closeAnalysis();
  backendChoice = choice;
}

async function startEngine(choice: BackendChoice): Promise<Shared> {
  let resolved;
  try {
    resolved = await resolveBackend(choice);
  } catch (e) {
    if (choice === 'reference') throw e;
    resolved = await resolveBackend('reference'); // analysis still works, slower
  }
  return { engine: new Engine(resolved.backend), backend: resolved.backend, name: resolved.name };
}

async function engine(): Promise<Engine> {
  if (shared) return shared.engine;
  if (!starting) {
    const p: Promise<Shared> = startEngine(backendChoice).then(
      (s) => {
        if (starting === p) shared = s;
        else s.backend.dispose(); // closed while it started
        return s;
      },
      (e) => {
        if (starting === p) starting = null;
        throw e;
      },
    );
    starting = p;
  }
  return (await starting).engine;
}

/** Runs task after every analysis task queued before it. */
function serial<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task);
  queue = result.catch(() => undefined);
  return result;
}

function release(l: Loaded): void {
  l.model.dispose();
  l.data.close();
}

/** Frees every cached model, data-set reader and the backend (the CLI calls this before exiting). */
export function closeAnalysis(): void {
  for (const l of cache.values()) release(l);
  cache.clear();
  shared?.backend.dispose();
  shared = null;
  starting = null;
}

/** Drops a run's cached model and data-set reader (before the run is deleted), once no task uses them. */
export function forgetRun(id: string): Promise<void> {
  return serial(async () => {
    const l = cache.get(id);
    if (l) release(l);
    cache.delete(id);
  });
}

function checkpointVersion(file: string): string {
  const s = statSync(file);
  return `${s.mtimeMs}:${s.size}`;
}

export type LoadedRun = Loaded & { run: RunRecord; engine: Engine };

/** The run's model at its last checkpoint, with its data set open. Outside withRun, nothing else may be running. */
export async function loadRun(id: string, home = labHome()): Promise<LoadedRun> {
  const run = new RunStore(home).get(id);
  const file = checkpointPath(home, id);
  if (!existsSync(file)) throw new Error(`run ${id} has no checkpoint yet (no epoch completed)`);
  const version = checkpointVersion(file);
  const e = await engine();
  let loaded = cache.get(id);
  if (loaded) cache.delete(id); // re-inserted below as the most recently used
  if (!loaded || loaded.version !== version) {
    if (loaded) release(loaded);
    const ckpt = readCheckpoint(readFileSync(file), file);
    const model = modelFromCheckpoint(e, ckpt, file);
    let data: DatasetReader;
    try {
      data = openDataset(run.dataset, home);
    } catch (err) {
      model.dispose();
      throw err;
    }
    loaded = { model, data, version, epoch: ckpt.meta.state?.epoch ?? run.epochsDone, map: null };
  }
  cache.set(id, loaded);
  for (const [oldest, l] of cache) {
    if (cache.size <= MAX_CACHED) break;
    release(l);
    cache.delete(oldest);
  }
  return { ...loaded, run, engine: e };
}

/**
 * Runs fn on the loaded run once the analysis tasks before it are done, so no other task frees tensors under
 * it or evicts its model. fn must not call the analysis functions below (they queue behind it).
 */
export function withRun<T>(id: string, home: string, fn: (l: LoadedRun) => Promise<T>): Promise<T> {
  return serial(async () => fn(await loadRun(id, home)));
}

export interface StoredEval extends EvalReport {
  run: string;
  epoch: number;
  backend: string;
  seconds: number;
  at: string;
}

/** Evaluates a run's last checkpoint on the test split; the report is also kept as runs/<id>/eval.json. */
export async function evaluateRun(id: string, o: EvalOptions = {}, home = labHome()): Promise<StoredEval> {
  return withRun(id, home, (l) => evaluateLoaded(id, l, o, home));
}

async function evaluateLoaded(id: string, l: LoadedRun, o: EvalOptions, home: string): Promise<StoredEval> {
  const started = performance.now();
  const report = await evaluateModel(l.engine, l.model, l.data, o);
  const stored: StoredEval = {
    ...report, run: id, epoch: l.epoch, backend: shared!.name, seconds: (performance.now() - started) / 1000, at: new Date().toISOString(),
  };
  atomicWrite(`${runFolder(home, id)}/eval.json`, JSON.stringify(stored, null, 1));
  return stored;
}

/** The last stored full evaluation of a run, if any. */
export function storedEval(id: string, home = labHome()): StoredEval | null {
  const file = `${home}/runs/${id}/eval.json`;
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredEval;
  } catch {
    return null;
  }
}

/** The 2-D map of `count` test images' codes; kept with the cached model for decodeMapPointForRun. */
export async function runLatentMap(id: string, count = 2000, home = labHome()): Promise<LatentMap> {
  return withRun(id, home, (l) => mapLoaded(id, l, count));
}

async function mapLoaded(id: string, l: LoadedRun, count: number): Promise<LatentMap> {
  const map = await latentMap(l.engine, l.model, l.data, { count });
  const entry = cache.get(id);
  if (entry?.version === l.version) entry.map = map;
  return map;
}

/**
 * The image [1, C, H, W] at point (x, y) of the run's last latent map (one of 500 test images is made first
 * when there is none at this checkpoint).
 */
export async function decodeMapPointForRun(id: string, x: number, y: number, home = labHome()): Promise<Float32Array> {
  return withRun(id, home, async (l) => {
    const map = l.map ?? (await mapLoaded(id, l, 500));
    return decodeLatents(l.engine, l.model, latentFromMapPoint(map, x, y), 1);
  });
}

/** Images [n, C, H, W] in [0, 1] decoded from codes z [n, D] with the run's decoder. */
export async function decodeForRun(id: string, z: Float32Array, n: number, home = labHome()): Promise<Float32Array> {
  return withRun(id, home, (l) => decodeLatents(l.engine, l.model, z, n));
}

/** Prior samples of a VAE run, z ~ N(0, I) from the seed. [n, C, H, W] */
export async function samplesForRun(id: string, o: { n: number; seed: number }, home = labHome()): Promise<Float32Array> {
  return withRun(id, home, (l) => priorSamples(l.engine, l.model, o.n, o.seed));
}

export interface ExportOptions {
  /** PNG: prior samples (gridRows × 8, seed gridSeed) for a VAE; reconstructions for an AE. */
  grid?: string;
  gridRows?: number;
  gridSeed?: number;
  /** PNG: gridRows × 8 test images, each row of them above a row of their reconstructions. */
  reconGrid?: string;
  /** The run's checkpoint (weights with PyTorch names, spec, optimizer state, epoch) as safetensors. */
  checkpoint?: string;
  /** A self-contained PyTorch module (.py) for the run's architecture that loads the checkpoint. */
  pytorch?: string;
  /** Per-epoch metrics. */
  csv?: string;
}

/**
 * Writes the asked-for exports; returns the written paths. Everything is computed first and the files are
 * written at the end, each atomically, so a failure leaves no partial file.
 */
export async function exportRun(id: string, o: ExportOptions, home = labHome()): Promise<string[]> {
  const outputs: [string, Uint8Array | string][] = [];
  for (const p of [o.grid, o.reconGrid, o.checkpoint, o.pytorch, o.csv]) {
    if (p !== undefined && !existsSync(dirname(p) || '.')) throw new Error(`cannot write ${p}: the folder ${dirname(p)} does not exist`);
  }
  const store = new RunStore(home);
  const run = store.get(id);
  if (o.grid || o.reconGrid || o.checkpoint || o.pytorch) {
    await withRun(id, home, async (l) => {
      const [c, h, w] = l.model.spec.input;
      const shape = (n: number) => ({ n, c, h, w });
      const reconGrid = async (count: number) => {
        const n = Math.min(count, l.data.count('test'));
        const pixels = new Float32Array(n * c * h * w);
        l.data.readImages('test', Array.from({ length: n }, (_, i) => i), pixels);
        const recon = await reconstruct(l.engine, l.model, pixels, n);
        // Rows of 8: originals, then their reconstructions.
        const cols = 8, rows = Math.ceil(n / cols), out = new Float32Array(2 * rows * cols * c * h * w), size = c * h * w;
        for (let i = 0; i < n; i++) {
          const r = Math.floor(i / cols), col = i % cols;
          out.set(pixels.subarray(i * size, (i + 1) * size), ((2 * r) * cols + col) * size);
          out.set(recon.subarray(i * size, (i + 1) * size), ((2 * r + 1) * cols + col) * size);
        }
        return encodeGridPng(out, shape(2 * rows * cols), { cols, scale: 2 });
      };
      const rows = o.gridRows ?? 8;
      if (!Number.isInteger(rows) || rows < 1 || rows > 64) throw new Error(`grid rows must be an integer in 1..64, got ${rows}`);
      if (o.grid) {
        if (l.model.spec.kind === 'vae') {
          const n = rows * 8;
          outputs.push([o.grid, await encodeGridPng(await priorSamples(l.engine, l.model, n, o.gridSeed ?? 42), shape(n), { cols: 8, scale: 2 })]);
        } else outputs.push([o.grid, await reconGrid(rows * 8)]);
      }
      if (o.reconGrid) outputs.push([o.reconGrid, await reconGrid(rows * 8)]);
      if (o.checkpoint) {
        const file = checkpointPath(home, id);
        outputs.push([o.checkpoint, readFileSync(file)]);
      }
      if (o.pytorch) outputs.push([o.pytorch, generatePytorchModule(l.model.spec, { name: run.name, runId: id })]);
    });
  }
  if (o.csv) outputs.push([o.csv, metricsCsv(store.epochs(id))]);
  if (!outputs.length) throw new Error('nothing to export: give at least one of grid, reconGrid, checkpoint, pytorch, csv');
  for (const [path, bytes] of outputs) atomicWrite(path, bytes);
  return outputs.map(([p]) => p);
}

export interface RunMetrics {
  id: string;
  name: string;
  preset: string | null;
  dataset: string;
  backend: string;
  status: string;
  epochs: number;
  params: number;
  bestTestLoss: number | null;
  bestEpoch: number | null;
  lastTestLoss: number | null;
  /** From the last full `eval` if there is one, else the last epoch's small-K estimate. */
  nll: number | null;
  nllK: number | null;
  bitsPerDim: number | null;
  rmse: number | null;
  ssim: number | null;
  activeUnits: number | null;
  /** Mean training throughput over the epochs. */
  imagesPerSecond: number | null;
  seconds: number;
}

export interface Comparison {
  runs: RunRecord[];
  metrics: RunMetrics[];
  /** Config entries (and dataset, preset, backend) that differ between the runs. */
  configDiff: { key: string; values: unknown[] }[];
  /** Spec differences: top-level fields and layers, aligned by path (encoder.i, head, decoder.i). */
  specDiff: { path: string; values: (string | null)[] }[];
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function layerText(l: Record<string, unknown> | undefined, outShape: number[] | undefined): string | null {
  if (!l) return null;
  const { type, ...rest } = l;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : v}`).join(' ');
  return `${type}${fields ? ` ${fields}` : ''}${outShape ? ` → [${outShape.join(',')}]` : ''}`;
}

function describeSpec(raw: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const spec = raw as Record<string, unknown>;
  for (const k of ['kind', 'input', 'latent', 'likelihood', 'beta']) {
    const v = spec[k];
    out.set(k, v === undefined ? '-' : Array.isArray(v) ? `[${v.join(',')}]` : String(v));
  }
  let shapes = new Map<string, number[]>();
  try {
    shapes = new Map(inferSpec(raw).layers.map((l) => [l.path, l.outShape]));
  } catch {
    // A spec that no longer validates still diffs by its fields.
  }
  for (const part of ['encoder', 'decoder'] as const) {
    const layers = (spec[part] as Record<string, unknown>[] | undefined) ?? [];
    layers.forEach((l, i) => out.set(`${part}.${i}`, layerText(l, shapes.get(`${part}.${i}`))!));
    if (part === 'encoder' && spec.kind === 'vae') out.set('head', `linear → [${shapes.get('head')?.join(',') ?? 2 * Number(spec.latent)}]`);
  }
  return out;
}

const same = (values: unknown[]) => values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]));

/** Metrics side by side and what differs in config and architecture. */
export function compareRuns(ids: string[], home = labHome()): Comparison {
  if (!ids.length) throw new Error('give at least one run to compare');
  const store = new RunStore(home);
  const runs = ids.map((id) => store.get(id));
  const metrics = runs.map((r): RunMetrics => {
    const epochs = store.epochs(r.id);
    const last = epochs.at(-1);
    let best: (typeof epochs)[number] | null = null;
    for (const e of epochs) if (!best || e.testLoss < best.testLoss) best = e;
    const full = storedEval(r.id, home);
    const extra = last?.extra ?? {};
    const useFull = full !== null && full.nll !== null;
    let params = 0;
    try {
      params = inferSpec(r.spec).params;
    } catch { /* counted as 0 */ }
    return {
      id: r.id, name: r.name, preset: r.preset, dataset: r.dataset, backend: r.backend, status: r.status, epochs: r.epochsDone, params,
      bestTestLoss: best?.testLoss ?? null, bestEpoch: best?.epoch ?? null, lastTestLoss: last?.testLoss ?? null,
      nll: useFull ? full.nll : num(extra.nll), nllK: useFull ? full.isK : num(extra.isK),
      bitsPerDim: useFull ? full.bitsPerDim : num(extra.bitsPerDim),
      rmse: num(extra.rmse) ?? full?.rmse ?? null, ssim: num(extra.ssim) ?? full?.ssim ?? null,
      activeUnits: num(extra.activeUnits) ?? (full && r.spec && (r.spec as { kind?: string }).kind === 'vae' ? full.activeUnits : null),
      imagesPerSecond: epochs.length ? epochs.reduce((s, e) => s + e.trainImagesPerSecond, 0) / epochs.length : null,
      seconds: epochs.reduce((s, e) => s + e.seconds, 0),
    };
  });
  const configDiff: Comparison['configDiff'] = [];
  for (const key of ['dataset', 'preset', 'backend'] as const) {
    const values = runs.map((r) => r[key]);
    if (!same(values)) configDiff.push({ key, values });
  }
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))].sort();
  for (const key of keys) {
    const values = runs.map((r) => r.config[key] ?? null);
    if (!same(values)) configDiff.push({ key, values });
  }
  const described = runs.map((r) => describeSpec(r.spec));
  const paths: string[] = [];
  for (const d of described) for (const p of d.keys()) if (!paths.includes(p)) paths.push(p);
  const order = (p: string) => (p.startsWith('encoder.') ? 1e3 + Number(p.slice(8)) : p === 'head' ? 2e3 : p.startsWith('decoder.') ? 3e3 + Number(p.slice(8)) : 0);
  paths.sort((a, b) => order(a) - order(b));
  const specDiff = paths
    .map((path) => ({ path, values: described.map((d) => d.get(path) ?? null) }))
    .filter((row) => !same(row.values));
  return { runs, metrics, configDiff, specDiff };
}
