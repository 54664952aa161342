// Looking inside a trained run for the Explore and Export screens: codes of test images, the 2-D map of
// them, decoding points, traversals, interpolations and prior samples. A run's model is loaded from its
// checkpoint once and cached (reloaded when the run has trained further).
import { readFileSync, statSync } from 'node:fs';
import type { Backend } from '../../engine/backend.ts';
import { createBackend } from '../../engine/backends.ts';
import { Rng } from '../../engine/rng.ts';
import { Engine } from '../../engine/tensor.ts';
import { modelFromCheckpoint, readCheckpoint } from '../../experiments/checkpoint.ts';
import type { Model } from '../../experiments/model.ts';
import { openDataset } from '../data/registry.ts';
import { encodeGridPng } from '../images/grid.ts';
import { checkpointPath } from '../training/run.ts';
import { RunStore } from '../runs/store.ts';

interface Loaded {
  engine: Engine;
  model: Model;
  mtime: number;
  dataset: string;
  /** Cached 2-D map (its projection is what decodePoint inverts). */
  map: { mean: Float32Array; components: Float32Array; dims: number; method: 'identity' | 'pca' } | null;
}

let backend: Promise<Backend> | null = null;
const cache = new Map<string, Loaded>();
const MAX_CACHED = 4;

/** One backend for all explored models: the fast CPU one where it runs, else the reference. */
function exploreBackend(): Promise<Backend> {
  backend ??= createBackend('cpu').catch(() => createBackend('reference'));
  return backend;
}

export async function loadRunModel(home: string, id: string): Promise<Loaded> {
  const run = new RunStore(home).get(id);
  const file = checkpointPath(home, id);
  let mtime: number;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    throw new Error(`run ${id} has no checkpoint yet: it needs at least one completed epoch`);
  }
  const hit = cache.get(id);
  if (hit && hit.mtime === mtime) return hit;
  if (hit) {
    hit.model.dispose();
    cache.delete(id);
  }
  const engine = new Engine(await exploreBackend());
  const model = modelFromCheckpoint(engine, readCheckpoint(readFileSync(file), file), file);
  const loaded: Loaded = { engine, model, mtime, dataset: run.dataset, map: null };
  cache.set(id, loaded);
  while (cache.size > MAX_CACHED) {
    const [oldest, value] = cache.entries().next().value as [string, Loaded];
    value.model.dispose();
    cache.delete(oldest);
  }
  return loaded;
}

export function forgetRunModel(id: string): void {
  cache.get(id)?.model.dispose();
  cache.delete(id);
}

function imageShape(model: Model) {
  const [c, h, w] = model.spec.input;
  return { c, h, w, chw: c * h * w };
}

/** Test images [n, C, H, W] and labels of a run's data set. */
export function testImages(home: string, dataset: string, indices: number[], model: Model): { pixels: Float32Array; labels: Int32Array; total: number } {
  const data = openDataset(dataset, home);
  try {
    const total = data.count('test');
    for (const i of indices) if (i >= total) throw new Error(`test image ${i} does not exist: '${dataset}' has ${total} test images`);
    const pixels = new Float32Array(indices.length * imageShape(model).chw);
    data.readImages('test', indices, pixels);
    return { pixels, labels: data.readLabels('test', indices), total };
  } finally {
    data.close();
  }
}

/** Codes of images: mu for a VAE, the flattened encoder output for an AE. [n, D] */
export async function encode(l: Loaded, pixels: Float32Array, n: number): Promise<{ codes: Float32Array; dims: number }> {
  const { engine: e, model } = l;
  const { c, h, w, chw } = imageShape(model);
  const chunks: Float32Array[] = [];
  let dims = 0;
  for (let start = 0; start < n; start += 256) {
    const b = Math.min(256, n - start);
    const code = await e.scopeAsync(async () => {
      const x = e.fromArray([b, c, h, w], pixels.subarray(start * chw, (start + b) * chw));
      const f = e.noGrad(() => model.forward(x, { training: false, rng: new Rng(0), sample: false }));
      return (f.mu ?? f.z).read();
    });
    dims = code.length / b;
    chunks.push(code);
  }
  const codes = new Float32Array(n * dims);
  let at = 0;
  for (const ch of chunks) {
    codes.set(ch, at);
    at += ch.length;
  }
  return { codes, dims };
}

