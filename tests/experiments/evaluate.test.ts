// Evaluation on real MNIST (built in, read into a temporary lab): the importance-sampled NLL against the ELBO,
// SSIM against a direct implementation, PCA on data with known axes, the latent map and decoding views.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/engine/backends.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Engine } from '../../src/engine/tensor.ts';
import {
  decodeLatents, encodeImages, evaluateModel, importanceSampledNll, interpolate, latentFromMapPoint, latentMap,
  logImportanceWeights, mapCodes, reconstruct, ssim, traversal,
} from '../../src/experiments/evaluate.ts';
import { Model } from '../../src/experiments/model.ts';
import { findPreset } from '../../src/experiments/presets.ts';
import { DEFAULT_TRAIN_CONFIG, Trainer } from '../../src/experiments/train.ts';
import { openDataset, type DatasetReader } from '../../src/main/data/registry.ts';
import { tempLab } from '../data/helpers/lab.ts';

async function fastestCpu() {
  try {
    return await createBackend('cpu');
  } catch {
    return createBackend('reference');
  }
}

/** SSIM straight from the definition: a full 2-D Gaussian window at every valid position. */
function ssimDirect(a: Float32Array, b: Float32Array, h: number, w: number): number {
  const k = 11, g: number[] = [];
  for (let i = 0; i < k; i++) g.push(Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
  const s = g.reduce((x, y) => x + y, 0);
  let total = 0, count = 0;
  for (let y0 = 0; y0 + k <= h; y0++) {
    for (let x0 = 0; x0 + k <= w; x0++) {
      let mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const wt = (g[i] * g[j]) / (s * s), p = a[(y0 + i) * w + x0 + j], q = b[(y0 + i) * w + x0 + j];
          mx += wt * p; my += wt * q; xx += wt * p * p; yy += wt * q * q; xy += wt * p * q;
        }
      }
      const c1 = 1e-4, c2 = 9e-4;
      total += ((2 * mx * my + c1) * (2 * (xy - mx * my) + c2)) / ((mx * mx + my * my + c1) * (xx - mx * mx + yy - my * my + c2));
      count++;
    }
  }
  return total / count;
}

describe('ssim', () => {
  it('is 1 for identical images, matches the direct definition and falls with noise', () => {
    const rng = new Rng(3), h = 20, w = 24;
    const a = rng.fillUniform(new Float32Array(h * w), 0, 1);
    const b = a.map((v) => Math.min(1, Math.max(0, v + 0.2 * rng.normal())));
    expect(ssim(a, a, { n: 1, c: 1, h, w })).toBeCloseTo(1, 10);
    const ours = ssim(a, b, { n: 1, c: 1, h, w });
    expect(ours).toBeCloseTo(ssimDirect(a, b, h, w), 10);
    expect(ours).toBeLessThan(0.9);
    // Mean over images: two copies of the pair give the same value; a perfect pair raises it.
    const two = new Float32Array(2 * h * w), twoB = new Float32Array(2 * h * w);
    two.set(a); two.set(a, h * w); twoB.set(b); twoB.set(a, h * w);
    expect(ssim(two, twoB, { n: 2, c: 1, h, w })).toBeCloseTo((ours + 1) / 2, 10);
  });
});

describe('latent map projection', () => {
  it('finds known principal axes and maps points back to codes', () => {
    const rng = new Rng(5), n = 800, d = 6;
    const u = [1, 1, 0, 0, 0, 0].map((v) => v / Math.SQRT2), v = [0, 0, 1, -1, 1, 0].map((x) => x / Math.sqrt(3));
    const codes = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const a = 3 * rng.normal(), b = 1 * rng.normal();
      for (let j = 0; j < d; j++) codes[i * d + j] = 0.5 + a * u[j] + b * v[j] + 0.01 * rng.normal();
    }
    const m = mapCodes(codes, n, d);
    expect(m.method).toBe('pca');
    const c0 = Array.from(m.components.subarray(0, d)), c1 = Array.from(m.components.subarray(d));
    const dot = (x: number[], y: number[]) => x.reduce((s, xi, i) => s + xi * y[i], 0);
    expect(Math.abs(dot(c0, u))).toBeGreaterThan(0.999);
    expect(Math.abs(dot(c1, v))).toBeGreaterThan(0.999);
    expect(m.explained[0]).toBeGreaterThan(0.85);
    expect(m.explained[0] + m.explained[1]).toBeGreaterThan(0.99);
    // A point of the map decodes to (nearly) the code it came from: the codes lie in the plane.
    const back = latentFromMapPoint({ ...m, labels: new Int32Array(0), indices: new Int32Array(0) }, m.points[0], m.points[1]);
    for (let j = 0; j < d; j++) expect(back[j]).toBeCloseTo(codes[j], 1);
    // Two-dimensional codes map to themselves.
    const id = mapCodes(Float32Array.from([1, 2, 3, 4]), 2, 2);
    expect(id.method).toBe('identity');
    expect(Array.from(id.points)).toEqual([1, 2, 3, 4]);
  });
});

