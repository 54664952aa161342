// THE contract between the renderer and its host (Electron main through the preload, or the serve host over
// HTTP/WebSocket): every channel's name, request and response types, and the runtime validator of its request.
// Main, preload, serve host and renderer all import this one file, so a channel cannot drift between them,
// and both hosts run the same validators before the same handler table.
import type { DatasetInfo } from '../main/data/reader.ts';
import type { ArtifactRow, EpochMetricsRow, RunRecord, RunStatus, StepMetricsRow } from '../main/runs/store.ts';
import type { Preset } from '../experiments/presets.ts';
import type { EpochEvent, StepEvent, TrainConfig } from '../experiments/train.ts';

export type { DatasetInfo, RunRecord, RunStatus, EpochMetricsRow, StepMetricsRow, ArtifactRow, Preset, TrainConfig, StepEvent, EpochEvent };

/** A PNG as a data: URL (the CSP allows data: images; nothing remote). */
export type PngDataUrl = string;

export type BackendChoice = 'auto' | 'cpu' | 'webgpu' | 'reference';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cpu', 'webgpu', 'reference'];
export const IMPORT_FORMATS = ['auto', 'idx', 'svhn', 'celeba', 'folder'] as const;
export type ImportFormatChoice = (typeof IMPORT_FORMATS)[number];

export interface AppInfo {
  version: string;
  home: string;
  mode: 'electron' | 'serve';
  platform: string;
  backends: string[];
  downloadable: string[];
}

export interface DatasetPreview {
  name: string;
  split: 'train' | 'test';
  offset: number;
  count: number;
  grid: PngDataUrl;
  cols: number;
  labels: number[];
  classes: string[] | null;
  /** Images per label over the whole split (index = label; unlabelled images are left out). */
  histogram: number[];
  info: DatasetInfo;
}

export interface RunDetail {
  run: RunRecord;
  epochs: EpochMetricsRow[];
  steps: StepMetricsRow[];
  artifacts: ArtifactRow[];
  /** Whether this host is training it right now (and whether it is paused). */
  live: 'running' | 'paused' | null;
}

export interface LatentMapResult {
  method: 'identity' | 'pca';
  dims: number;
  /** [n][2] */
  points: [number, number][];
  labels: number[];
  indices: number[];
  explained: [number, number];
  classes: string[] | null;
}

export interface ImageStrip {
  /** The images laid out in one row (or rows of cols). */
  grid: PngDataUrl;
  count: number;
  cols: number;
}

export interface ComparisonResult {
  runs: RunRecord[];
  metrics: { id: string; name: string; bestTestLoss: number | null; bestEpoch: number | null; lastTestLoss: number | null; lastTrainLoss: number | null; lastRec: number | null; lastKl: number | null; epochs: number; params: number | null; seconds: number }[];
  configDiff: { key: string; values: unknown[] }[];
  specDiff: { path: string; values: string[] }[];
  curves: { id: string; epochs: EpochMetricsRow[] }[];
}

export interface ExportedFile {
  /** Relative to the lab folder. */
  path: string;
  absolutePath: string;
  name: string;
  mime: string;
  bytes: number;
  /** The content as base64, so the renderer can offer it as a download (serve mode: the files are on the host). */
  base64: string;
}

export interface ActiveTraining {
  runId: string;
  state: 'running' | 'paused';
}

