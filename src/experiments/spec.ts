// The architecture spec (format: ../shared/fixtures/README.md): validation and shape inference.
// Every error names the layer, the shapes involved and what would fix it.

export type Pair = number | [number, number];

export type LayerSpec =
  | { type: 'conv2d'; out: number; kernel: Pair; stride?: Pair; padding?: Pair; dilation?: Pair; bias?: boolean }
  | { type: 'conv_transpose2d'; out: number; kernel: Pair; stride?: Pair; padding?: Pair; output_padding?: Pair; dilation?: Pair; bias?: boolean }
  | { type: 'linear'; out: number; bias?: boolean }
  | { type: 'batchnorm'; eps?: number; momentum?: number }
  | { type: 'maxpool2d'; kernel: Pair; stride?: Pair; padding?: Pair }
  | { type: 'maxunpool2d'; kernel: Pair; stride?: Pair; padding?: Pair }
  | { type: 'flatten' }
  | { type: 'reshape'; shape: number[] }
  | { type: 'dropout'; p?: number }
  | { type: 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'gelu' | 'softplus' }
  | { type: 'leaky_relu'; negative_slope?: number };

export type LayerType = LayerSpec['type'];

export interface ArchitectureSpec {
  kind: 'vae' | 'ae';
  input: [number, number, number];
  latent?: number;
  likelihood?: 'bernoulli' | 'gaussian';
  beta?: number;
  encoder: LayerSpec[];
  decoder: LayerSpec[];
}

/** Each layer type's allowed fields (besides `type`) and which are required. */
export const LAYER_FIELDS: Record<LayerType, { required: string[]; optional: string[] }> = {
  conv2d: { required: ['out', 'kernel'], optional: ['stride', 'padding', 'dilation', 'bias'] },
  conv_transpose2d: { required: ['out', 'kernel'], optional: ['stride', 'padding', 'output_padding', 'dilation', 'bias'] },
  linear: { required: ['out'], optional: ['bias'] },
  batchnorm: { required: [], optional: ['eps', 'momentum'] },
  maxpool2d: { required: ['kernel'], optional: ['stride', 'padding'] },
  maxunpool2d: { required: ['kernel'], optional: ['stride', 'padding'] },
  flatten: { required: [], optional: [] },
  reshape: { required: ['shape'], optional: [] },
  dropout: { required: [], optional: ['p'] },
  relu: { required: [], optional: [] },
  leaky_relu: { required: [], optional: ['negative_slope'] },
  sigmoid: { required: [], optional: [] },
  tanh: { required: [], optional: [] },
  elu: { required: [], optional: [] },
  gelu: { required: [], optional: [] },
  softplus: { required: [], optional: [] },
};

export const LAYER_TYPES = Object.keys(LAYER_FIELDS) as LayerType[];

/** Where a layer sits: 'encoder.3', 'decoder.0', 'head'. */
export type LayerPath = string;

export class SpecError extends Error {
  constructor(readonly path: LayerPath | null, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'SpecError';
  }
}

/** Shape of one sample (batch dimension left out): [C, H, W] or [F]. */
export type SampleShape = number[];

export interface LayerInfo {
  path: LayerPath;
  type: LayerType | 'head' | 'reparameterize';
  inShape: SampleShape;
  outShape: SampleShape;
  params: number;
  /** Multiply–adds per sample, forward. */
  macs: number;
}

export interface Inferred {
  layers: LayerInfo[];
  encoderOut: SampleShape;
  params: number;
  macs: number;
}

