// Evaluation of a trained model on the test split: losses, an importance-sampled log-likelihood bound
// (Burda et al. 2016), reconstruction quality (RMSE, SSIM), the per-dimension KL and active units, and the
// latent-space views (2-D map, traversals, interpolations). Pure: engine + ImageSource, no file I/O.
import { Rng } from '../engine/rng.ts';
import type { Engine, Tensor } from '../engine/tensor.ts';
import type { Model } from './model.ts';
import type { ImageSource } from './train.ts';

export interface EvalOptions {
  /** Importance samples per image for the NLL (0 skips it). */
  isK?: number;
  /** Test images to evaluate (0 = all). */
  limit?: number;
  /** Test images for the NLL (0 = the same as limit): a large K over all 10,000 images takes a while. */
  isLimit?: number;
  /** Images per forward pass (and rows per forward for the NLL). */
  batch?: number;
  seed?: number;
  /** Called with the fraction done (0..1) while the NLL runs. */
  onProgress?(fraction: number): void;
}

export interface EvalReport {
  /** Images behind loss, rec, kl, rmse, ssim, klPerDim. */
  images: number;
  /** nats per image, one z sample (the training loss on the test split). */
  loss: number;
  rec: number;
  kl: number;
  /** Importance-sampled negative log-likelihood in nats per image; null for an AE or a gaussian likelihood. */
  nll: number | null;
  bitsPerDim: number | null;
  isK: number;
  /** Images behind nll (0 when skipped). */
  isImages: number;
  /** Why nll is null, when it is. */
  nllNote: string | null;
  /** Of reconstructions decoded from the mean code, in [0, 1] pixel space. */
  rmse: number;
  ssim: number;
  /** VAE only: mean KL(q(z_d|x) ‖ N(0,1)) per latent dimension (empty for an AE). */
  klPerDim: number[];
  /** Latent dimensions whose posterior mean varies with x: Cov_x(E[z_d|x]) > 0.01 (Burda et al.). */
  activeUnits: number;
  /** Cov_x(E[z_d|x]) per dimension (VAE only). */
  meanVariance: number[];
}

const LOG2 = Math.log(2);

/**
 * Test images indices[i] in [0, 1]: [n, C, H, W]. An index past the split is a clear error; `source` names the
 * data set in it.
 */
export function readTestImages(data: ImageSource, model: Model, indices: ArrayLike<number>, source = 'the data set'): Float32Array {
  const total = data.count('test');
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] >= total) throw new Error(`test image ${indices[i]} does not exist: ${source} has ${total} test images`);
  }
  const [c, h, w] = model.spec.input;
  const pixels = new Float32Array(indices.length * c * h * w);
  data.readImages('test', indices, pixels);
  return pixels;
}

/** Test images start..start+count-1: [count, C, H, W]. */
function readTest(data: ImageSource, model: Model, start: number, count: number): Float32Array {
  return readTestImages(data, model, Array.from({ length: count }, (_, i) => start + i));
}

function testCount(data: ImageSource, limit: number | undefined): number {
  const all = data.count('test');
  return limit && limit > 0 ? Math.min(limit, all) : all;
}

/** Why a model has no importance-sampled likelihood, or null when it has one. */
export function nllUnavailable(model: Model): string | null {
  if (model.spec.kind !== 'vae') return 'an autoencoder has no likelihood model p(x)';
  if (model.likelihood !== 'bernoulli') {
    return 'the gaussian likelihood here is a summed squared error with no variance, not a normalised density, so log p(x) is undefined';
  }
  return null;
}

/**
 * Losses, reconstruction quality and latent statistics on the test split, plus the importance-sampled NLL when
 * isK > 0. loss/rec/kl use one z sample per image drawn from the seed (as evaluateLoss does, same numbers).
 */
