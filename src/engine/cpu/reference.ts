import type { Backend, DType, Kernels } from '../backend.ts';
import { type CpuBuffer, makeCpuBuffer } from './buffer.ts';
import { adamStep } from './kernels/adamStep.ts';
import { axpby } from './kernels/axpby.ts';
import { biasAdd } from './kernels/biasAdd.ts';
import { binary } from './kernels/binary.ts';
import { binaryBackward } from './kernels/binaryBackward.ts';
import { bnApply } from './kernels/bnApply.ts';
import { bnBackward } from './kernels/bnBackward.ts';
import { bnStats } from './kernels/bnStats.ts';
import { broadcastScalar } from './kernels/broadcastScalar.ts';
import { channelSum } from './kernels/channelSum.ts';
import { col2im } from './kernels/col2im.ts';
import { copyStrided } from './kernels/copyStrided.ts';
import { fill } from './kernels/fill.ts';
import { gemm } from './kernels/gemm.ts';
import { im2col } from './kernels/im2col.ts';
import { maxPool } from './kernels/maxPool.ts';
import { maxPoolBackward } from './kernels/maxPoolBackward.ts';
import { maxUnpool } from './kernels/maxUnpool.ts';
import { maxUnpoolBackward } from './kernels/maxUnpoolBackward.ts';
import { sgdStep } from './kernels/sgdStep.ts';
import { sumAll } from './kernels/sumAll.ts';
import { transpose021 } from './kernels/transpose021.ts';
import { unary } from './kernels/unary.ts';
import { unaryBackward } from './kernels/unaryBackward.ts';

/** The reference kernels: plain single-threaded JavaScript, the spec every fast path is checked against. */
export const referenceKernels: Kernels<CpuBuffer> = {
  fill, axpby, broadcastScalar, copyStrided, transpose021, gemm, im2col, col2im, unary, unaryBackward,
  binary, binaryBackward, biasAdd, channelSum, sumAll, bnStats, bnApply, bnBackward, maxPool,
  maxPoolBackward, maxUnpool, maxUnpoolBackward, adamStep, sgdStep,
};

/**
 * Typed-array buffers with a free list per (dtype, length): a training step allocates the same sizes every
 * time, so after the first step nothing new is allocated.
 */
export class CpuBufferPool {
  private readonly free = new Map<string, CpuBuffer[]>();

  constructor(private readonly create: (length: number, dtype: DType) => Float32Array | Int32Array) {}

  alloc(length: number, dtype: DType = 'f32'): CpuBuffer {
    const list = this.free.get(dtype + length);
    const reused = list?.pop();
    return reused ?? makeCpuBuffer(this.create(length, dtype));
  }

  release(buffer: CpuBuffer): void {
    const key = buffer.dtype + buffer.length;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
  }

  clear(): void {
    this.free.clear();
  }
}

/**
 * What every typed-array backend shares: pooled buffers, copies in and out, nothing queued (kernels run
 * synchronously, so `read` and `flush` have nothing to wait for). Subclasses say where arrays live.
 */
export abstract class TypedArrayBackend implements Backend<CpuBuffer> {
  abstract readonly name: string;
  abstract readonly kernels: Kernels<CpuBuffer>;
  private readonly buffers = new CpuBufferPool((n, dtype) => this.createArray(n, dtype));

  /** A new array for the pool (called only when no freed buffer of that size is waiting). */
  protected abstract createArray(length: number, dtype: DType): Float32Array | Int32Array;

  alloc(length: number, dtype: DType = 'f32'): CpuBuffer {
    return this.buffers.alloc(length, dtype);
  }

  release(buffer: CpuBuffer): void {
    this.buffers.release(buffer);
  }

  write(buffer: CpuBuffer, data: Float32Array | Int32Array): void {
    if (data.length !== buffer.length) throw new Error(`write of ${data.length} values into a buffer of ${buffer.length}`);
    buffer.data.set(data);
  }

  async read(buffer: CpuBuffer): Promise<Float32Array | Int32Array> {
    return buffer.data.slice();
  }

  async flush(): Promise<void> {}

  dispose(): void {
    this.buffers.clear();
  }
}

export class ReferenceBackend extends TypedArrayBackend {
  readonly name: string = 'reference';
  readonly kernels: Kernels<CpuBuffer> = referenceKernels;
  private readonly float: Float32ArrayConstructor | Float64ArrayConstructor;

  /**
   * precision 'f64' stores float tensors in Float64Array: the same kernels then run in double precision,
   * which is what finite-difference gradient checks need. Training always uses 'f32'.
   */
  constructor(precision: 'f32' | 'f64' = 'f32') {
    super();
    this.float = precision === 'f64' ? Float64Array : Float32Array;
  }

  protected createArray(length: number, dtype: DType): Float32Array | Int32Array {
    return dtype === 'i32' ? new Int32Array(length) : (new this.float(length) as Float32Array);
  }

  /** Synchronous read, for the float64 gradient checks. */
  readSync(buffer: CpuBuffer): ArrayLike<number> {
    return buffer.data;
  }
}
