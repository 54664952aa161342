// The handler table: one function per channel of src/shared/api.ts. Electron's ipcMain and the serve host
// both call `dispatch`, which validates the request with the contract's validator first, so the two
// transports accept exactly the same requests and report errors the same way.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PRESETS } from '../../experiments/presets.ts';
import { inferSpec } from '../../experiments/spec.ts';
import { backendNames } from '../../engine/backends.ts';
import {
  type Channel, type ComparisonResult, type Envelope, type ExportedFile, type ImportFormatChoice, isChannel, type Req, type Res, validators,
} from '../../shared/api.ts';
import { DOWNLOADABLE, downloadDataset } from '../data/download.ts';
import { importDataset } from '../data/import.ts';
import { listDatasets, openDataset, removeDataset } from '../data/registry.ts';
import { extractZip } from '../data/zip.ts';
import { encodeGridPng } from '../images/grid.ts';
import { exportRun, forgetRun } from '../runs/analysis.ts';
import { RunStore, type RunRecord } from '../runs/store.ts';
import { checkpointPath } from '../training/run.ts';
import * as explore from './explore.ts';
import { type Emit, TrainingHost } from './training-host.ts';

export interface HostContext {
  home: string;
  mode: 'electron' | 'serve';
  version: string;
  emit: Emit;
}

export type Handlers = { [C in Channel]: (req: Req<C>) => Promise<Res<C>> };

/** A path inside the lab folder (symbolic links resolved), else an error: no handler reads or writes elsewhere. */
export function insideLab(home: string, path: string): string {
  const root = realpathSync(home);
  const abs = resolve(root, path);
  // Resolve links through the deepest part that exists (a file about to be written may not exist yet).
  let existing = abs;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const real = join(realpathSync(existing), relative(existing, abs));
  if (real !== root && !real.startsWith(root + sep)) throw new Error(`${path} is outside the lab folder`);
  return real;
}

/** Which importer reads a path: by extension for a file, by its contents for a folder. */
export function detectFormat(path: string): Exclude<ImportFormatChoice, 'auto'> {
  const st = statSync(path);
  if (st.isFile()) {
    if (/\.mat$/i.test(path)) return 'svhn';
    if (/-ubyte(\.gz)?$/i.test(path)) return 'idx';
    throw new Error(`${path}: cannot tell what this file holds; drop a folder of images, an IDX file, an SVHN .mat or a .zip of images`);
  }
  const names = readdirSync(path);
  if (names.some((n) => /-ubyte(\.gz)?$/i.test(n))) return 'idx';
  if (names.some((n) => /\.mat$/i.test(n))) return 'svhn';
  if (names.includes('img_align_celeba') || names.includes('list_eval_partition.txt')) return 'celeba';
  return 'folder';
}

const pngUrl = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

function exported(home: string, abs: string, mime: string): ExportedFile {
  const bytes = readFileSync(abs);
  return { path: relative(realpathSync(home), abs), absolutePath: abs, name: basename(abs), mime, bytes: bytes.length, base64: bytes.toString('base64') };
}

function exportDir(home: string, id: string): string {
  const dir = join(home, 'exports', id);
  mkdirSync(dir, { recursive: true });
  return insideLab(home, dir);
}

/** Flattens a value to dotted keys for diffs: { a: { b: 1 } } -> a.b = 1. */
function flatten(v: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = JSON.stringify(v);
  return out;
}

export function compareRuns(store: RunStore, ids: string[]): ComparisonResult {
  const runs = ids.map((id) => store.get(id));
  const curves = runs.map((r) => ({ id: r.id, epochs: store.epochs(r.id) }));
  const metrics = runs.map((r, i) => {
    const ep = curves[i].epochs;
    const best = ep.reduce<(typeof ep)[number] | null>((b, e) => (b === null || e.testLoss < b.testLoss ? e : b), null);
    const last = ep[ep.length - 1] ?? null;
    let params: number | null = null;
    try {
      params = inferSpec(r.spec).params;
    } catch {
      // an old run with a spec this version rejects: no count
    }
    return {
      id: r.id, name: r.name, bestTestLoss: best?.testLoss ?? null, bestEpoch: best?.epoch ?? null, lastTestLoss: last?.testLoss ?? null,
      lastTrainLoss: last?.trainLoss ?? null, lastRec: last?.testRec ?? null, lastKl: last?.testKl ?? null, epochs: ep.length, params,
      seconds: ep.reduce((a, e) => a + e.seconds, 0),
    };
  });
  const diff = (pick: (r: RunRecord) => Record<string, string>) => {
    const flat = runs.map(pick);
    const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
    return keys.filter((k) => new Set(flat.map((f) => f[k])).size > 1).map((k) => ({ key: k, values: flat.map((f) => (f[k] === undefined ? undefined : JSON.parse(f[k]))) }));
  };
  const configDiff = diff((r) => flatten({ ...r.config, dataset: r.dataset, backend: r.backend }));
  // Architecture diff by layer: "encoder.2: conv2d out 64 kernel 4 stride 2".
  const describe = (spec: unknown) => {
    const s = spec as { kind: string; latent?: number; likelihood?: string; beta?: number; encoder: Record<string, unknown>[]; decoder: Record<string, unknown>[] };
    const rows: Record<string, string> = { kind: s.kind, latent: String(s.latent ?? '-'), likelihood: s.likelihood ?? 'bernoulli', beta: String(s.beta ?? 1) };
    for (const part of ['encoder', 'decoder'] as const) {
      (s[part] ?? []).forEach((l, i) => {
        rows[`${part}.${i}`] = Object.entries(l).map(([k, v]) => (k === 'type' ? String(v) : `${k} ${JSON.stringify(v)}`)).join(' ');
      });
    }
    return rows;
  };
  const described = runs.map((r) => describe(r.spec));
  const paths = [...new Set(described.flatMap((d) => Object.keys(d)))];
  const specDiff = paths.filter((p) => new Set(described.map((d) => d[p] ?? '')).size > 1).map((p) => ({ path: p, values: described.map((d) => d[p] ?? '—') }));
  return { runs, metrics, configDiff, specDiff, curves };
}