export async function evaluateModel(e: Engine, model: Model, data: ImageSource, o: EvalOptions = {}): Promise<EvalReport> {
  const n = testCount(data, o.limit);
  if (n < 1) throw new Error('the test split is empty');
  const batch = Math.max(1, o.batch ?? 250);
  const [c, h, w] = model.spec.input;
  const pixelsPerImage = c * h * w;
  const rng = new Rng(o.seed ?? 1234);
  const isVae = model.spec.kind === 'vae';
  const latent = isVae ? model.spec.latent! : 0;
  let loss = 0, rec = 0, kl = 0, sqErr = 0, ssimSum = 0;
  const klSum = new Float64Array(latent), muSum = new Float64Array(latent), muSq = new Float64Array(latent);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const pixels = readTest(data, model, start, b);
    const r = await e.scopeAsync(async () => {
      const x = e.fromArray([b, c, h, w], pixels);
      // Both forwards inside noGrad (synchronously: an await would end it), then the readbacks.
      const { sampled, image } = e.noGrad(() => {
        const s = model.loss(x, { training: false, rng });
        const mean = model.forward(x, { training: false, rng, sample: false });
        return { sampled: s, image: model.toImage(mean.out) };
      });
      const values = await Promise.all([sampled.loss.item(), sampled.rec.item(), sampled.kl.item()]);
      const stats = sampled.mu && sampled.logvar ? await Promise.all([sampled.mu.read(), sampled.logvar.read()]) : null;
      return { values, stats, recon: await image.read() };
    });
    loss += r.values[0] * b;
    rec += r.values[1] * b;
    kl += r.values[2] * b;
    for (let i = 0; i < r.recon.length; i++) {
      const d = r.recon[i] - pixels[i];
      sqErr += d * d;
    }
    ssimSum += ssim(r.recon, pixels, { n: b, c, h, w }) * b;
    if (r.stats) {
      const [mu, logvar] = r.stats;
      for (let i = 0; i < b; i++) {
        for (let d = 0; d < latent; d++) {
          const m = mu[i * latent + d], lv = logvar[i * latent + d];
          klSum[d] += 0.5 * (m * m + Math.exp(lv) - 1 - lv);
          muSum[d] += m;
          muSq[d] += m * m;
        }
      }
    }
  }
  const meanVariance = Array.from(muSum, (s, d) => Math.max(0, muSq[d] / n - (s / n) ** 2));
  const report: EvalReport = {
    images: n, loss: loss / n, rec: rec / n, kl: kl / n,
    nll: null, bitsPerDim: null, isK: 0, isImages: 0, nllNote: null,
    rmse: Math.sqrt(sqErr / (n * pixelsPerImage)), ssim: ssimSum / n,
    klPerDim: Array.from(klSum, (s) => s / n),
    activeUnits: meanVariance.filter((v) => v > 0.01).length,
    meanVariance,
  };
  const k = o.isK ?? 0;
  if (k > 0) {
    const why = nllUnavailable(model);
    if (why) report.nllNote = why;
    else {
      const isN = o.isLimit && o.isLimit > 0 ? Math.min(o.isLimit, data.count('test')) : n;
      const nll = await importanceSampledNll(e, model, data, { k, images: isN, rowsPerForward: Math.max(batch, 250), seed: (o.seed ?? 1234) + 1, onProgress: o.onProgress });
      report.nll = nll.nll;
      report.bitsPerDim = nll.nll / (pixelsPerImage * LOG2);
      report.isK = k;
      report.isImages = isN;
    }
  }
  return report;
}

/**
 * log w = log p(x|z) + log p(z) − log q(z|x) for each row, z = mu + eps·σ, in float64 from the per-row terms
 * (log 2π cancels between the prior and the posterior). x: [R, C, H, W], eps: [R, latent]. Bernoulli VAE only.
 */
export async function logImportanceWeights(e: Engine, model: Model, x: Tensor, eps: Float32Array): Promise<Float64Array> {
  const why = nllUnavailable(model);
  if (why) throw new Error(`no importance weights: ${why}`);
  const rows = x.shape[0], latent = model.spec.latent!, pixels = x.size / rows;
  const [bce, mu, logvar] = await e.scopeAsync(async () => {
    const f = e.noGrad(() => model.forward(x, { training: false, rng: new Rng(0), eps: e.fromArray([rows, latent], eps) }));
    const elementwise = e.empty(f.out.shape);
    e.k.binary('bce_logits', f.out.buffer, x.buffer, elementwise.buffer);
    const perRow = e.empty([rows]);
    e.k.channelSum(elementwise.buffer, perRow.buffer, 1, rows, pixels, false); // [1, rows, pixels] -> [rows]
    return Promise.all([perRow.read(), f.mu!.read(), f.logvar!.read()]);
  });
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let prior = 0;
    for (let d = 0; d < latent; d++) {
      const i = r * latent + d, lv = logvar[i], ep = eps[i];
      const z = mu[i] + ep * Math.exp(0.5 * lv);
      // log N(z; 0, 1) − log N(z; mu, σ²) = −z²/2 + eps²/2 + logvar/2
      prior += -0.5 * z * z + 0.5 * ep * ep + 0.5 * lv;
    }
    out[r] = -bce[r] + prior;
  }
  return out;
}

