import type { Backend, DeviceBuffer, DType, Kernels } from './backend.ts';

/** How a tensor was made: its inputs and how to turn the output's gradient into theirs. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradients for each input, null where an input takes none. Returned tensors must be fresh. */
  backward(gradOutput: Tensor): (Tensor | null)[];
}

export class Tensor {
  readonly size: number;
  requiresGrad: boolean;
  grad: Tensor | null = null;
  node: GradNode | null = null;
  /** Survives every scope: parameters, optimizer state, running statistics, their gradients. */
  persistent = false;
  private released = false;

  constructor(
    readonly engine: Engine,
    readonly shape: readonly number[],
    readonly buffer: DeviceBuffer,
    requiresGrad = false,
  ) {
    this.size = shapeSize(shape);
    if (buffer.length !== this.size) throw new Error(`tensor of shape [${shape}] on a buffer of ${buffer.length}`);
    this.requiresGrad = requiresGrad;
  }

  get dtype(): DType {
    return this.buffer.dtype;
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Values back in JavaScript (asynchronous, as a GPU readback is). */
  async read(): Promise<Float32Array> {
    const data = await this.engine.backend.read(this.buffer);
    return data instanceof Float32Array ? data : Float32Array.from(data);
  }

  async readInt(): Promise<Int32Array> {
    const data = await this.engine.backend.read(this.buffer);
    return data instanceof Int32Array ? data : Int32Array.from(data);
  }

  /** A single-element tensor's value. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() of a tensor of shape [${this.shape}]`);
    return (await this.read())[0];
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.engine.backend.release(this.buffer);
  }

  keep(): this {
    this.persistent = true;
    return this;
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`bad dimension ${d} in shape [${shape}]`);
    n *= d;
  }
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The engine context: a backend, autograd state and memory scopes. Every tensor created inside
 * `scope(fn)` is released when fn returns, except what fn returns and persistent tensors; so a training
 * step allocates from the backend's pool and gives everything back at its end.
 */
export class Engine {
  readonly k: Kernels;
  private gradDepth = 0;
  private readonly scopes: Tensor[][] = [];

  constructor(readonly backend: Backend) {
    this.k = backend.kernels;
  }

  get gradEnabled(): boolean {
    return this.gradDepth === 0;
  }

  /** A new uninitialised tensor. */
  empty(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    const t = new Tensor(this, shape, this.backend.alloc(shapeSize(shape), dtype));
    this.scopes.at(-1)?.push(t);
    return t;
  }

  zeros(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    const t = this.empty(shape, dtype);
    this.k.fill(t.buffer, 0);
    return t;
  }

  full(shape: readonly number[], value: number): Tensor {
    const t = this.empty(shape);
    this.k.fill(t.buffer, value);
    return t;
  }

  fromArray(shape: readonly number[], data: ArrayLike<number>, dtype: DType = 'f32'): Tensor {
    const t = this.empty(shape, dtype);
    if (data.length !== t.size) throw new Error(`${data.length} values for a tensor of shape [${shape}] (${t.size})`);
    const typed = dtype === 'i32'
      ? (data instanceof Int32Array ? data : Int32Array.from(data))
      : (data instanceof Float32Array ? data : Float32Array.from(data));
    this.backend.write(t.buffer, typed);
    return t;
  }

  /** A persistent leaf that takes gradients. */
  parameter(shape: readonly number[], data: ArrayLike<number>): Tensor {
    const t = this.fromArray(shape, data);
    t.requiresGrad = true;
    return this.untrack(t).keep();
  }

  /** Runs fn with autograd off (evaluation). */
  noGrad<T>(fn: () => T): T {
    this.gradDepth++;
    try {
      return fn();
    } finally {
      this.gradDepth--;
    }
  }

  /** Runs fn and releases every tensor it created but does not return (deeply: arrays and objects). */
  scope<T>(fn: () => T): T {
    this.scopes.push([]);
    try {
      return this.keepResult(fn());
    } catch (e) {
      this.closeScope(new Set());
      throw e;
    }
  }

  /** The async form of scope, for steps that await a readback inside. */
  async scopeAsync<T>(fn: () => Promise<T>): Promise<T> {
    this.scopes.push([]);
    try {
      return this.keepResult(await fn());
    } catch (e) {
      this.closeScope(new Set());
      throw e;
    }
  }

  /** Closes the innermost scope, handing the tensors in `result` to the parent scope. */
  private keepResult<T>(result: T): T {
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    this.closeScope(kept);
    return result;
  }

  private closeScope(kept: Set<Tensor>): void {
    const created = this.scopes.pop()!;
    const parent = this.scopes.at(-1);
    for (const t of created) {
      if (kept.has(t)) parent?.push(t);
      else if (!t.persistent) t.release();
    }
  }

  /** Removes a tensor from scope tracking (it now lives until released by hand). */
  untrack(t: Tensor): Tensor {
    for (const s of this.scopes) {
      const i = s.lastIndexOf(t);
      if (i >= 0) s.splice(i, 1);
    }
    return t;
  }

  /**
   * Records how `out` came from `inputs` when any input takes a gradient and autograd is on.
   * Ops call this once per output.
   */
  record(out: Tensor, op: string, inputs: readonly Tensor[], backward: (g: Tensor) => (Tensor | null)[]): Tensor {
    if (this.gradEnabled && inputs.some((t) => t.requiresGrad)) {
      out.requiresGrad = true;
      out.node = { op, inputs, backward };
    }
    return out;
  }

  /**
   * Reverse-mode pass from a scalar (or from `seed` as its gradient): gradients of leaves that require them
   * accumulate into `.grad`; intermediate gradients are released as soon as they are consumed.
   */
  backward(root: Tensor, seed?: Tensor): void {
    if (!root.requiresGrad) throw new Error('backward() on a tensor that does not require a gradient');
    if (!seed && root.size !== 1) throw new Error(`backward() needs a gradient for a non-scalar of shape [${root.shape}]`);
    const order = topologicalOrder(root);
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, seed ?? this.full(root.shape, 1));
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node = t.node!;
      const inputGrads = this.noGrad(() => node.backward(g));
      if (g !== seed) g.release();
      node.inputs.forEach((input, j) => {
        const ig = inputGrads[j];
        if (!ig || !input.requiresGrad) {
          ig?.release();
          return;
        }
        if (!sameShape(ig.shape, input.shape)) {
          throw new Error(`${node.op}: gradient of shape [${ig.shape}] for an input of shape [${input.shape}]`);
        }
        if (input.node) {
          const prev = grads.get(input);
          if (prev) {
            this.k.axpby(1, ig.buffer, 1, prev.buffer, prev.buffer);
            ig.release();
          } else grads.set(input, ig);
        } else {
          this.accumulateGrad(input, ig);
        }
      });
    }
  }

  private accumulateGrad(leaf: Tensor, g: Tensor): void {
    if (leaf.grad) {
      this.k.axpby(1, g.buffer, 1, leaf.grad.buffer, leaf.grad.buffer);
      g.release();
      return;
    }
    // Adopt the fresh gradient; a persistent leaf's gradient outlives the step's scope.
    leaf.grad = g;
    if (leaf.persistent) this.untrack(g).keep();
  }

  /** Releases the gradients of these tensors (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(tensors: Iterable<Tensor>): void {
    for (const t of tensors) {
      t.grad?.release();
      t.grad = null;
    }
  }
}

function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: decoder graphs can be deep enough to overflow a recursive walk.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node ? t.node.inputs : [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next.node && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      if (t.node) order.push(t);
    }
  }
  return order;
}

function collectTensors(value: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (value instanceof Tensor) {
    out.add(value);
    if (value.grad) out.add(value.grad);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collectTensors(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, out, depth + 1);
  }
}
