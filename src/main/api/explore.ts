// The Explore and Export screens' view of a trained run: the analysis service (src/main/runs/analysis.ts:
// one model cache, one backend) and the latent-space views of src/experiments/evaluate.ts, laid out as the
// PNG data URLs, point lists and counts the renderer shows.
import {
  encodeImages, interpolate as interpolateImages, readTestImages, sampleImages as sampleRunImages, traversals, traversalValues,
} from '../../experiments/evaluate.ts';
import type { LatentMapResult } from '../../shared/api.ts';
import { encodeGridPng } from '../images/grid.ts';
import { decodeMapPointForRun, runLatentMap, withRun } from '../runs/analysis.ts';

/** Rows of a traversal: the first this many latent dimensions. */
const TRAVERSED_DIMS = 16;

/** Images [n, C, H, W] as a PNG data URL, cols wide; scale is for 28-px images (larger ones scale less). */
async function gridUrl(images: Float32Array, n: number, input: [number, number, number], cols: number, scale: number): Promise<string> {
  const [c, h, w] = input;
  const png = await encodeGridPng(images, { n, c, h, w }, { cols, scale: Math.max(1, Math.round((scale * 28) / Math.max(h, w))) });
  return `data:image/png;base64,${png.toString('base64')}`;
}

export async function latentMap(home: string, id: string, count: number): Promise<LatentMapResult> {
  const m = await runLatentMap(id, count, home);
  const classes = await withRun(id, home, async (l) => l.data.info.classes);
  return {
    method: m.method, dims: m.dims, explained: m.explained, classes,
    points: Array.from(m.labels, (_, i) => [m.points[2 * i], m.points[2 * i + 1]] as [number, number]),
    labels: Array.from(m.labels), indices: Array.from(m.indices),
  };
}

export async function decodePoint(home: string, id: string, x: number, y: number) {
  const image = await decodeMapPointForRun(id, x, y, home);
  const input = await withRun(id, home, async (l) => l.model.spec.input);
  return { grid: await gridUrl(image, 1, input, 1, 6), count: 1, cols: 1 };
}

/** The first 16 latent dimensions swept over [−range, range] around a test image's code: rows = dims. */
export async function traverse(home: string, id: string, index: number, range: number, steps: number) {
  const values = traversalValues(range, steps);
  const { images, shown, dims, input } = await withRun(id, home, async (l) => {
    const base = await encodeImages(l.engine, l.model, readTestImages(l.data, l.model, [index], `'${l.run.dataset}'`), 1);
    const dims = l.model.latentSize, shown = Math.min(dims, TRAVERSED_DIMS);
    const images = await traversals(l.engine, l.model, base, Array.from({ length: shown }, (_, d) => d), values);
    return { images, shown, dims, input: l.model.spec.input };
  });
  return { grid: await gridUrl(images, shown * steps, input, steps, 1), count: shown * steps, cols: steps, dims };
}

export async function interpolate(home: string, id: string, a: number, b: number, steps: number) {
  const { images, input } = await withRun(id, home, async (l) => {
    const pixels = readTestImages(l.data, l.model, [a, b], `'${l.run.dataset}'`);
    const size = pixels.length / 2;
    return { images: await interpolateImages(l.engine, l.model, pixels.subarray(0, size), pixels.subarray(size), steps), input: l.model.spec.input };
  });
  return { grid: await gridUrl(images, steps, input, steps, 2), count: steps, cols: steps };
}

/** Random images of a run (prior samples; an AE's from a Gaussian fitted to its codes) and their shape. */
export async function sampleImages(home: string, id: string, n: number, seed: number): Promise<{ images: Float32Array; input: [number, number, number] }> {
  return withRun(id, home, async (l) => ({ images: await sampleRunImages(l.engine, l.model, l.data, n, seed), input: l.model.spec.input }));
}

export async function samples(home: string, id: string, n: number, seed: number) {
  const { images, input } = await sampleImages(home, id, n, seed);
  const cols = Math.min(n, 8);
  return { grid: await gridUrl(images, n, input, cols, 2), count: n, cols };
}

/** count test images from offset (fewer at the end of the split), in one row, with their labels. */
export async function testImageStrip(home: string, id: string, offset: number, count: number) {
  const { pixels, labels, input } = await withRun(id, home, async ({ model, data }) => {
    const total = data.count('test');
    const n = Math.max(0, Math.min(count, total - offset));
    if (n === 0) throw new Error(`no test images from ${offset}: the data set has ${total}`);
    const indices = Array.from({ length: n }, (_, i) => offset + i);
    return { pixels: readTestImages(data, model, indices), labels: Array.from(data.readLabels('test', indices)), input: model.spec.input };
  });
  const n = labels.length;
  return { grid: await gridUrl(pixels, n, input, n, 2), count: n, cols: n, labels };
}