/**
 * Importance-sampled NLL: −mean_x [logsumexp_k log w_k − log K] with K samples from q(z|x). Every image's
 * samples are rows of a batch (the image repeated); the log-sum-exp is kept online per image in float64.
 */
export async function importanceSampledNll(
  e: Engine, model: Model, data: ImageSource,
  o: { k: number; images: number; rowsPerForward?: number; seed?: number; onProgress?(fraction: number): void },
): Promise<{ nll: number; perImage: Float64Array }> {
  const { k, images } = o;
  if (!Number.isInteger(k) || k < 1) throw new Error(`the number of importance samples must be a positive integer, got ${k}`);
  const [c, h, w] = model.spec.input;
  const latent = model.spec.latent!;
  const rowsPerForward = Math.max(1, o.rowsPerForward ?? 500);
  const rng = new Rng(o.seed ?? 1235);
  const maxLog = new Float64Array(images).fill(-Infinity), sumExp = new Float64Array(images);
  const totalRows = images * k;
  const imageSize = c * h * w;
  const block = readTest(data, model, 0, images); // MNIST's 10,000 test images are 31 MB as float32
  for (let row = 0; row < totalRows; row += rowsPerForward) {
    const rows = Math.min(rowsPerForward, totalRows - row);
    const x = new Float32Array(rows * imageSize);
    for (let r = 0; r < rows; r++) {
      const img = Math.floor((row + r) / k);
      x.set(block.subarray(img * imageSize, (img + 1) * imageSize), r * imageSize);
    }
    const eps = rng.fillNormal(new Float32Array(rows * latent));
    const logW = await e.scopeAsync(() => logImportanceWeights(e, model, e.fromArray([rows, c, h, w], x), eps));
    for (let r = 0; r < rows; r++) {
      const img = Math.floor((row + r) / k), v = logW[r];
      if (v > maxLog[img]) {
        sumExp[img] = sumExp[img] * Math.exp(maxLog[img] - v) + 1;
        maxLog[img] = v;
      } else sumExp[img] += Math.exp(v - maxLog[img]);
    }
    o.onProgress?.(Math.min(1, (row + rows) / totalRows));
  }
  const perImage = new Float64Array(images);
  let total = 0;
  for (let i = 0; i < images; i++) {
    perImage[i] = -(maxLog[i] + Math.log(sumExp[i]) - Math.log(k));
    total += perImage[i];
  }
  return { nll: total / images, perImage };
}

/** A normalised 1-D Gaussian window. */
function gaussianWindow(size: number, sigma: number): Float64Array {
  const g = new Float64Array(size), mid = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) s += g[i] = Math.exp(-((i - mid) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) g[i] /= s;
  return g;
}

/** Valid (unpadded) separable filtering of one plane: [h, w] -> [h-k+1, w-k+1]. */
function filterValid(src: Float64Array, h: number, w: number, g: Float64Array, tmp: Float64Array, out: Float64Array): void {
  const k = g.length, ow = w - k + 1, oh = h - k + 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += g[i] * src[y * w + x + i];
      tmp[y * ow + x] = s;
    }
  }
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += g[i] * tmp[(y + i) * ow + x];
      out[y * ow + x] = s;
    }
  }
}

/**
 * Mean SSIM (Wang et al. 2004) of images in [0, 1]: Gaussian window 11, σ 1.5, K1 0.01, K2 0.03, valid
 * positions only, averaged over channels and images. Images smaller than 11 pixels use the largest odd window that fits.
 */