/** Every channel: request and response. */
export interface ApiChannels {
  'app.info': { req: Record<string, never>; res: AppInfo };
  'presets.list': { req: Record<string, never>; res: Preset[] };
  'datasets.list': { req: Record<string, never>; res: DatasetInfo[] };
  'datasets.preview': { req: { name: string; split: 'train' | 'test'; offset: number; count: number }; res: DatasetPreview };
  'datasets.import': { req: { path: string; format: ImportFormatChoice; name?: string; size?: number; channels?: 1 | 3 }; res: DatasetInfo };
  'datasets.upload': { req: { fileName: string; base64: string; format: ImportFormatChoice; name?: string }; res: DatasetInfo };
  'datasets.download': { req: { name: string }; res: DatasetInfo };
  'datasets.remove': { req: { name: string }; res: { removed: string } };
  'runs.list': { req: Record<string, never>; res: RunRecord[] };
  'runs.get': { req: { id: string; stepEvery?: number }; res: RunDetail };
  'runs.image': { req: { id: string; kind: 'reconstructions' | 'samples'; epoch: number }; res: { grid: PngDataUrl } };
  'runs.delete': { req: { id: string }; res: { removed: string } };
  'runs.rename': { req: { id: string; name: string }; res: RunRecord };
  'runs.compare': { req: { ids: string[]; seed: number }; res: ComparisonResult & { samples: { id: string; grid: PngDataUrl | null; error: string | null }[] } };
  'train.start': { req: { preset?: string; spec?: unknown; dataset: string; backend: BackendChoice; name?: string; config: Partial<TrainConfig> }; res: { runId: string } };
  'train.resume': { req: { id: string; epochs?: number; backend?: BackendChoice }; res: { runId: string } };
  'train.control': { req: { id: string; action: 'pause' | 'resume' | 'stop' }; res: ActiveTraining | null };
  'train.active': { req: Record<string, never>; res: ActiveTraining[] };
  'explore.map': { req: { id: string; count: number }; res: LatentMapResult };
  'explore.decodePoint': { req: { id: string; x: number; y: number }; res: ImageStrip };
  'explore.traverse': { req: { id: string; index: number; range: number; steps: number }; res: ImageStrip & { dims: number } };
  'explore.interpolate': { req: { id: string; a: number; b: number; steps: number }; res: ImageStrip };
  'explore.samples': { req: { id: string; n: number; seed: number }; res: ImageStrip };
  'explore.testImages': { req: { id: string; offset: number; count: number }; res: ImageStrip & { labels: number[] } };
  'export.grid': { req: { id: string; rows: number; scale: number; seed: number }; res: ExportedFile };
  'export.checkpoint': { req: { id: string }; res: ExportedFile };
  'export.pytorch': { req: { id: string }; res: ExportedFile };
  'export.csv': { req: { id: string }; res: ExportedFile };
}

export type Channel = keyof ApiChannels;
export type Req<C extends Channel> = ApiChannels[C]['req'];
export type Res<C extends Channel> = ApiChannels[C]['res'];

/** What crosses the wire: errors are values, so both transports report them the same way. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: string };

/** Events the host pushes to the renderer. */
export interface ApiEvents {
  'train.step': { runId: string; event: StepEvent; totalSteps: number; stepsPerEpoch: number; epochs: number };
  'train.epoch': { runId: string; event: EpochEvent; reconstructions: PngDataUrl | null; samples: PngDataUrl | null };
  'train.status': { runId: string; status: RunStatus | 'paused'; error: string | null };
  'datasets.progress': { name: string; phase: 'download' | 'import'; done: number; total: number | null; file?: string; etaSeconds?: number | null };
}
export type EventName = keyof ApiEvents;
export const EVENT_NAMES: readonly EventName[] = ['train.step', 'train.epoch', 'train.status', 'datasets.progress'];

/** The typed interface the renderer programs against: one method per channel, plus events. */
export type LatentLabApi = { [C in Channel]: (req: Req<C>) => Promise<Res<C>> } & {
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** Electron only: the file-system path of a dropped File (null in a browser). */
  pathForFile?(file: File): string | null;
};

// ---------------------------------------------------------------------------------------------------------
// Validation. Every request is checked before a handler sees it: unknown fields, wrong types, out-of-range
// sizes and malformed ids are rejected with a message naming the channel and the field.

export class ApiError extends Error {
  override name = 'ApiError';
}

export const RUN_ID = /^[0-9]{8}-[0-9a-f]{6}$/;
export const DATASET_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PRESET_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

type Obj = Record<string, unknown>;

function fail(ch: string, field: string, what: string, got: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(got);
  } catch {
    shown = String(got);
  }
  if (shown === undefined) shown = 'nothing';
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  throw new ApiError(`${ch}: ${field} must be ${what}, got ${shown}`);
}

function object(ch: string, raw: unknown, allowed: readonly string[]): Obj {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(ch, 'the request', 'an object', raw);
  for (const k of Object.keys(raw as Obj)) {
    if (!allowed.includes(k)) throw new ApiError(`${ch}: unknown field "${k}" (fields: ${allowed.join(', ') || 'none'})`);
  }
  return raw as Obj;
}

