import { batchNorm, type BatchNormState } from '../engine/ops/batchNorm.ts';
import { conv2d, convTranspose2d } from '../engine/ops/conv.ts';
import { dropout } from '../engine/ops/dropout.ts';
import { linear } from '../engine/ops/linear.ts';
import { bceWithLogitsSum, klNormalSum, mseSum } from '../engine/ops/losses.ts';
import { axpby, scale, unaryOp } from '../engine/ops/pointwise.ts';
import { maxPool2d, maxUnpool2d } from '../engine/ops/pool.ts';
import { reparameterize } from '../engine/ops/reparameterize.ts';
import { flatten, reshape, sliceColumns } from '../engine/ops/shape.ts';
import type { NamedTensor } from '../engine/safetensors.ts';
import { Rng } from '../engine/rng.ts';
import { type Engine, sameShape, type Tensor } from '../engine/tensor.ts';
import { type ArchitectureSpec, type LayerSpec, inferSpec, type LayerInfo, pair } from './spec.ts';

/** Per-forward context: mode, noise source and the max-pool index stack that unpools pair with. */
interface ForwardContext {
  training: boolean;
  rng: Rng;
  pools: { indices: Tensor; size: [number, number] }[];
}

interface Layer {
  forward(x: Tensor, ctx: ForwardContext): Tensor;
}

/** A named tensor of the model: trainable parameter or batch-norm running statistic. */
export interface ModelTensor {
  name: string;
  tensor: Tensor;
  trainable: boolean;
}

export interface ForwardResult {
  /** Decoder output: logits for a bernoulli likelihood, the reconstruction for gaussian. [B, C, H, W] */
  out: Tensor;
  /** VAE only: [B, latent] */
  mu: Tensor | null;
  logvar: Tensor | null;
  /** The code fed to the decoder: z for a VAE, the encoder output for an AE. */
  z: Tensor;
}

export interface LossResult extends ForwardResult {
  loss: Tensor; // [1]: rec + beta·kl, per image
  rec: Tensor; // [1]
  kl: Tensor; // [1]
}

/**
 * A VAE or AE built from an architecture spec, with PyTorch's parameter names, layouts and default
 * initialisation, so checkpoints move both ways with the module ../shared/reference/spec_torch.py builds.
 */
export class Model {
  readonly spec: ArchitectureSpec;
  readonly layers: LayerInfo[];
  readonly paramCount: number;
  readonly macs: number;
  /** In PyTorch state_dict order. */
  readonly tensors: ModelTensor[] = [];
  private readonly encoder: Layer[];
  private readonly decoder: Layer[];
  private head: { w: Tensor; b: Tensor } | null = null;

  constructor(readonly engine: Engine, rawSpec: unknown, init: Rng) {
    const inferred = inferSpec(rawSpec);
    this.spec = inferred.spec;
    this.layers = inferred.layers;
    this.paramCount = inferred.params;
    this.macs = inferred.macs;
    const shapeAt = (path: string) => this.layers.find((l) => l.path === path)!;
    this.encoder = this.spec.encoder.map((l, i) => this.build('encoder', i, l, shapeAt(`encoder.${i}`).inShape, init));
    if (this.spec.kind === 'vae') {
      const head = shapeAt('head');
      const [w, b] = this.linearParams('head', head.inShape[0], head.outShape[0], true, init);
      this.head = { w, b: b! };
    }
    this.decoder = this.spec.decoder.map((l, i) => this.build('decoder', i, l, shapeAt(`decoder.${i}`).inShape, init));
  }

  get likelihood(): 'bernoulli' | 'gaussian' {
    return this.spec.likelihood ?? 'bernoulli';
  }

  get latentSize(): number {
    return this.spec.kind === 'vae' ? this.spec.latent! : this.layers.find((l) => l.path === `encoder.${this.spec.encoder.length - 1}`)?.outShape.reduce((a, b) => a * b, 1) ?? 0;
  }

  parameters(): Tensor[] {
    return this.tensors.filter((t) => t.trainable).map((t) => t.tensor);
  }

  /** Encoder (+ head and reparameterisation for a VAE) and decoder. eps: [B, latent] noise, else drawn. */
  forward(x: Tensor, o: { training: boolean; rng: Rng; eps?: Tensor; sample?: boolean }): ForwardResult {
    this.checkInput(x);
    const ctx: ForwardContext = { training: o.training, rng: o.rng, pools: [] };
    const h = run(this.encoder, x, ctx);
    let mu: Tensor | null = null, logvar: Tensor | null = null, z = h;
    if (this.head) {
      const stats = linear(h, this.head.w, this.head.b); // [B, 2·latent]: mu then logvar
      const latent = this.spec.latent!;
      mu = sliceColumns(stats, 0, latent);
      logvar = sliceColumns(stats, latent, latent);
      if (o.sample === false) z = mu;
      else {
        const eps = o.eps ?? this.engine.fromArray(mu.shape, o.rng.fillNormal(new Float32Array(mu.size)));
        z = reparameterize(mu, logvar, eps);
      }
    }
    const out = run(this.decoder, z, ctx);
    return { out, mu, logvar, z };
  }