export function ssim(a: Float32Array, b: Float32Array, shape: { n: number; c: number; h: number; w: number }): number {
  const { n, c, h, w } = shape;
  if (a.length < n * c * h * w || b.length < n * c * h * w) throw new Error(`ssim: ${Math.min(a.length, b.length)} values for ${n}×${c}×${h}×${w} images`);
  let size = Math.min(11, h, w);
  if (size % 2 === 0) size--;
  const g = gaussianWindow(size, 1.5);
  const C1 = 0.01 ** 2, C2 = 0.03 ** 2;
  const plane = h * w, oh = h - size + 1, ow = w - size + 1, outSize = oh * ow;
  const bufs = Array.from({ length: 5 }, () => new Float64Array(plane));
  const filtered = Array.from({ length: 5 }, () => new Float64Array(outSize));
  const tmp = new Float64Array(h * ow);
  let total = 0;
  for (let p = 0; p < n * c; p++) {
    const off = p * plane;
    for (let i = 0; i < plane; i++) {
      const x = a[off + i], y = b[off + i];
      bufs[0][i] = x; bufs[1][i] = y; bufs[2][i] = x * x; bufs[3][i] = y * y; bufs[4][i] = x * y;
    }
    for (let j = 0; j < 5; j++) filterValid(bufs[j], h, w, g, tmp, filtered[j]);
    let s = 0;
    for (let i = 0; i < outSize; i++) {
      const mx = filtered[0][i], my = filtered[1][i];
      const vx = filtered[2][i] - mx * mx, vy = filtered[3][i] - my * my, cxy = filtered[4][i] - mx * my;
      s += ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
    }
    total += s / outSize;
  }
  return total / (n * c);
}

/** Codes for images [n, C, H, W]: mu for a VAE, the flattened encoder output for an AE. Returns [n, D]. */
export async function encodeImages(e: Engine, model: Model, pixels: Float32Array, n: number, batch = 250): Promise<Float32Array> {
  const [c, h, w] = model.spec.input;
  const size = c * h * w, d = model.latentSize;
  if (pixels.length !== n * size) throw new Error(`encodeImages: ${pixels.length} values for ${n} images of ${c}×${h}×${w}`);
  const out = new Float32Array(n * d);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const codes = await e.scopeAsync(async () => {
      const x = e.fromArray([b, c, h, w], pixels.subarray(start * size, (start + b) * size));
      return e.noGrad(() => model.forward(x, { training: false, rng: new Rng(0), sample: false })).z.read();
    });
    out.set(codes, start * d);
  }
  return out;
}

/** Why a model's decoder cannot run from a code alone, or null when it can. */
export function decodeUnavailable(model: Model): string | null {
  if (model.spec.decoder.some((l) => l.type === 'maxunpool2d')) {
    return 'this architecture\'s decoder unpools with the encoder\'s max-pool indices, so it cannot decode a code alone (no samples, traversals or decoding from the latent map)';
  }
  return null;
}

/** Images [n, C, H, W] in [0, 1] decoded from codes z [n, D]. */
export async function decodeLatents(e: Engine, model: Model, z: Float32Array, n: number, batch = 250): Promise<Float32Array> {
  const [c, h, w] = model.spec.input;
  const d = model.latentSize, size = c * h * w;
  if (z.length !== n * d) throw new Error(`decodeLatents: ${z.length} values for ${n} codes of ${d}`);
  const why = decodeUnavailable(model);
  if (why) throw new Error(why);
  // An AE's decoder may take a feature map: the code is its flattened form.
  const codeShape = model.spec.kind === 'vae' ? [d] : model.layers.find((l) => l.path === `encoder.${model.spec.encoder.length - 1}`)!.outShape;
  const out = new Float32Array(n * size);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const images = await e.scopeAsync(async () => {
      const t = e.fromArray([b, ...codeShape], z.subarray(start * d, (start + b) * d));
      return e.noGrad(() => model.decode(t)).read();
    });
    out.set(images, start * size);
  }
  return out;
}

/** Prior samples (VAE): z ~ N(0, I) from the seed, decoded. [n, C, H, W] */
export async function priorSamples(e: Engine, model: Model, n: number, seed: number): Promise<Float32Array> {
  if (model.spec.kind !== 'vae') throw new Error('an autoencoder has no prior to sample from');
  const z = new Rng(seed).fillNormal(new Float32Array(n * model.spec.latent!));
  return decodeLatents(e, model, z, n);
}