/** Decodes codes [n, D] to images in [0, 1]. */
export async function decode(l: Loaded, z: Float32Array, n: number): Promise<Float32Array> {
  const { engine: e, model } = l;
  const dims = z.length / n;
  const codeShape = model.spec.kind === 'vae' ? [n, dims] : [n, ...aeCodeShape(model)];
  return e.scopeAsync(async () => e.noGrad(() => model.decode(e.fromArray(codeShape, z))).read());
}

function aeCodeShape(model: Model): number[] {
  const enc = model.layers.filter((x) => x.path.startsWith('encoder.'));
  return enc.length ? enc[enc.length - 1].outShape : [...model.spec.input];
}

export async function gridUrl(images: Float32Array, n: number, model: Model, cols: number, scale = 2): Promise<string> {
  const { c, h, w } = imageShape(model);
  const png = await encodeGridPng(images, { n, c, h, w }, { cols, scale: Math.max(1, Math.round((scale * 28) / Math.max(h, w))) });
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Top-2 principal directions of codes [n, D] by power iteration with deflation (D can be 1,568 for a conv AE). */
function pca2(codes: Float32Array, n: number, d: number): { mean: Float32Array; components: Float32Array; explained: [number, number] } {
  const mean = new Float32Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += codes[i * d + j] / n;
  const centred = new Float64Array(n * d);
  let total = 0;
  for (let i = 0; i < n * d; i++) {
    centred[i] = codes[i] - mean[i % d];
    total += centred[i] * centred[i];
  }
  const components = new Float32Array(2 * d);
  const explained: [number, number] = [0, 0];
  const rng = new Rng(7);
  for (let k = 0; k < 2; k++) {
    let v = Float64Array.from(rng.fillNormal(new Float32Array(d)));
    let lambda = 0;
    for (let it = 0; it < 100; it++) {
      // v <- Xc^T (Xc v), minus what the first component already explains.
      const xv = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += centred[i * d + j] * v[j];
        xv[i] = s;
      }
      const next = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) next[j] += centred[i * d + j] * xv[i];
      if (k === 1) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += next[j] * components[j];
        for (let j = 0; j < d; j++) next[j] -= dot * components[j];
      }
      const norm = Math.hypot(...next) || 1;
      lambda = norm;
      v = next.map((x) => x / norm);
    }
    for (let j = 0; j < d; j++) components[k * d + j] = v[j];
    explained[k] = total > 0 ? lambda / total : 0;
  }
  return { mean, components, explained };
}

export async function latentMap(home: string, id: string, count: number) {
  const l = await loadRunModel(home, id);
  const data = openDataset(l.dataset, home);
  const total = data.count('test');
  const classes = data.info.classes;
  data.close();
  const n = Math.min(count, total);
  // Evenly spread over the test split, so every class shows up.
  const indices = Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
  const { pixels, labels } = testImages(home, l.dataset, indices, l.model);
  const { codes, dims } = await encode(l, pixels, n);
  let points: [number, number][];
  let explained: [number, number] = [1, 0];
  if (dims <= 2) {
    l.map = { mean: new Float32Array(dims), components: new Float32Array(0), dims, method: 'identity' };
    points = indices.map((_, i) => [codes[i * dims], dims === 2 ? codes[i * dims + 1] : 0]);
    if (dims === 2) explained = [1, 1];
  } else {
    const p = pca2(codes, n, dims);
    l.map = { mean: p.mean, components: p.components, dims, method: 'pca' };
    explained = p.explained;
    points = indices.map((_, i) => {
      let a = 0, b = 0;
      for (let j = 0; j < dims; j++) {
        const c = codes[i * dims + j] - p.mean[j];
        a += c * p.components[j];
        b += c * p.components[dims + j];
      }
      return [a, b];
    });
  }
  return { method: l.map.method, dims, points, labels: Array.from(labels), indices, explained, classes };
}