function int(ch: string, o: Obj, k: string, min: number, max: number, fallback?: number): number {
  const v = o[k] ?? fallback;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max)) fail(ch, k, `an integer in ${min}..${max}`, o[k]);
  return v;
}

function num(ch: string, o: Obj, k: string, min: number, max: number): number {
  const v = o[k];
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max)) fail(ch, k, `a number in ${min}..${max}`, v);
  return v;
}

function matching(ch: string, o: Obj, k: string, re: RegExp, what: string): string {
  const v = o[k];
  if (!(typeof v === 'string' && re.test(v))) fail(ch, k, what, v);
  return v;
}

function oneOf<T extends string>(ch: string, o: Obj, k: string, options: readonly T[], fallback?: T): T {
  const v = o[k] ?? fallback;
  if (!(typeof v === 'string' && (options as readonly string[]).includes(v))) fail(ch, k, `one of ${options.join(', ')}`, o[k]);
  return v as T;
}

function text(ch: string, o: Obj, k: string, max: number): string {
  const v = o[k];
  // eslint-disable-next-line no-control-regex
  if (!(typeof v === 'string' && v.length >= 1 && v.length <= max && !/[\u0000-\u001f]/.test(v))) fail(ch, k, `text of 1..${max} characters without control characters`, v);
  return v;
}

const runId = (ch: string, o: Obj, k = 'id') => matching(ch, o, k, RUN_ID, 'a run id like 20250101-a1b2c3');
const datasetName = (ch: string, o: Obj, k = 'name') => matching(ch, o, k, DATASET_NAME, "a data set name (a-z, 0-9, '.', '_', '-'; at most 64)");

const none = (ch: string) => (raw: unknown) => {
  object(ch, raw, []);
  return {} as Record<string, never>;
};

/** Bounds of the training config a request may ask for. */
const CONFIG_FIELDS: Record<keyof TrainConfig, (ch: string, o: Obj, k: string) => unknown> = {
  epochs: (ch, o, k) => int(ch, o, k, 1, 10_000),
  steps: (ch, o, k) => int(ch, o, k, 0, 100_000_000),
  batch: (ch, o, k) => int(ch, o, k, 1, 4096),
  optimizer: (ch, o, k) => oneOf(ch, o, k, ['adam', 'sgd'] as const),
  lr: (ch, o, k) => {
    const v = num(ch, o, k, 0, 10);
    if (v <= 0) fail(ch, k, 'a positive number', v);
    return v;
  },
  momentum: (ch, o, k) => num(ch, o, k, 0, 1),
  weightDecay: (ch, o, k) => num(ch, o, k, 0, 1),
  schedule: (ch, o, k) => oneOf(ch, o, k, ['constant', 'cosine'] as const),
  beta: (ch, o, k) => (o[k] === null ? null : num(ch, o, k, 0, 1000)),
  klWarmupEpochs: (ch, o, k) => int(ch, o, k, 0, 10_000),
  seed: (ch, o, k) => int(ch, o, k, 0, 2 ** 31 - 1),
  shuffle: (ch, o, k) => {
    if (typeof o[k] !== 'boolean') fail(ch, k, 'true or false', o[k]);
    return o[k];
  },
  trainLimit: (ch, o, k) => int(ch, o, k, 0, 100_000_000),
  testLimit: (ch, o, k) => int(ch, o, k, 0, 100_000_000),
};

function trainConfig(ch: string, raw: unknown): Partial<TrainConfig> {
  const o = object(`${ch} config`, raw, Object.keys(CONFIG_FIELDS));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = CONFIG_FIELDS[k as keyof TrainConfig](`${ch} config`, o, k);
  return out as Partial<TrainConfig>;
}

/** A spec is checked for shape and size here; its meaning (layers, shapes) by inferSpec in the handler. */
function specValue(ch: string, v: unknown): unknown {
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(ch, 'spec', 'an architecture object', v);
  if (JSON.stringify(v).length > 100_000) throw new ApiError(`${ch}: spec is larger than 100 kB`);
  return v;
}

const MAX_UPLOAD_BASE64 = 700 * 1024 * 1024; // ~512 MiB of file