/** Test images whose codes an autoencoder's sampling Gaussian is fitted to. */
const AE_SAMPLE_FIT_IMAGES = 256;

/**
 * Random images: a VAE's prior samples; an AE has no prior, so its codes are drawn from a diagonal Gaussian
 * fitted to the codes of the first 256 test images. The seed fixes the draws, so runs compare side by side.
 * [n, C, H, W]
 */
export async function sampleImages(e: Engine, model: Model, data: ImageSource, n: number, seed: number): Promise<Float32Array> {
  if (model.spec.kind === 'vae') return priorSamples(e, model, n, seed);
  const why = decodeUnavailable(model);
  if (why) throw new Error(why); // before encoding images for nothing
  const m = Math.min(AE_SAMPLE_FIT_IMAGES, data.count('test'));
  if (m < 1) throw new Error('the test split is empty: no codes to fit the sampling distribution to');
  const codes = await encodeImages(e, model, readTest(data, model, 0, m), m);
  const d = model.latentSize;
  const mean = new Float64Array(d), variance = new Float64Array(d);
  for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) mean[j] += codes[i * d + j] / m;
  for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) variance[j] += (codes[i * d + j] - mean[j]) ** 2 / m;
  const z = new Rng(seed).fillNormal(new Float32Array(n * d));
  for (let i = 0; i < z.length; i++) z[i] = mean[i % d] + Math.sqrt(variance[i % d]) * z[i];
  return decodeLatents(e, model, z, n);
}

/** Reconstructions from the mean code of images [n, C, H, W]. */
export async function reconstruct(e: Engine, model: Model, pixels: Float32Array, n: number): Promise<Float32Array> {
  const [c, h, w] = model.spec.input;
  return e.scopeAsync(async () => {
    const x = e.fromArray([n, c, h, w], pixels);
    const f = e.noGrad(() => model.forward(x, { training: false, rng: new Rng(0), sample: false }));
    return model.toImage(f.out).read();
  });
}

export interface LatentMap {
  method: 'identity' | 'pca';
  /** Dimensionality of the code. */
  dims: number;
  /** [n, 2] */
  points: Float32Array;
  labels: Int32Array;
  /** Test-split indices of the points. */
  indices: Int32Array;
  /** [D] (zeros for identity) */
  mean: Float32Array;
  /** [2, D]: the map's axes in code space. */
  components: Float32Array;
  /** Fraction of the codes' variance along each axis. */
  explained: [number, number];
}

/**
 * Top two principal axes of codes [n, D] by subspace iteration on the centred data (never forms the D×D
 * covariance, so an AE's large feature-map code is fine). Signs: each axis's largest entry is positive.
 */
export function pca2(codes: Float32Array, n: number, dims: number): { mean: Float64Array; components: Float64Array[]; variances: [number, number]; total: number } {
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let d = 0; d < dims; d++) mean[d] += codes[i * dims + d] / n;
  const centred = new Float64Array(n * dims);
  let total = 0;
  for (let i = 0; i < n * dims; i++) {
    centred[i] = codes[i] - mean[i % dims];
    total += centred[i] * centred[i] / n;
  }
  const rng = new Rng(7);
  const vs: Float64Array[] = [0, 1].map(() => Float64Array.from({ length: dims }, () => rng.normal()));
  const proj = new Float64Array(n);
  const applyCov = (v: Float64Array): Float64Array => { // Xᵀ X v / n
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += centred[i * dims + d] * v[d];
      proj[i] = s;
    }
    const out = new Float64Array(dims);
    for (let i = 0; i < n; i++) for (let d = 0; d < dims; d++) out[d] += centred[i * dims + d] * proj[i] / n;
    return out;
  };
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
  const orthonormalise = (list: Float64Array[]) => {
    for (let j = 0; j < list.length; j++) {
      for (let i = 0; i < j; i++) {
        const p = dot(list[j], list[i]);
        for (let d = 0; d < dims; d++) list[j][d] -= p * list[i][d];
      }
      const norm = Math.sqrt(dot(list[j], list[j])) || 1;
      for (let d = 0; d < dims; d++) list[j][d] /= norm;
    }
  };
  orthonormalise(vs);
  // Converged when both axes stop turning (1 − |cos| < 1e-9, i.e. ~3e-5 rad); a near-tie of the two variances
  // converges slowly, and then the plane is still right while the pair within it may rotate a little.
  for (let iter = 0; iter < 200; iter++) {
    const next = vs.map(applyCov);
    orthonormalise(next);
    const change = Math.max(...next.map((v, j) => 1 - Math.abs(dot(v, vs[j]))));
    vs[0] = next[0];
    vs[1] = next[1];
    if (change < 1e-9) break;
  }
  // Rayleigh quotients give the variances; order the pair by them (subspace iteration may swap close ones).
  let variances = vs.map((v) => dot(v, applyCov(v))) as [number, number];
  if (variances[1] > variances[0]) {
    vs.reverse();
    variances = [variances[1], variances[0]];
  }
  for (const v of vs) {
    let big = 0;
    for (let d = 0; d < dims; d++) if (Math.abs(v[d]) > Math.abs(v[big])) big = d;
    if (v[big] < 0) for (let d = 0; d < dims; d++) v[d] = -v[d];
  }
  return { mean, components: vs, variances, total };
}