export async function decodePoint(home: string, id: string, x: number, y: number): Promise<{ grid: string; count: number; cols: number }> {
  const l = await loadRunModel(home, id);
  if (!l.map) await latentMap(home, id, 500);
  const m = l.map!;
  const z = new Float32Array(m.dims);
  if (m.method === 'identity') {
    z[0] = x;
    if (m.dims > 1) z[1] = y;
  } else {
    for (let j = 0; j < m.dims; j++) z[j] = m.mean[j] + x * m.components[j] + y * m.components[m.dims + j];
  }
  const img = await decode(l, z, 1);
  return { grid: await gridUrl(img, 1, l.model, 1, 6), count: 1, cols: 1 };
}

/** Each latent dimension (up to 16) swept over [-range, range] around a test image's code: rows = dims. */
export async function traverse(home: string, id: string, index: number, range: number, steps: number) {
  const l = await loadRunModel(home, id);
  const { pixels } = testImages(home, l.dataset, [index], l.model);
  const { codes, dims } = await encode(l, pixels, 1);
  const shown = Math.min(dims, 16);
  const z = new Float32Array(shown * steps * dims);
  for (let d = 0; d < shown; d++) {
    for (let s = 0; s < steps; s++) {
      const row = (d * steps + s) * dims;
      z.set(codes, row);
      z[row + d] = -range + (2 * range * s) / (steps - 1);
    }
  }
  const images = await decode(l, z, shown * steps);
  return { grid: await gridUrl(images, shown * steps, l.model, steps, 1), count: shown * steps, cols: steps, dims };
}

export async function interpolate(home: string, id: string, a: number, b: number, steps: number) {
  const l = await loadRunModel(home, id);
  const { pixels } = testImages(home, l.dataset, [a, b], l.model);
  const { codes, dims } = await encode(l, pixels, 2);
  const z = new Float32Array(steps * dims);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    for (let j = 0; j < dims; j++) z[s * dims + j] = (1 - t) * codes[j] + t * codes[dims + j];
  }
  const images = await decode(l, z, steps);
  return { grid: await gridUrl(images, steps, l.model, steps, 2), count: steps, cols: steps };
}

/**
 * Random images: a VAE decodes z ~ N(0, I); an AE has no prior, so its codes are drawn from a diagonal
 * Gaussian fitted to the codes of 256 test images. The seed fixes the draws, so runs compare side by side.
 */
export async function sampleImages(home: string, id: string, n: number, seed: number): Promise<{ images: Float32Array; l: Loaded }> {
  const l = await loadRunModel(home, id);
  const rng = new Rng(seed);
  let z: Float32Array;
  if (l.model.spec.kind === 'vae') {
    z = rng.fillNormal(new Float32Array(n * l.model.spec.latent!));
  } else {
    const data = openDataset(l.dataset, home);
    const m = Math.min(256, data.count('test'));
    data.close();
    const { pixels } = testImages(home, l.dataset, Array.from({ length: m }, (_, i) => i), l.model);
    const { codes, dims } = await encode(l, pixels, m);
    const mean = new Float32Array(dims), sd = new Float32Array(dims);
    for (let i = 0; i < m; i++) for (let j = 0; j < dims; j++) mean[j] += codes[i * dims + j] / m;
    for (let i = 0; i < m; i++) for (let j = 0; j < dims; j++) sd[j] += (codes[i * dims + j] - mean[j]) ** 2 / m;
    z = rng.fillNormal(new Float32Array(n * dims));
    for (let i = 0; i < z.length; i++) z[i] = mean[i % dims] + Math.sqrt(sd[i % dims]) * z[i];
  }
  return { images: await decode(l, z, n), l };
}

export async function samples(home: string, id: string, n: number, seed: number) {
  const { images, l } = await sampleImages(home, id, n, seed);
  const cols = Math.min(n, 8);
  return { grid: await gridUrl(images, n, l.model, cols, 2), count: n, cols };
}

export async function testImageStrip(home: string, id: string, offset: number, count: number) {
  const l = await loadRunModel(home, id);
  const data = openDataset(l.dataset, home);
  const total = data.count('test');
  data.close();
  const n = Math.max(0, Math.min(count, total - offset));
  if (n === 0) throw new Error(`no test images from ${offset}: the data set has ${total}`);
  const indices = Array.from({ length: n }, (_, i) => offset + i);
  const { pixels, labels } = testImages(home, l.dataset, indices, l.model);
  return { grid: await gridUrl(pixels, n, l.model, n, 2), count: n, cols: n, labels: Array.from(labels) };
}