export function pair(v: Pair | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return Array.isArray(v) ? [v[0], v[1]] : [v, v];
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function checkPair(path: string, name: string, v: unknown, min: number): void {
  const ok = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= min;
  if (Array.isArray(v) ? v.length === 2 && v.every(ok) : ok(v)) return;
  throw new SpecError(path, `${name} must be an integer ≥ ${min} or a pair [h, w] of them, got ${JSON.stringify(v)}`);
}

/** Checks a layer's fields (not its shapes). */
function checkLayerFields(path: string, layer: unknown): asserts layer is LayerSpec {
  if (!layer || typeof layer !== 'object' || Array.isArray(layer)) throw new SpecError(path, `a layer must be an object with a "type", got ${JSON.stringify(layer)}`);
  const l = layer as Record<string, unknown>;
  const fields = LAYER_FIELDS[l.type as LayerType];
  if (!fields) throw new SpecError(path, `unknown layer type ${JSON.stringify(l.type)}; known types: ${LAYER_TYPES.join(', ')}`);
  for (const f of fields.required) if (l[f] === undefined) throw new SpecError(path, `${l.type} needs "${f}"`);
  for (const k of Object.keys(l)) {
    if (k !== 'type' && !fields.required.includes(k) && !fields.optional.includes(k)) {
      throw new SpecError(path, `${l.type} has no field "${k}" (fields: ${[...fields.required, ...fields.optional].join(', ') || 'none'})`);
    }
  }
  if ('out' in l && !isPositiveInt(l.out)) throw new SpecError(path, `out must be a positive integer, got ${JSON.stringify(l.out)}`);
  if ('kernel' in l) checkPair(path, 'kernel', l.kernel, 1);
  if ('stride' in l) checkPair(path, 'stride', l.stride, 1);
  if ('dilation' in l) checkPair(path, 'dilation', l.dilation, 1);
  if ('padding' in l) checkPair(path, 'padding', l.padding, 0);
  if ('output_padding' in l) checkPair(path, 'output_padding', l.output_padding, 0);
  if ('bias' in l && typeof l.bias !== 'boolean') throw new SpecError(path, `bias must be true or false`);
  if (l.type === 'dropout' && l.p !== undefined && !(typeof l.p === 'number' && l.p >= 0 && l.p < 1)) throw new SpecError(path, `dropout p must be in [0, 1), got ${JSON.stringify(l.p)}`);
  if (l.type === 'reshape' && !(Array.isArray(l.shape) && l.shape.length >= 1 && l.shape.length <= 3 && l.shape.every(isPositiveInt))) {
    throw new SpecError(path, `reshape shape must be 1 to 3 positive integers, got ${JSON.stringify(l.shape)}`);
  }
  for (const k of ['eps', 'momentum', 'negative_slope'] as const) {
    if (l[k] !== undefined && !(typeof l[k] === 'number' && Number.isFinite(l[k]))) throw new SpecError(path, `${k} must be a number`);
  }
  if (l.type === 'batchnorm' && l.eps !== undefined && !((l.eps as number) > 0)) throw new SpecError(path, 'eps must be positive');
}

/** Checks the top-level fields; returns the spec typed. */
export function validateSpec(raw: unknown): ArchitectureSpec {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SpecError(null, 'a spec must be a JSON object');
  const s = raw as Record<string, unknown>;
  const known = ['kind', 'input', 'latent', 'likelihood', 'beta', 'encoder', 'decoder', 'name', 'description'];
  for (const k of Object.keys(s)) if (!known.includes(k)) throw new SpecError(null, `unknown field "${k}" (fields: ${known.join(', ')})`);
  if (s.kind !== 'vae' && s.kind !== 'ae') throw new SpecError(null, `kind must be "vae" or "ae", got ${JSON.stringify(s.kind)}`);
  if (!(Array.isArray(s.input) && s.input.length === 3 && s.input.every(isPositiveInt))) {
    throw new SpecError(null, `input must be [channels, height, width] of positive integers, got ${JSON.stringify(s.input)}`);
  }
  if (s.kind === 'vae' && !isPositiveInt(s.latent)) throw new SpecError(null, `a vae needs "latent", a positive integer, got ${JSON.stringify(s.latent)}`);
  if (s.kind === 'ae' && s.latent !== undefined) throw new SpecError(null, `"latent" is for kind "vae"; an ae's code is the encoder's output`);
  if (s.likelihood !== undefined && s.likelihood !== 'bernoulli' && s.likelihood !== 'gaussian') {
    throw new SpecError(null, `likelihood must be "bernoulli" or "gaussian", got ${JSON.stringify(s.likelihood)}`);
  }
  if (s.beta !== undefined && !(typeof s.beta === 'number' && s.beta >= 0 && Number.isFinite(s.beta))) throw new SpecError(null, `beta must be a number ≥ 0`);
  for (const part of ['encoder', 'decoder'] as const) {
    const layers = s[part];
    if (!Array.isArray(layers)) throw new SpecError(null, `${part} must be a list of layers`);
    layers.forEach((l, i) => checkLayerFields(`${part}.${i}`, l));
  }
  if ((s.decoder as unknown[]).length === 0) throw new SpecError(null, 'the decoder is empty: it must map the code back to the input shape');
  return s as unknown as ArchitectureSpec;
}

/** A pooled shape the unpool pairs with: the pool's input [C, H, W] and where it was. */
interface PoolRecord {
  path: string;
  inShape: SampleShape;
  outShape: SampleShape;
}

/** Infers one layer's output; pools is the LIFO stack maxunpool2d pairs with. */
function inferLayer(path: string, l: LayerSpec, s: SampleShape, pools: PoolRecord[]): { out: SampleShape; params: number; macs: number } {
  const need3d = (what: string) => {
    if (s.length !== 3) throw new SpecError(path, `${what} needs a feature map [C, H, W], got ${fmt(s)}; put it before the flatten, or reshape first`);
  };
  switch (l.type) {
    case 'conv2d': {
      need3d('conv2d');
      const [kh, kw] = pair(l.kernel, 1), [sh, sw] = pair(l.stride, 1), [ph, pw] = pair(l.padding, 0), [dh, dw] = pair(l.dilation, 1);
      const h = Math.floor((s[1] + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
      const w = Math.floor((s[2] + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
      if (h < 1 || w < 1) throw new SpecError(path, `a ${kh}×${kw} kernel (dilation ${dh}×${dw}, padding ${ph}×${pw}) does not fit the ${s[1]}×${s[2]} input ${fmt(s)}; use a smaller kernel or more padding`);
      const bias = l.bias ?? true;
      return { out: [l.out, h, w], params: l.out * s[0] * kh * kw + (bias ? l.out : 0), macs: l.out * h * w * s[0] * kh * kw };
    }
    case 'conv_transpose2d': {
      need3d('conv_transpose2d');
      const [kh, kw] = pair(l.kernel, 1), [sh, sw] = pair(l.stride, 1), [ph, pw] = pair(l.padding, 0), [dh, dw] = pair(l.dilation, 1), [oph, opw] = pair(l.output_padding, 0);
      if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) throw new SpecError(path, `output_padding ${oph}×${opw} must be smaller than the stride or the dilation`);
      const h = (s[1] - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
      const w = (s[2] - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
      if (h < 1 || w < 1) throw new SpecError(path, `padding ${ph}×${pw} leaves no output from the ${s[1]}×${s[2]} input ${fmt(s)}`);
      const bias = l.bias ?? true;
      return { out: [l.out, h, w], params: s[0] * l.out * kh * kw + (bias ? l.out : 0), macs: s[0] * s[1] * s[2] * l.out * kh * kw };
    }
    case 'linear': {
      if (s.length !== 1) throw new SpecError(path, `linear needs a vector [F], got the feature map ${fmt(s)}; add a flatten before it`);
      const bias = l.bias ?? true;
      return { out: [l.out], params: l.out * s[0] + (bias ? l.out : 0), macs: l.out * s[0] };
    }
    case 'batchnorm':
      return { out: s, params: 2 * s[0], macs: 0 };
    case 'maxpool2d': {
      need3d('maxpool2d');
      const [kh, kw] = pair(l.kernel, 1), [sh, sw] = pair(l.stride ?? l.kernel, 1), [ph, pw] = pair(l.padding, 0);
      if (2 * ph > kh || 2 * pw > kw) throw new SpecError(path, `padding ${ph}×${pw} must be at most half the ${kh}×${kw} kernel`);
      const h = Math.floor((s[1] + 2 * ph - kh) / sh) + 1, w = Math.floor((s[2] + 2 * pw - kw) / sw) + 1;
      if (h < 1 || w < 1) throw new SpecError(path, `a ${kh}×${kw} window does not fit the ${s[1]}×${s[2]} input ${fmt(s)}`);
      const out = [s[0], h, w];
      pools.push({ path, inShape: s, outShape: out });
      return { out, params: 0, macs: 0 };
    }
    case 'maxunpool2d': {
      need3d('maxunpool2d');
      const pool = pools.pop();
      if (!pool) throw new SpecError(path, 'maxunpool2d has no max pool to pair with: every unpool pairs, last-in-first-out, with a maxpool2d before it');
      if (pool.outShape[0] !== s[0] || pool.outShape[1] !== s[1] || pool.outShape[2] !== s[2]) {
        throw new SpecError(path, `maxunpool2d gets ${fmt(s)} but its paired max pool (${pool.path}) produced ${fmt(pool.outShape)}; the indices only fit a tensor of that shape`);
      }
      return { out: pool.inShape, params: 0, macs: 0 };
    }
    case 'flatten':
      return { out: [s.reduce((a, b) => a * b, 1)], params: 0, macs: 0 };
    case 'reshape': {
      const n = s.reduce((a, b) => a * b, 1), m = l.shape.reduce((a, b) => a * b, 1);
      if (n !== m) throw new SpecError(path, `cannot reshape ${fmt(s)} (${n} values) to ${fmt(l.shape)} (${m} values)`);
      return { out: [...l.shape], params: 0, macs: 0 };
    }
    default:
      return { out: s, params: 0, macs: 0 };
  }
}

function inferSequence(part: 'encoder' | 'decoder', layers: LayerSpec[], input: SampleShape, pools: PoolRecord[], out: LayerInfo[]): SampleShape {
  let s = input;
  layers.forEach((l, i) => {
    const path = `${part}.${i}`;
    const r = inferLayer(path, l, s, pools);
    out.push({ path, type: l.type, inShape: s, outShape: r.out, params: r.params, macs: r.macs });
    s = r.out;
  });
  return s;
}

/** Validates a spec and infers every layer's shapes, parameter count and multiply–adds per sample. */
export function inferSpec(raw: unknown): Inferred & { spec: ArchitectureSpec } {
  const spec = validateSpec(raw);
  const layers: LayerInfo[] = [];
  const pools: PoolRecord[] = [];
  const encoderOut = inferSequence('encoder', spec.encoder, [...spec.input], pools, layers);
  let decoderIn = encoderOut;
  if (spec.kind === 'vae') {
    if (encoderOut.length !== 1) {
      throw new SpecError(`encoder.${spec.encoder.length - 1}`, `a vae's encoder must end in a vector (the head is linear), got ${fmt(encoderOut)}; end the encoder with a flatten`);
    }
    const latent = spec.latent!;
    layers.push({ path: 'head', type: 'head', inShape: encoderOut, outShape: [2 * latent], params: 2 * latent * encoderOut[0] + 2 * latent, macs: 2 * latent * encoderOut[0] });
    layers.push({ path: 'z', type: 'reparameterize', inShape: [2 * latent], outShape: [latent], params: 0, macs: 0 });
    decoderIn = [latent];
  }
  const decoderOut = inferSequence('decoder', spec.decoder, decoderIn, pools, layers);
  if (!sameDims(decoderOut, spec.input)) {
    throw new SpecError(`decoder.${spec.decoder.length - 1}`, `the decoder ends with ${fmt(decoderOut)} but must give back the input's shape ${fmt(spec.input)}`);
  }
  // Pools left unpaired are fine: only an unpool needs a partner.
  return {
    spec,
    layers,
    encoderOut,
    params: layers.reduce((a, l) => a + l.params, 0),
    macs: layers.reduce((a, l) => a + l.macs, 0),
  };
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Non-throwing form for editors: every layer's shapes up to the first problem, and that problem. */
export function inferSpecPartial(raw: unknown): { layers: LayerInfo[]; error: SpecError | null; params: number; macs: number } {
  try {
    const r = inferSpec(raw);
    return { layers: r.layers, error: null, params: r.params, macs: r.macs };
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    // Re-run layer by layer to report what was inferred before the failure.
    const layers: LayerInfo[] = [];
    try {
      const spec = raw as ArchitectureSpec;
      const pools: PoolRecord[] = [];
      const enc = inferSequence('encoder', spec.encoder ?? [], [...(spec.input ?? [])], pools, layers);
      const decIn = spec.kind === 'vae' ? [spec.latent ?? 0] : enc;
      inferSequence('decoder', spec.decoder ?? [], decIn, pools, layers);
    } catch {
      // the partial list stands
    }
    return { layers, error: e, params: layers.reduce((a, l) => a + l.params, 0), macs: layers.reduce((a, l) => a + l.macs, 0) };
  }
}