/** 2-D coordinates of codes: the code itself when D ≤ 2, else its projection on the top two principal axes. */
export function mapCodes(codes: Float32Array, n: number, dims: number): Omit<LatentMap, 'labels' | 'indices'> {
  const points = new Float32Array(n * 2);
  if (dims <= 2) {
    for (let i = 0; i < n; i++) for (let d = 0; d < dims; d++) points[i * 2 + d] = codes[i * dims + d];
    const components = new Float32Array(2 * dims);
    for (let d = 0; d < dims; d++) components[d * dims + d] = 1;
    return { method: 'identity', dims, points, mean: new Float32Array(dims), components, explained: [1, dims === 2 ? 1 : 0] };
  }
  const p = pca2(codes, n, dims);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += (codes[i * dims + d] - p.mean[d]) * p.components[j][d];
      points[i * 2 + j] = s;
    }
  }
  const components = new Float32Array(2 * dims);
  components.set(p.components[0]);
  components.set(p.components[1], dims);
  const share = (v: number) => (p.total > 0 ? v / p.total : 0);
  return { method: 'pca', dims, points, mean: Float32Array.from(p.mean), components, explained: [share(p.variances[0]), share(p.variances[1])] };
}

/** The test images to map: all when count covers the split, else a seeded random subset in index order. */
export function mapIndices(total: number, count: number, seed = 0): Int32Array {
  if (count >= total) return Int32Array.from({ length: total }, (_, i) => i);
  return Int32Array.from(new Rng(seed).permutation(total).subarray(0, count)).sort();
}

/** 2-D coordinates of test images' codes with their labels (PCA when the code has more than 2 dimensions). */
export async function latentMap(e: Engine, model: Model, data: ImageSource, o: { count: number; seed?: number }): Promise<LatentMap> {
  const indices = mapIndices(data.count('test'), Math.max(1, o.count), o.seed ?? 0);
  const n = indices.length;
  const [c, h, w] = model.spec.input;
  const pixels = new Float32Array(n * c * h * w);
  data.readImages('test', indices, pixels);
  const codes = await encodeImages(e, model, pixels, n);
  return { ...mapCodes(codes, n, model.latentSize), labels: data.readLabels('test', indices), indices };
}

/** The code at a point of the map: mean + x·axis₁ + y·axis₂ (for identity maps, the point itself). */
export function latentFromMapPoint(map: LatentMap, x: number, y: number): Float32Array {
  const z = new Float32Array(map.dims);
  for (let d = 0; d < map.dims; d++) z[d] = map.mean[d] + x * map.components[d] + y * map.components[map.dims + d];
  return z;
}

/** Images [values.length, C, H, W] decoded from base with dimension dim set to each value. */
export async function traversal(e: Engine, model: Model, base: Float32Array, dim: number, values: number[]): Promise<Float32Array> {
  return traversals(e, model, base, [dim], values);
}

/**
 * Several traversals in one decode: a row per dimension in dims, each base with that dimension set to each
 * value. Images [dims.length · values.length, C, H, W], row-major.
 */