describe('evaluation on MNIST', () => {
  let lab: ReturnType<typeof tempLab>;
  let data: DatasetReader;
  let e: Engine;
  let vae: Model;

  beforeAll(async () => {
    lab = tempLab('eval-');
    data = openDataset('mnist', lab.home);
    e = new Engine(await fastestCpu());
    vae = new Model(e, findPreset('linear-vae').spec, new Rng(1));
    // A briefly trained linear VAE (60 steps of 64): far from converged, but its posterior is informative.
    await new Trainer(e, vae, data, { ...DEFAULT_TRAIN_CONFIG, epochs: 1, batch: 64, trainLimit: 64 * 60, testLimit: 100 }).run();
  });

  afterAll(() => {
    vae?.dispose();
    e?.backend.dispose();
    data?.close();
    lab?.cleanup();
  });

  it('importance weights with one sample give the ELBO: same reconstruction term, KL equal in expectation', async () => {
    const rows = 400, latent = vae.spec.latent!;
    const x = new Float32Array(rows * 784);
    data.readImages('test', Array.from({ length: rows }, (_, i) => i % 200), x);
    const eps = new Rng(9).fillNormal(new Float32Array(rows * latent));
    const logW = await e.scopeAsync(() => logImportanceWeights(e, vae, e.fromArray([rows, 1, 28, 28], x), eps));
    const { loss, mu, logvar } = await e.scopeAsync(async () => {
      const r = e.noGrad(() => vae.loss(e.fromArray([rows, 1, 28, 28], x), { training: false, rng: new Rng(0), eps: e.fromArray([rows, latent], eps) }));
      return { loss: await r.loss.item(), mu: await r.mu!.read(), logvar: await r.logvar!.read() };
    });
    // Per row: −log w − (rec + KL_analytic) = KL_MC − KL_analytic (mean zero).
    const diffs: number[] = [];
    for (let r = 0; r < rows; r++) {
      let mc = 0, an = 0;
      for (let d = 0; d < latent; d++) {
        const i = r * latent + d, lv = logvar[i], z = mu[i] + eps[i] * Math.exp(0.5 * lv);
        mc += -0.5 * eps[i] ** 2 - 0.5 * lv + 0.5 * z * z;
        an += 0.5 * (mu[i] ** 2 + Math.exp(lv) - 1 - lv);
      }
      diffs.push(mc - an);
    }
    const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
    const negLogW = mean(Array.from(logW, (v) => -v));
    // Exact identity (float32 rounding aside): the reconstruction term is the same BCE.
    expect(negLogW - loss).toBeCloseTo(mean(diffs), 1);
    const sd = Math.sqrt(mean(diffs.map((d) => (d - mean(diffs)) ** 2)));
    expect(Math.abs(mean(diffs))).toBeLessThan(4 * sd / Math.sqrt(rows) + 1e-3);
  });

  it('NLL is below the loss, falls as K grows, and K = 1 matches the loss on average', async () => {
    const images = 100;
    const loss = (await evaluateModel(e, vae, data, { limit: images })).loss;
    const nll1 = await importanceSampledNll(e, vae, data, { k: 1, images, seed: 4 });
    const nll10 = await importanceSampledNll(e, vae, data, { k: 10, images, seed: 4 });
    const nll200 = await importanceSampledNll(e, vae, data, { k: 200, images, seed: 4, rowsPerForward: 1000 });
    const sd1 = Math.sqrt(nll1.perImage.reduce((s, v) => s + (v - nll1.nll) ** 2, 0) / images);
    expect(Math.abs(nll1.nll - loss)).toBeLessThan(4 * sd1 / Math.sqrt(images) + 0.5);
    expect(nll10.nll).toBeLessThan(nll1.nll);
    expect(nll200.nll).toBeLessThan(nll10.nll);
    expect(nll200.nll).toBeLessThan(loss);
    // Per image too: 200 samples give a tighter bound than one for most images (one lucky sample can win).
    let tighter = 0;
    for (let i = 0; i < images; i++) if (nll200.perImage[i] <= nll1.perImage[i]) tighter++;
    expect(tighter).toBeGreaterThanOrEqual(0.8 * images);
  });

  it('reports reconstruction quality, KL per dimension, active units and bits/dim', async () => {
    const r = await evaluateModel(e, vae, data, { limit: 300, isK: 20, isLimit: 50 });
    expect(r.images).toBe(300);
    expect(r.klPerDim).toHaveLength(20);
    // The analytic KL does not depend on the sample: its per-dimension parts add up to the report's KL.
    expect(r.klPerDim.reduce((s, v) => s + v, 0)).toBeCloseTo(r.kl, 2);
    expect(r.activeUnits).toBe(r.meanVariance.filter((v) => v > 0.01).length);
    expect(r.activeUnits).toBeGreaterThan(0);
    expect(r.rmse).toBeGreaterThan(0.05);
    expect(r.rmse).toBeLessThan(0.4);
    expect(r.ssim).toBeGreaterThan(0);
    expect(r.ssim).toBeLessThan(1);
    expect(r.nll).not.toBeNull();
    expect(r.isImages).toBe(50);
    expect(r.bitsPerDim!).toBeCloseTo(r.nll! / (784 * Math.LN2), 10);
    // RMSE from the reconstructions directly.
    const x = new Float32Array(300 * 784);
    data.readImages('test', Array.from({ length: 300 }, (_, i) => i), x);
    const rec = await reconstruct(e, vae, x, 300);
    let sq = 0;
    for (let i = 0; i < x.length; i++) sq += (rec[i] - x[i]) ** 2;
    expect(r.rmse).toBeCloseTo(Math.sqrt(sq / x.length), 5);
  });

  it('maps test images with their labels and decodes traversals and interpolations', async () => {
    const m = await latentMap(e, vae, data, { count: 300, seed: 2 });
    expect(m.method).toBe('pca');
    expect(m.points).toHaveLength(600);
    expect(m.labels).toEqual(data.readLabels('test', m.indices));
    for (let i = 1; i < m.indices.length; i++) expect(m.indices[i]).toBeGreaterThan(m.indices[i - 1]);
    expect(m.points.every(Number.isFinite)).toBe(true);
    // Mean and axes: the map point of a code is its projection.
    const x = new Float32Array(784);
    data.readImages('test', [m.indices[0]], x);
    const code = await encodeImages(e, vae, x, 1);
    let px = 0;
    for (let d = 0; d < 20; d++) px += (code[d] - m.mean[d]) * m.components[d];
    expect(m.points[0]).toBeCloseTo(px, 4);

    const a = new Float32Array(784), b = new Float32Array(784);
    data.readImages('test', [0], a);
    data.readImages('test', [1], b);
    const path = await interpolate(e, vae, a, b, 5);
    expect(path).toHaveLength(5 * 784);
    const ra = await reconstruct(e, vae, a, 1), rb = await reconstruct(e, vae, b, 1);
    for (let i = 0; i < 784; i += 37) {
      expect(path[i]).toBeCloseTo(ra[i], 5);
      expect(path[4 * 784 + i]).toBeCloseTo(rb[i], 5);
    }
    const t = await traversal(e, vae, code, 3, [-2, 0, 2]);
    expect(t).toHaveLength(3 * 784);
    const z0 = Float32Array.from(code);
    z0[3] = 0;
    const direct = await decodeLatents(e, vae, z0, 1);
    for (let i = 0; i < 784; i += 41) expect(t[784 + i]).toBeCloseTo(direct[i], 6);
    await expect(traversal(e, vae, code, 20, [0])).rejects.toThrow(/outside 0..19/);
  });

  it('gives no NLL for a gaussian autoencoder, and says why; its unpooling decoder cannot decode codes alone', async () => {
    const ae = new Model(e, findPreset('cae-bn-pool').spec, new Rng(2));
    try {
      const r = await evaluateModel(e, ae, data, { limit: 40, isK: 5 });
      expect(r.nll).toBeNull();
      expect(r.bitsPerDim).toBeNull();
      expect(r.nllNote).toMatch(/autoencoder/);
      expect(r.klPerDim).toEqual([]);
      expect(r.activeUnits).toBe(0);
      expect(Number.isFinite(r.ssim) && Number.isFinite(r.rmse)).toBe(true);
      await expect(decodeLatents(e, ae, new Float32Array(ae.latentSize), 1)).rejects.toThrow(/unpools/);
      const map = await latentMap(e, ae, data, { count: 50 });
      expect(map.dims).toBe(32 * 7 * 7);
      expect(map.method).toBe('pca');
    } finally {
      ae.dispose();
    }
  });
});