export const validators: { [C in Channel]: (raw: unknown) => Req<C> } = {
  'app.info': none('app.info'),
  'presets.list': none('presets.list'),
  'datasets.list': none('datasets.list'),
  'datasets.preview': (raw) => {
    const ch = 'datasets.preview', o = object(ch, raw, ['name', 'split', 'offset', 'count']);
    return { name: datasetName(ch, o), split: oneOf(ch, o, 'split', ['train', 'test'] as const, 'train'), offset: int(ch, o, 'offset', 0, 100_000_000, 0), count: int(ch, o, 'count', 1, 400, 64) };
  },
  'datasets.import': (raw) => {
    const ch = 'datasets.import', o = object(ch, raw, ['path', 'format', 'name', 'size', 'channels']);
    const path = text(ch, o, 'path', 4096);
    if (!/^([a-zA-Z]:[\\/]|\/|\\\\)/.test(path)) fail(ch, 'path', 'an absolute path', path);
    const r: Req<'datasets.import'> = { path, format: oneOf(ch, o, 'format', IMPORT_FORMATS, 'auto') };
    if (o.name !== undefined) r.name = datasetName(ch, o);
    if (o.size !== undefined) r.size = int(ch, o, 'size', 8, 256);
    if (o.channels !== undefined) r.channels = oneOf(ch, { channels: String(o.channels) }, 'channels', ['1', '3'] as const) === '1' ? 1 : 3;
    return r;
  },
  'datasets.upload': (raw) => {
    const ch = 'datasets.upload', o = object(ch, raw, ['fileName', 'base64', 'format', 'name']);
    const fileName = matching(ch, o, 'fileName', /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,127}$/, 'a plain file name (no folders)');
    if (typeof o.base64 !== 'string' || o.base64.length > MAX_UPLOAD_BASE64 || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.base64)) fail(ch, 'base64', 'base64 text of at most 512 MiB', '(data)');
    const r: Req<'datasets.upload'> = { fileName, base64: o.base64 as string, format: oneOf(ch, o, 'format', IMPORT_FORMATS, 'auto') };
    if (o.name !== undefined) r.name = datasetName(ch, o);
    return r;
  },
  'datasets.download': (raw) => {
    const ch = 'datasets.download', o = object(ch, raw, ['name']);
    return { name: datasetName(ch, o) };
  },
  'datasets.remove': (raw) => {
    const ch = 'datasets.remove', o = object(ch, raw, ['name']);
    return { name: datasetName(ch, o) };
  },
  'runs.list': none('runs.list'),
  'runs.get': (raw) => {
    const ch = 'runs.get', o = object(ch, raw, ['id', 'stepEvery']);
    return { id: runId(ch, o), stepEvery: int(ch, o, 'stepEvery', 1, 100_000, 1) };
  },
  'runs.image': (raw) => {
    const ch = 'runs.image', o = object(ch, raw, ['id', 'kind', 'epoch']);
    return { id: runId(ch, o), kind: oneOf(ch, o, 'kind', ['reconstructions', 'samples'] as const), epoch: int(ch, o, 'epoch', 1, 10_000) };
  },
  'runs.delete': (raw) => {
    const ch = 'runs.delete', o = object(ch, raw, ['id']);
    return { id: runId(ch, o) };
  },
  'runs.rename': (raw) => {
    const ch = 'runs.rename', o = object(ch, raw, ['id', 'name']);
    return { id: runId(ch, o), name: text(ch, o, 'name', 200) };
  },
  'runs.compare': (raw) => {
    const ch = 'runs.compare', o = object(ch, raw, ['ids', 'seed']);
    if (!Array.isArray(o.ids) || o.ids.length < 2 || o.ids.length > 8) fail(ch, 'ids', 'a list of 2 to 8 run ids', o.ids);
    const ids = (o.ids as unknown[]).map((v, i) => runId(ch, { [`ids[${i}]`]: v }, `ids[${i}]`));
    if (new Set(ids).size !== ids.length) fail(ch, 'ids', 'distinct run ids', ids);
    return { ids, seed: int(ch, o, 'seed', 0, 2 ** 31 - 1, 0) };
  },
  'train.start': (raw) => {
    const ch = 'train.start', o = object(ch, raw, ['preset', 'spec', 'dataset', 'backend', 'name', 'config']);
    if ((o.preset === undefined) === (o.spec === undefined)) throw new ApiError(`${ch}: give either a preset or a spec`);
    const r: Req<'train.start'> = { dataset: datasetName(ch, o, 'dataset'), backend: oneOf(ch, o, 'backend', BACKEND_CHOICES, 'auto'), config: trainConfig(ch, o.config ?? {}) };
    if (o.preset !== undefined) r.preset = matching(ch, o, 'preset', PRESET_NAME, 'a preset name');
    if (o.spec !== undefined) r.spec = specValue(ch, o.spec);
    if (o.name !== undefined) r.name = text(ch, o, 'name', 200);
    return r;
  },
  'train.resume': (raw) => {
    const ch = 'train.resume', o = object(ch, raw, ['id', 'epochs', 'backend']);
    const r: Req<'train.resume'> = { id: runId(ch, o) };
    if (o.epochs !== undefined) r.epochs = int(ch, o, 'epochs', 1, 10_000);
    if (o.backend !== undefined) r.backend = oneOf(ch, o, 'backend', BACKEND_CHOICES);
    return r;
  },
  'train.control': (raw) => {
    const ch = 'train.control', o = object(ch, raw, ['id', 'action']);
    return { id: runId(ch, o), action: oneOf(ch, o, 'action', ['pause', 'resume', 'stop'] as const) };
  },
  'train.active': none('train.active'),
  'explore.map': (raw) => {
    const ch = 'explore.map', o = object(ch, raw, ['id', 'count']);
    return { id: runId(ch, o), count: int(ch, o, 'count', 10, 10_000, 1000) };
  },
  'explore.decodePoint': (raw) => {
    const ch = 'explore.decodePoint', o = object(ch, raw, ['id', 'x', 'y']);
    return { id: runId(ch, o), x: num(ch, o, 'x', -1e6, 1e6), y: num(ch, o, 'y', -1e6, 1e6) };
  },
  'explore.traverse': (raw) => {
    const ch = 'explore.traverse', o = object(ch, raw, ['id', 'index', 'range', 'steps']);
    return { id: runId(ch, o), index: int(ch, o, 'index', 0, 100_000_000), range: num(ch, o, 'range', 0.1, 10), steps: int(ch, o, 'steps', 2, 21) };
  },
  'explore.interpolate': (raw) => {
    const ch = 'explore.interpolate', o = object(ch, raw, ['id', 'a', 'b', 'steps']);
    return { id: runId(ch, o), a: int(ch, o, 'a', 0, 100_000_000), b: int(ch, o, 'b', 0, 100_000_000), steps: int(ch, o, 'steps', 2, 32) };
  },
  'explore.samples': (raw) => {
    const ch = 'explore.samples', o = object(ch, raw, ['id', 'n', 'seed']);
    return { id: runId(ch, o), n: int(ch, o, 'n', 1, 256), seed: int(ch, o, 'seed', 0, 2 ** 31 - 1) };
  },
  'explore.testImages': (raw) => {
    const ch = 'explore.testImages', o = object(ch, raw, ['id', 'offset', 'count']);
    return { id: runId(ch, o), offset: int(ch, o, 'offset', 0, 100_000_000, 0), count: int(ch, o, 'count', 1, 64, 16) };
  },
  'export.grid': (raw) => {
    const ch = 'export.grid', o = object(ch, raw, ['id', 'rows', 'scale', 'seed']);
    return { id: runId(ch, o), rows: int(ch, o, 'rows', 1, 32, 8), scale: int(ch, o, 'scale', 1, 8, 2), seed: int(ch, o, 'seed', 0, 2 ** 31 - 1, 0) };
  },
  'export.checkpoint': (raw) => ({ id: runId('export.checkpoint', object('export.checkpoint', raw, ['id'])) }),
  'export.pytorch': (raw) => ({ id: runId('export.pytorch', object('export.pytorch', raw, ['id'])) }),
  'export.csv': (raw) => ({ id: runId('export.csv', object('export.csv', raw, ['id'])) }),
};

export const CHANNELS = Object.keys(validators) as Channel[];

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(validators, name);
}