  /** Loss = rec + beta·kl, each summed over elements and divided by the batch size (nats per image). */
  loss(x: Tensor, o: { training: boolean; rng: Rng; eps?: Tensor; beta?: number }): LossResult {
    const f = this.forward(x, o);
    const batch = x.shape[0];
    const recSum = this.likelihood === 'bernoulli' ? bceWithLogitsSum(f.out, x) : mseSum(f.out, x);
    const rec = scale(recSum, 1 / batch);
    const kl = f.mu && f.logvar ? scale(klNormalSum(f.mu, f.logvar), 1 / batch) : this.engine.zeros([1]);
    const beta = o.beta ?? this.spec.beta ?? 1;
    const loss = f.mu ? axpby(1, rec, beta, kl) : rec;
    return { ...f, loss, rec, kl };
  }

  /** Decodes codes z [B, latent] to images in [0, 1] (the likelihood's mean). */
  decode(z: Tensor): Tensor {
    const ctx: ForwardContext = { training: false, rng: new Rng(0), pools: [] };
    if (this.spec.decoder.some((l) => l.type === 'maxunpool2d')) {
      throw new Error('this architecture unpools with the encoder\'s max-pool indices, so its decoder cannot run from a code alone');
    }
    return this.toImage(run(this.decoder, z, ctx));
  }

  /** Decoder output as an image in [0, 1]: sigmoid of bernoulli logits, a gaussian mean clamped. */
  toImage(out: Tensor): Tensor {
    if (this.likelihood === 'bernoulli') return unaryOp('sigmoid', out);
    const e = this.engine, y = e.empty(out.shape);
    // clamp(v, 0, 1) = v - relu(v - 1) + relu(-v), built from kernels so it runs on any backend.
    const shifted = e.full(out.shape, 1), relued = e.empty(out.shape);
    e.k.axpby(1, out.buffer, -1, shifted.buffer, shifted.buffer); // v - 1
    e.k.unary('relu', 0, shifted.buffer, relued.buffer);
    e.k.axpby(1, out.buffer, -1, relued.buffer, y.buffer); // v - relu(v - 1)
    e.k.unary('neg', 0, out.buffer, shifted.buffer); // -v
    e.k.unary('relu', 0, shifted.buffer, relued.buffer);
    e.k.axpby(1, relued.buffer, 1, y.buffer, y.buffer); // + relu(-v)
    shifted.release();
    relued.release();
    return y;
  }

  private checkInput(x: Tensor): void {
    const [c, h, w] = this.spec.input;
    if (x.shape.length !== 4 || x.shape[1] !== c || x.shape[2] !== h || x.shape[3] !== w) {
      throw new Error(`the model takes images [N, ${c}, ${h}, ${w}], got [${x.shape}]`);
    }
  }

  /** Every named tensor's values, in state_dict order. */
  async stateDict(): Promise<Map<string, NamedTensor>> {
    const out = new Map<string, NamedTensor>();
    for (const t of this.tensors) out.set(t.name, { shape: [...t.tensor.shape], data: await t.tensor.read() });
    return out;
  }

  /** Loads named tensors (all of the model's must be present, with the same shapes). */
  loadStateDict(values: Map<string, NamedTensor>, source = 'checkpoint'): void {
    for (const t of this.tensors) {
      const v = values.get(t.name);
      if (!v) throw new Error(`${source}: tensor ${t.name} is missing (the model has ${this.tensors.map((x) => x.name).join(', ')})`);
      if (!sameShape(v.shape, t.tensor.shape)) throw new Error(`${source}: tensor ${t.name} has shape [${v.shape}], the model needs [${t.tensor.shape}]`);
      this.engine.backend.write(t.tensor.buffer, v.data);
    }
  }

  dispose(): void {
    for (const t of this.tensors) {
      t.tensor.grad?.release();
      t.tensor.release();
    }
  }

  private add(name: string, shape: number[], data: Float32Array, trainable: boolean): Tensor {
    const t = trainable ? this.engine.parameter(shape, data) : this.engine.untrack(this.engine.fromArray(shape, data)).keep();
    this.tensors.push({ name, tensor: t, trainable });
    return t;
  }