export async function traversals(e: Engine, model: Model, base: Float32Array, dims: number[], values: number[]): Promise<Float32Array> {
  const d = model.latentSize;
  if (base.length !== d) throw new Error(`traversal: a base code of ${base.length} values for a ${d}-dimensional code`);
  for (const dim of dims) if (!Number.isInteger(dim) || dim < 0 || dim >= d) throw new Error(`traversal: dimension ${dim} is outside 0..${d - 1}`);
  const n = dims.length * values.length;
  const z = new Float32Array(n * d);
  dims.forEach((dim, r) => {
    values.forEach((v, s) => {
      const row = (r * values.length + s) * d;
      z.set(base, row);
      z[row + dim] = v;
    });
  });
  return decodeLatents(e, model, z, n);
}

/** The traversal sweep: steps code values evenly spaced from −range to +range (absolute, not offsets from the base). */
export function traversalValues(range: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`traversal: steps must be an integer ≥ 2, got ${steps}`);
  if (!(range > 0)) throw new Error(`traversal: the range must be positive, got ${range}`);
  return Array.from({ length: steps }, (_, s) => -range + (2 * range * s) / (steps - 1));
}

/** Images [steps, C, H, W] decoded along the straight line between the codes of images a and b ([C, H, W] each). */
export async function interpolate(e: Engine, model: Model, a: Float32Array, b: Float32Array, steps: number): Promise<Float32Array> {
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`interpolate: steps must be an integer ≥ 2, got ${steps}`);
  const both = new Float32Array(a.length + b.length);
  both.set(a);
  both.set(b, a.length);
  const codes = await encodeImages(e, model, both, 2);
  const d = model.latentSize;
  const z = new Float32Array(steps * d);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    for (let j = 0; j < d; j++) z[s * d + j] = (1 - t) * codes[j] + t * codes[d + j];
  }
  return decodeLatents(e, model, z, steps);
}

export interface EpochExtras {
  extra: Record<string, number | number[] | null>;
  map: LatentMap | null;
}

/**
 * Cheap per-epoch numbers for training runs: reconstruction quality, KL per dimension and active units on
 * `images` test images, the NLL with a small K on `isImages` of them, and the latent map of `mapCount` images.
 */
export async function epochExtras(
  e: Engine, model: Model, data: ImageSource,
  o: { images: number; isK: number; isImages: number; mapCount: number },
): Promise<EpochExtras> {
  const canNll = nllUnavailable(model) === null;
  const r = await evaluateModel(e, model, data, { limit: o.images, isK: canNll ? o.isK : 0, isLimit: o.isImages });
  const extra: EpochExtras['extra'] = {
    evalImages: r.images, rmse: r.rmse, ssim: r.ssim,
    nll: r.nll, bitsPerDim: r.bitsPerDim, isK: r.isK, isImages: r.isImages,
  };
  if (model.spec.kind === 'vae') {
    extra.activeUnits = r.activeUnits;
    extra.klPerDim = r.klPerDim;
  }
  let map: LatentMap | null = null;
  if (o.mapCount > 0) map = await latentMap(e, model, data, { count: o.mapCount });
  return { extra, map };
}

/** A latent map as JSON (typed arrays as plain arrays). */
export function latentMapToJson(m: LatentMap): Record<string, unknown> {
  return {
    method: m.method, dims: m.dims, explained: m.explained,
    points: Array.from(m.points, (v) => Number(v.toFixed(5))), labels: Array.from(m.labels), indices: Array.from(m.indices),
    mean: Array.from(m.mean), components: Array.from(m.components),
  };
}

export function latentMapFromJson(j: Record<string, unknown>, source: string): LatentMap {
  const arr = (k: string) => {
    const v = j[k];
    if (!Array.isArray(v)) throw new Error(`${source}: '${k}' is missing or not an array`);
    return v as number[];
  };
  return {
    method: j.method === 'pca' ? 'pca' : 'identity', dims: Number(j.dims), explained: (j.explained as [number, number]) ?? [0, 0],
    points: Float32Array.from(arr('points')), labels: Int32Array.from(arr('labels')), indices: Int32Array.from(arr('indices')),
    mean: Float32Array.from(arr('mean')), components: Float32Array.from(arr('components')),
  };
}