export function createHandlers(ctx: HostContext): Handlers & { training: TrainingHost } {
  const { home } = ctx;
  const training = new TrainingHost(home, ctx.emit);
  const store = () => new RunStore(home);
  const runOf = (id: string) => store().get(id);

  const importPath = async (path: string, format: ImportFormatChoice, name: string | undefined, opts: { size?: number; channels?: 1 | 3 } = {}) => {
    let target = path;
    if (statSync(target).isFile() && /\.zip$/i.test(target)) {
      // A zip of images: unpack next to it (in the lab's imports folder for uploads) and import the folder.
      const dest = join(home, 'imports', `${basename(target, extname(target))}-unzipped`);
      mkdirSync(dest, { recursive: true });
      extractZip(target, dest);
      target = dest;
    }
    const fmt = format === 'auto' ? detectFormat(target) : format;
    const dsName = name;
    return importDataset(fmt, target, {
      home, name: dsName, ...(fmt === 'folder' || fmt === 'celeba' ? opts : {}),
      onProgress: (done, total) => ctx.emit('datasets.progress', { name: dsName ?? basename(target), phase: 'import', done, total }),
    });
  };

  const handlers: Handlers = {
    async 'app.info'() {
      return { version: ctx.version, home, mode: ctx.mode, platform: process.platform, backends: ['auto', ...backendNames()], downloadable: [...DOWNLOADABLE] };
    },
    async 'presets.list'() {
      return PRESETS;
    },
    async 'datasets.list'() {
      return listDatasets(home);
    },
    async 'datasets.preview'({ name, split, offset, count }) {
      const data = openDataset(name, home);
      try {
        const total = data.count(split);
        const n = Math.max(0, Math.min(count, total - offset));
        if (n === 0) throw new Error(`'${name}' has ${total} ${split} images; nothing from ${offset}`);
        const { channels: c, height: h, width: w } = data.info;
        const indices = Array.from({ length: n }, (_, i) => offset + i);
        const pixels = new Float32Array(n * c * h * w);
        data.readImages(split, indices, pixels);
        const cols = Math.min(n, 16);
        const png = await encodeGridPng(pixels, { n, c, h, w }, { cols, scale: Math.max(1, Math.round(56 / Math.max(h, w))) });
        const all = data.readLabels(split, Array.from({ length: total }, (_, i) => i));
        const classCount = Math.max(data.info.classes?.length ?? 0, ...all.map((x) => x + 1));
        const histogram = new Array<number>(classCount).fill(0);
        for (const l of all) if (l >= 0) histogram[l]++;
        return { name, split, offset, count: n, grid: pngUrl(png), cols, labels: Array.from(data.readLabels(split, indices)), classes: data.info.classes, histogram, info: { ...data.info } };
      } finally {
        data.close();
      }
    },
    async 'datasets.import'({ path, format, name, size, channels }) {
      const abs = resolve(path);
      if (!isAbsolute(abs) || !existsSync(abs)) throw new Error(`${path}: no such file or folder`);
      return importPath(realpathSync(abs), format, name, { size, channels });
    },
    async 'datasets.upload'({ fileName, base64, format, name }) {
      // The browser (serve mode) has no file paths: the bytes come up and land in the lab's imports folder.
      const dir = join(home, 'imports');
      mkdirSync(dir, { recursive: true });
      const file = insideLab(home, join(dir, fileName));
      writeFileSync(file, Buffer.from(base64, 'base64'));
      return importPath(file, format, name);
    },
    async 'datasets.download'({ name }) {
      if (!DOWNLOADABLE.includes(name)) throw new Error(`no download known for '${name}' (one of ${DOWNLOADABLE.join(', ')})`);
      return downloadDataset(name, {
        home,
        onProgress: (p) => ctx.emit('datasets.progress', { name, phase: 'download', done: p.received, total: p.total, file: p.file, etaSeconds: p.etaSeconds }),
        onImportProgress: (done, total) => ctx.emit('datasets.progress', { name, phase: 'import', done, total }),
      });
    },
    async 'datasets.remove'({ name }) {
      removeDataset(name, home);
      return { removed: name };
    },
    async 'runs.list'() {
      const s = store();
      s.markInterrupted();
      return s.list().map((r) => (training.isLive(r.id) === 'paused' ? { ...r, status: 'paused' as const } : r));
    },
    async 'runs.get'({ id, stepEvery }) {
      const s = store();
      return { run: s.get(id), epochs: s.epochs(id), steps: s.steps(id, stepEvery ?? 1), artifacts: s.artifacts(id), live: training.isLive(id) };
    },
    async 'runs.image'({ id, kind, epoch }) {
      const a = store().artifacts(id).find((x) => x.kind === kind && x.epoch === epoch);
      if (!a) throw new Error(`run ${id} has no ${kind} for epoch ${epoch}`);
      return { grid: pngUrl(readFileSync(insideLab(home, a.path))) };
    },
    async 'runs.delete'({ id }) {
      if (training.isLive(id)) throw new Error(`run ${id} is training; stop it first`);
      store().get(id);
      await forgetRun(id);
      store().delete(id);
      return { removed: id };
    },
    async 'runs.rename'({ id, name }) {
      const s = store();
      s.get(id);
      s.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, id);
      return s.get(id);
    },
    async 'runs.compare'({ ids, seed }) {
      const result = compareRuns(store(), ids);
      const samples = [];
      for (const id of ids) {
        try {
          samples.push({ id, ...(await explore.samples(home, id, 16, seed)), error: null });
        } catch (e) {
          samples.push({ id, grid: null, error: e instanceof Error ? e.message : String(e) });
        }
      }
      return { ...result, samples: samples.map((s) => ({ id: s.id, grid: s.grid, error: s.error })) };
    },
    async 'train.start'({ preset, spec, dataset, backend, name, config }) {
      if (spec !== undefined) inferSpec(spec); // a clear error here, before a worker starts
      const runId = await training.start({ preset, spec, dataset, backend, name, config });
      return { runId };
    },
    async 'train.resume'({ id, epochs, backend }) {
      runOf(id);
      return { runId: await training.resume(id, { epochs, backend }) };
    },
    async 'train.control'({ id, action }) {
      return training.control(id, action);
    },
    async 'train.active'() {
      return training.active();
    },
    async 'explore.map'({ id, count }) {
      return explore.latentMap(home, id, count);
    },
    async 'explore.decodePoint'({ id, x, y }) {
      return explore.decodePoint(home, id, x, y);
    },
    async 'explore.traverse'({ id, index, range, steps }) {
      return explore.traverse(home, id, index, range, steps);
    },
    async 'explore.interpolate'({ id, a, b, steps }) {
      return explore.interpolate(home, id, a, b, steps);
    },
    async 'explore.samples'({ id, n, seed }) {
      return explore.samples(home, id, n, seed);
    },
    async 'explore.testImages'({ id, offset, count }) {
      return explore.testImageStrip(home, id, offset, count);
    },
    async 'export.grid'({ id, rows, scale, seed }) {
      const { images, input: [c, h, w] } = await explore.sampleImages(home, id, rows * rows, seed);
      const png = await encodeGridPng(images, { n: rows * rows, c, h, w }, { cols: rows, scale });
      const file = join(exportDir(home, id), `samples-${rows}x${rows}-seed${seed}-x${scale}.png`);
      writeFileSync(file, png);
      return exported(home, file, 'image/png');
    },
    async 'export.checkpoint'({ id }) {
      runOf(id);
      const file = insideLab(home, checkpointPath(home, id));
      if (!existsSync(file)) throw new Error(`run ${id} has no checkpoint yet: it needs at least one completed epoch`);
      return exported(home, file, 'application/octet-stream');
    },
    // Code and metrics through the analysis service's exporters (the same files `latent-lab export` writes).
    async 'export.pytorch'({ id }) {
      const file = join(exportDir(home, id), `${id}_model.py`);
      await exportRun(id, { pytorch: file }, home);
      return exported(home, file, 'text/x-python');
    },
    async 'export.csv'({ id }) {
      const file = join(exportDir(home, id), `${id}_metrics.csv`);
      await exportRun(id, { csv: file }, home);
      return exported(home, file, 'text/csv');
    },
  };
  return Object.assign(handlers, { training });
}

/** Validates and runs one request; never throws (errors come back as values with their message). */
export async function dispatch(handlers: Handlers, channel: string, raw: unknown): Promise<Envelope<unknown>> {
  if (!isChannel(channel)) return { ok: false, error: `unknown channel '${channel}'` };
  try {
    const req = validators[channel](raw);
    const value = await (handlers[channel] as (r: unknown) => Promise<unknown>)(req);
    return { ok: true, value };
  } catch (e) {
    if (process.env.LATENT_LAB_DEBUG) console.error(e);
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
