// The backend contract: a small set of primitives over backend-owned buffers.
// Ops and their gradients are written once, above this interface (src/engine/ops); a backend only
// moves numbers. Everything is shaped for WebGPU from the start: kernels are fire-and-forget (they may be
// queued), and the only way back to JavaScript is the asynchronous `read`.

export type DType = 'f32' | 'i32';

/** An opaque handle to `length` elements of `dtype` owned by one backend. */
export interface DeviceBuffer {
  readonly length: number;
  readonly dtype: DType;
}

export type UnaryKind =
  | 'relu'
  | 'leaky_relu' // param: negative slope
  | 'sigmoid'
  | 'tanh'
  | 'elu' // param: alpha
  | 'gelu' // erf form
  | 'softplus'
  | 'exp'
  | 'neg';

/** Pointwise two-input functions. `bce_logits`, `bce`, `sq_diff` take (prediction, target). */
export type BinaryKind = 'add' | 'sub' | 'mul' | 'bce_logits' | 'bce' | 'sq_diff' | 'kl_normal';
// kl_normal(mu, logvar) = -0.5 * (1 + logvar - mu^2 - exp(logvar)), one term of KL(N(mu, σ²) ‖ N(0, 1)).

/** Geometry of a 2-D convolution seen as im2col: input [N, C, H, W] -> columns [C*KH*KW, N*OH*OW]. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  oh: number;
  ow: number;
}

/** Max pooling over each (n, c) plane: input [planes, H, W] -> output [planes, OH, OW]. */
export interface PoolGeometry {
  planes: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  oh: number;
  ow: number;
}

export interface GemmParams {
  m: number;
  n: number;
  k: number;
  /** A is stored K×M and used transposed. */
  transA: boolean;
  /** B is stored N×K and used transposed. */
  transB: boolean;
  alpha: number;
  /** 0 overwrites C, 1 accumulates into it. */
  beta: number;
}

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count after this update. */
  step: number;
}

export interface SgdParams {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** true on the first step: the momentum buffer is set to the gradient, as PyTorch does. */
  firstStep: boolean;
}

/**
 * The kernels a backend must provide. Every backend keeps a registry object typed as `Kernels<B>`, so a
 * missing kernel is a compile error. Buffers are dense and row-major; element counts come from the params
 * or the buffers. Unless said otherwise a kernel overwrites its outputs, and an output never aliases an
 * input: only `axpby` (out may be y or x) and `biasAdd` (y may be x) run in place.
 */
export interface Kernels<B extends DeviceBuffer = DeviceBuffer> {
  /** out[i] = value */
  fill(out: B, value: number): void;
  /** out[i] = alpha * x[i] + beta * y[i]; out may be x or y (in place). */
  axpby(alpha: number, x: B, beta: number, y: B, out: B): void;
  /** out[i] = alpha * s[0]: broadcasts a device scalar (the backward of a sum). */
  broadcastScalar(s: B, alpha: number, out: B): void;
  /** dst[r*dstStride + dstOffset + c] = src[r*srcStride + srcOffset + c] for r < rows, c < cols. */
  copyStrided(
    src: B, srcOffset: number, srcStride: number,
    dst: B, dstOffset: number, dstStride: number,
    rows: number, cols: number,
  ): void;
  /** [a, b, c] -> [b, a, c] (NCHW <-> CNHW with c = H*W). */
  transpose021(x: B, out: B, a: number, b: number, c: number): void;
  /** C = alpha * op(A) · op(B) + beta * C, row-major, op(A) M×K, op(B) K×N. */
  gemm(p: GemmParams, a: B, b: B, c: B): void;
  /** x [N, C, H, W] -> col [C*KH*KW, N*OH*OW], zero outside the padded image. */
  im2col(g: ConvGeometry, x: B, col: B): void;
  /** The adjoint of im2col: col [C*KH*KW, N*OH*OW] -> x [N, C, H, W], overlapping taps summed. */
  col2im(g: ConvGeometry, col: B, x: B): void;
  /** y = f(x) */
  unary(kind: UnaryKind, param: number, x: B, y: B): void;
  /** dx = f'(x) * dy (y = f(x) is given for kinds whose derivative is cheapest from it). */
  unaryBackward(kind: UnaryKind, param: number, x: B, y: B, dy: B, dx: B): void;
  /** out = f(a, b) elementwise. */
  binary(kind: BinaryKind, a: B, b: B, out: B): void;
  /**
   * Gradients of f(a, b) given upstream dy. When `dyIsScalar`, dy has one element broadcast to all.
   * da / db may be null when not wanted.
   */
  binaryBackward(kind: BinaryKind, a: B, b: B, dy: B, dyIsScalar: boolean, da: B | null, db: B | null): void;
  /** y[n, c, s] = x[n, c, s] + bias[c]; x is [N, C, S]; y may be x. */
  biasAdd(x: B, bias: B, y: B, n: number, c: number, s: number): void;
  /** out[c] = Σ_{n, s} x[n, c, s] (+ out[c] when accumulate). */
  channelSum(x: B, out: B, n: number, c: number, s: number, accumulate: boolean): void;
  /** out[0] = Σ x */
  sumAll(x: B, out: B): void;
  /** Per-channel mean and biased variance of x [N, C, S]. */
  bnStats(x: B, mean: B, variance: B, n: number, c: number, s: number): void;
  /** y = (x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]. */
  bnApply(x: B, mean: B, variance: B, gamma: B, beta: B, y: B, n: number, c: number, s: number, eps: number): void;
  /**
   * Batch norm backward. In training mode (batch statistics) dx carries the statistics' gradient too;
   * in eval mode (running statistics) dx = dy * gamma / sqrt(var + eps). dgamma and dbeta accumulate.
   */
  bnBackward(
    x: B, dy: B, mean: B, variance: B, gamma: B,
    dx: B | null, dgamma: B | null, dbeta: B | null,
    n: number, c: number, s: number, eps: number, training: boolean,
  ): void;
  /** Max pool; indices (i32) are flat positions in each input plane, as PyTorch's. */
  maxPool(g: PoolGeometry, x: B, y: B, indices: B): void;
  /** dx[plane, indices[o]] += dy[o] (dx overwritten first). */
  maxPoolBackward(g: PoolGeometry, dy: B, indices: B, dx: B): void;
  /** y zeroed, then y[plane, indices[i]] = x[i]; y planes are outH×outW. */
  maxUnpool(x: B, indices: B, y: B, planes: number, inSize: number, outSize: number): void;
  /** dx[i] = dy[plane, indices[i]] */
  maxUnpoolBackward(dy: B, indices: B, dx: B, planes: number, inSize: number, outSize: number): void;
  /** One Adam step in place (PyTorch semantics, L2 weight decay added to the gradient). */
  adamStep(p: AdamParams, param: B, grad: B, m: B, v: B): void;
  /** One SGD step in place (PyTorch semantics). */
  sgdStep(p: SgdParams, param: B, grad: B, momentum: B): void;
}

export interface Backend<B extends DeviceBuffer = DeviceBuffer> {
  readonly name: string;
  readonly kernels: Kernels<B>;
  alloc(length: number, dtype?: DType): B;
  /** Returns the buffer to the backend's pool; the handle must not be used again. */
  release(buffer: B): void;
  write(buffer: B, data: Float32Array | Int32Array): void;
  read(buffer: B): Promise<Float32Array | Int32Array>;
  /** Waits until every queued kernel has run. */
  flush(): Promise<void>;
  dispose(): void;
}