  /** PyTorch's default: weight and bias uniform in ±1/sqrt(fan_in) (kaiming_uniform with a = √5). */
  private uniformInit(rng: Rng, n: number, fanIn: number): Float32Array {
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    return rng.fillUniform(new Float32Array(n), -bound, bound);
  }

  private linearParams(prefix: string, inF: number, outF: number, bias: boolean, rng: Rng): [Tensor, Tensor | null] {
    const w = this.add(`${prefix}.weight`, [outF, inF], this.uniformInit(rng, outF * inF, inF), true);
    const b = bias ? this.add(`${prefix}.bias`, [outF], this.uniformInit(rng, outF, inF), true) : null;
    return [w, b];
  }

  private build(part: string, index: number, l: LayerSpec, inShape: number[], rng: Rng): Layer {
    const prefix = `${part}.${index}`;
    switch (l.type) {
      case 'conv2d': {
        const [kh, kw] = pair(l.kernel, 1), fanIn = inShape[0] * kh * kw, bias = l.bias ?? true;
        const w = this.add(`${prefix}.weight`, [l.out, inShape[0], kh, kw], this.uniformInit(rng, l.out * fanIn, fanIn), true);
        const b = bias ? this.add(`${prefix}.bias`, [l.out], this.uniformInit(rng, l.out, fanIn), true) : null;
        const o = { stride: pair(l.stride, 1), padding: pair(l.padding, 0), dilation: pair(l.dilation, 1) };
        return { forward: (x) => conv2d(x, w, b, o) };
      }
      case 'conv_transpose2d': {
        // PyTorch computes fan_in from weight.size(1) = out channels for a transposed convolution.
        const [kh, kw] = pair(l.kernel, 1), fanIn = l.out * kh * kw, bias = l.bias ?? true;
        const w = this.add(`${prefix}.weight`, [inShape[0], l.out, kh, kw], this.uniformInit(rng, inShape[0] * fanIn, fanIn), true);
        const b = bias ? this.add(`${prefix}.bias`, [l.out], this.uniformInit(rng, l.out, fanIn), true) : null;
        const o = { stride: pair(l.stride, 1), padding: pair(l.padding, 0), dilation: pair(l.dilation, 1), outputPadding: pair(l.output_padding, 0) };
        return { forward: (x) => convTranspose2d(x, w, b, o) };
      }
      case 'linear': {
        const [w, b] = this.linearParams(prefix, inShape[0], l.out, l.bias ?? true, rng);
        return { forward: (x) => linear(x, w, b) };
      }
      case 'batchnorm': {
        const c = inShape[0];
        const s: BatchNormState = {
          gamma: this.add(`${prefix}.weight`, [c], new Float32Array(c).fill(1), true),
          beta: this.add(`${prefix}.bias`, [c], new Float32Array(c), true),
          runningMean: this.add(`${prefix}.running_mean`, [c], new Float32Array(c), false),
          runningVar: this.add(`${prefix}.running_var`, [c], new Float32Array(c).fill(1), false),
          eps: l.eps ?? 1e-5,
          momentum: l.momentum ?? 0.1,
        };
        return { forward: (x, ctx) => batchNorm(x, s, ctx.training) };
      }
      case 'maxpool2d': {
        const o = { kernel: pair(l.kernel, 1), stride: pair(l.stride ?? l.kernel, 1), padding: pair(l.padding, 0) };
        return {
          forward: (x, ctx) => {
            const { y, indices } = maxPool2d(x, o);
            ctx.pools.push({ indices, size: [x.shape[2], x.shape[3]] });
            return y;
          },
        };
      }
      case 'maxunpool2d':
        return {
          forward: (x, ctx) => {
            const pool = ctx.pools.pop();
            if (!pool) throw new Error(`${prefix}: maxunpool2d has no max-pool indices to pair with`);
            return maxUnpool2d(x, pool.indices, pool.size);
          },
        };
      case 'flatten':
        return { forward: (x) => flatten(x) };
      case 'reshape':
        return { forward: (x) => reshape(x, [x.shape[0], ...l.shape]) };
      case 'dropout':
        return { forward: (x, ctx) => dropout(x, l.p ?? 0.5, ctx.rng, ctx.training) };
      case 'leaky_relu':
        return { forward: (x) => unaryOp('leaky_relu', x, l.negative_slope ?? 0.01) };
      case 'elu':
        return { forward: (x) => unaryOp('elu', x, 1) };
      case 'relu': case 'sigmoid': case 'tanh': case 'gelu': case 'softplus': {
        const kind = l.type;
        return { forward: (x) => unaryOp(kind, x) };
      }
    }
  }
}

function run(layers: Layer[], x: Tensor, ctx: ForwardContext): Tensor {
  let h = x;
  for (const l of layers) h = l.forward(h, ctx);
  return h;
}
