import type { AdamParams, SgdParams } from './backend.ts';
import type { Engine, Tensor } from './tensor.ts';

/** One Adam update of `param` in place from its gradient and moment buffers. */
export function adamStep(e: Engine, p: AdamParams, param: Tensor, grad: Tensor, m: Tensor, v: Tensor): void {
  e.k.adamStep(p, param.buffer, grad.buffer, m.buffer, v.buffer);
}

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** State of an optimizer, by parameter index, for checkpoints. */
export interface OptimizerState {
  type: 'adam' | 'sgd';
  step: number;
  buffers: Tensor[][];
}

export interface Optimizer {
  readonly type: 'adam' | 'sgd';
  lr: number;
  readonly stepCount: number;
  /** Applies one update to every parameter that has a gradient. */
  step(): void;
  zeroGrad(): void;
  /** Moment buffers per parameter (Adam: [m, v]; SGD: [momentum]). */
  buffers(): Tensor[][];
  setStepCount(n: number): void;
}

/** What both optimizers share: the learning rate, the step count and gradient clearing. */
abstract class BaseOptimizer implements Optimizer {
  abstract readonly type: 'adam' | 'sgd';
  private t = 0;

  constructor(protected readonly e: Engine, protected readonly params: Tensor[], public lr: number) {}

  get stepCount(): number {
    return this.t;
  }

  setStepCount(n: number): void {
    this.t = n;
  }

  step(): void {
    this.t++;
    this.update(this.t);
  }

  zeroGrad(): void {
    this.e.zeroGrad(this.params);
  }

  /** Updates every parameter that has a gradient; `step` is 1-based. */
  protected abstract update(step: number): void;

  abstract buffers(): Tensor[][];
}

export class Adam extends BaseOptimizer {
  readonly type = 'adam';
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly state: [Tensor, Tensor][];

  constructor(e: Engine, params: Tensor[], o: AdamOptions) {
    super(e, params, o.lr);
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.state = params.map((p) => [persistentZeros(e, p.shape), persistentZeros(e, p.shape)]);
  }

  protected update(step: number): void {
    const p: AdamParams = { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, step };
    this.params.forEach((param, i) => {
      if (param.grad) this.e.k.adamStep(p, param.buffer, param.grad.buffer, this.state[i][0].buffer, this.state[i][1].buffer);
    });
  }

  buffers(): Tensor[][] {
    return this.state;
  }
}

export class Sgd extends BaseOptimizer {
  readonly type = 'sgd';
  private readonly o: Required<Omit<SgdOptions, 'lr'>>;
  private readonly momentum: Tensor[];

  constructor(e: Engine, params: Tensor[], o: SgdOptions) {
    super(e, params, o.lr);
    this.o = { momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false };
    this.momentum = params.map((p) => persistentZeros(e, p.shape));
  }

  protected update(step: number): void {
    const p: SgdParams = { lr: this.lr, ...this.o, firstStep: step === 1 };
    this.params.forEach((param, i) => {
      if (param.grad) this.e.k.sgdStep(p, param.buffer, param.grad.buffer, this.momentum[i].buffer);
    });
  }

  buffers(): Tensor[][] {
    return this.momentum.map((m) => [m]);
  }
}

function persistentZeros(e: Engine, shape: readonly number[]): Tensor {
  return e.untrack(e.zeros(shape)).keep();
}
