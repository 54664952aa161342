/// <reference types="@webgpu/types" />
import type { DType } from '../backend.ts';
import { type GpuBuffer, makeGpuBuffer } from './buffer.ts';
import { shaders, type ShaderName } from './shaders.generated.ts';

/** How a kernel binds a storage buffer: `read` = read-only storage, `write` = read_write storage. */
export type BindingKind = 'read' | 'write';

/**
 * One compute pipeline: an entry point of a .wgsl file with its override constants. Binding 0 is always the
 * kernel's parameter block (a uniform with a dynamic offset); storage buffers follow at bindings 1, 2, ...
 * in the order of `bindings`.
 */
export interface KernelSpec {
  readonly name: string;
  readonly shader: ShaderName;
  readonly entry: string;
  readonly bindings: readonly BindingKind[];
  readonly constants?: Readonly<Record<string, number>>;
}

/** Writes one dispatch's parameters: 4-byte scalars packed in the order of the WGSL `Params` struct. */
export interface ParamWriter {
  u32(v: number): ParamWriter;
  i32(v: number): ParamWriter;
  f32(v: number): ParamWriter;
}

export interface ContextOptions {
  /** Replaces a shader's source by name (tests use it to check compile errors surface clearly). */
  shaderOverrides?: Partial<Record<ShaderName, string>>;
  /** Dispatches per command buffer before it is submitted without waiting for a read (default 2048). */
  maxBatch?: number;
}

/** Threads per workgroup of the 1-D kernels; their dispatch folds into a 2-D grid (x ≤ 65535). */
export const WORKGROUP = 256;
const MAX_GROUPS = 65535;
// Uniform slots: one per dispatch in a batch; each holds a Params struct of at most 64 scalars.
const PARAM_BYTES = 256;

interface PooledGpuBuffer {
  gpu: GPUBuffer;
  id: number;
  capacity: number;
}

/**
 * The device, its compiled pipelines, the command batch and the buffer pool. Kernels append dispatches to one
 * command encoder (one compute pass between copies); the batch is submitted on a read or a flush, or when it
 * reaches `maxBatch` dispatches. Parameters of every dispatch in a batch go to their own slot of one uniform
 * buffer, written just before submission (queue order makes reusing it for the next batch safe).
 *
 * Buffer reuse needs no fences: a released buffer is reused by later commands only, and WebGPU runs commands
 * (and queue writes) in submission order, each dispatch seeing the writes of the ones before it.
 */
export class GpuContext {
  private readonly pipelines = new Map<string, { pipeline: GPUComputePipeline | null; layout: GPUBindGroupLayout; descriptor: GPUComputePipelineDescriptor }>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly free = new Map<number, PooledGpuBuffer[]>();
  private readonly staging = new Map<number, GPUBuffer[]>();
  private readonly all = new Set<GPUBuffer>();
  private nextId = 1;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private readonly uploads: GPUBuffer[] = [];
  private readonly uniform: GPUBuffer;
  private readonly uniformData: ArrayBuffer;
  private readonly uniformU32: Uint32Array;
  private readonly uniformI32: Int32Array;
  private readonly uniformF32: Float32Array;
  private readonly slotBytes: number;
  private readonly maxBatch: number;
  private readonly dummies: GpuBuffer[] = [];
  /** Errors of submitted batches, awaited by read and flush. */
  private pendingErrors: Promise<void>[] = [];
  /** The first unrecoverable error (device lost, validation, out of memory); every later call throws it. */
  private fatal: Error | null = null;
  private disposed = false;

  constructor(readonly device: GPUDevice, opts: ContextOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 2048;
    this.slotBytes = Math.max(PARAM_BYTES, device.limits.minUniformBufferOffsetAlignment);
    this.uniformData = new ArrayBuffer(this.slotBytes * this.maxBatch);
    this.uniformU32 = new Uint32Array(this.uniformData);
    this.uniformI32 = new Int32Array(this.uniformData);
    this.uniformF32 = new Float32Array(this.uniformData);
    this.uniform = device.createBuffer({
      label: 'latent-lab kernel params',
      size: this.uniformData.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    void device.lost.then((info) => {
      if (this.disposed && info.reason === 'destroyed') return;
      this.fail(new Error(`WebGPU device lost (${info.reason || 'unknown'}): ${info.message || 'no message'}`));
    });
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      this.fail(describeGpuError(err, 'WebGPU error'));
    });
  }

  /**
   * Compiles every shader module up front, so a broken shader fails backend creation with its file and line.
   * Pipelines are created on first use (SwiftShader spends seconds on each GEMM variant) unless `precompile`.
   */
  async compile(specs: readonly KernelSpec[], overrides: ContextOptions['shaderOverrides'] = {}, precompile = false): Promise<void> {
    const modules = new Map<ShaderName, GPUShaderModule>();
    const names = [...new Set(specs.map((s) => s.shader))];
    await Promise.all(names.map(async (name) => {
      const code = overrides[name] ?? shaders[name];
      const module = this.device.createShaderModule({ label: `${name}.wgsl`, code });
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length) {
        const lines = errors.map((m) => `  ${name}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
        throw new Error(`WebGPU: shader ${name}.wgsl does not compile:\n${lines}`);
      }
      modules.set(name, module);
    }));
    for (const spec of specs) {
      if (this.pipelines.has(spec.name)) throw new Error(`WebGPU: two kernels named '${spec.name}'`);
      const layout = this.device.createBindGroupLayout({
        label: spec.name,
        entries: [
          { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
          ...spec.bindings.map((kind, i): GPUBindGroupLayoutEntry => ({
            binding: i + 1,
            visibility: GPUShaderStage.COMPUTE,
            buffer: { type: kind === 'read' ? 'read-only-storage' : 'storage' },
          })),
        ],
      });
      const descriptor: GPUComputePipelineDescriptor = {
        label: spec.name,
        layout: this.device.createPipelineLayout({ label: spec.name, bindGroupLayouts: [layout] }),
        compute: { module: modules.get(spec.shader)!, entryPoint: spec.entry, constants: spec.constants },
      };
      this.pipelines.set(spec.name, { pipeline: null, layout, descriptor });
    }
    if (!precompile) return;
    await Promise.all(specs.map(async (spec) => {
      const entry = this.pipelines.get(spec.name)!;
      try {
        entry.pipeline = await this.device.createComputePipelineAsync(entry.descriptor);
      } catch (e) {
        throw new Error(`WebGPU: pipeline '${spec.name}' (${spec.shader}.wgsl, entry ${spec.entry}) failed: ${(e as Error).message}`);
      }
    }));
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws the error that made this device unusable, if any. */
  check(): void {
    if (this.fatal) throw this.fatal;
    if (this.disposed) throw new Error('WebGPU backend used after dispose()');
  }

  private fail(err: Error): void {
    this.fatal ??= err;
  }

  // ---- buffers ----

  alloc(length: number, dtype: DType = 'f32'): GpuBuffer {
    this.check();
    if (!Number.isInteger(length) || length < 0) throw new Error(`WebGPU alloc: bad length ${length}`);
    const bytes = length * 4;
    const max = Math.min(this.limits.maxStorageBufferBindingSize, this.limits.maxBufferSize);
    if (bytes > max) {
      throw new Error(`WebGPU: a buffer of ${length} values (${mib(bytes)}) exceeds this device's largest storage buffer (${mib(max)})`);
    }
    const capacity = sizeClass(bytes);
    const reused = this.free.get(capacity)?.pop();
    if (reused) return makeGpuBuffer(reused.gpu, reused.id, capacity, length, dtype);
    const gpu = this.createBuffer(capacity, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, 'tensor');
    return makeGpuBuffer(gpu, this.nextId++, capacity, length, dtype);
  }

  release(b: GpuBuffer): void {
    if (b.released) throw new Error('WebGPU: a buffer was released twice');
    b.released = true;
    if (this.disposed) return;
    let list = this.free.get(b.capacity);
    if (!list) this.free.set(b.capacity, (list = []));
    list.push({ gpu: b.gpu, id: b.gpuId, capacity: b.capacity });
  }

  /** A small scratch buffer bound where a kernel's optional output is absent; one per binding slot. */
  dummy(slot: number): GpuBuffer {
    while (this.dummies.length <= slot) this.dummies.push(this.alloc(4));
    return this.dummies[slot];
  }

  private createBuffer(size: number, usage: number, label: string): GPUBuffer {
    // Allocation is rare (the pool serves every later step), so each one gets its own error scope:
    // an out-of-memory here is reported as such rather than as a later, puzzling validation error.
    this.device.pushErrorScope('out-of-memory');
    const gpu = this.device.createBuffer({ label, size, usage });
    this.pendingErrors.push(this.device.popErrorScope().then((err) => {
      if (err) this.fail(new Error(`WebGPU out of memory allocating a ${label} buffer of ${mib(size)}: ${err.message}`));
    }, () => { /* a lost device rejects scopes; device.lost reports it */ }));
    this.all.add(gpu);
    return gpu;
  }

  write(b: GpuBuffer, data: Float32Array | Int32Array): void {
    this.check();
    if (b.released) throw new Error('WebGPU write: buffer already released');
    if (data.length !== b.length) throw new Error(`write of ${data.length} values into a buffer of ${b.length}`);
    if (data.length === 0) return;
    if (!this.encoder) {
      // Nothing queued ahead of it: the queue write is ordered after every submitted command.
      this.device.queue.writeBuffer(b.gpu, 0, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    // Queued kernels may still read this buffer's previous contents: copy inside the command stream.
    const upload = this.device.createBuffer({ label: 'upload', size: align4(data.byteLength), usage: GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
    new Uint8Array(upload.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    upload.unmap();
    this.endPass();
    this.encoder.copyBufferToBuffer(upload, 0, b.gpu, 0, align4(data.byteLength));
    this.uploads.push(upload);
  }

  async read(b: GpuBuffer): Promise<Float32Array | Int32Array> {
    this.check();
    if (b.released) throw new Error('WebGPU read: buffer already released');
    const bytes = b.length * 4;
    if (bytes === 0) return b.dtype === 'i32' ? new Int32Array(0) : new Float32Array(0);
    const cls = sizeClass(bytes);
    const staging = this.staging.get(cls)?.pop()
      ?? this.createBuffer(cls, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
    const encoder = this.ensureEncoder();
    this.endPass();
    encoder.copyBufferToBuffer(b.gpu, 0, staging, 0, bytes);
    this.submit();
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (e) {
      await this.settleErrors();
      this.check();
      throw new Error(`WebGPU readback failed: ${(e as Error).message || String(e)}`);
    }
    const copy = new ArrayBuffer(bytes);
    new Uint8Array(copy).set(new Uint8Array(staging.getMappedRange(0, bytes)));
    staging.unmap();
    let list = this.staging.get(cls);
    if (!list) this.staging.set(cls, (list = []));
    list.push(staging);
    await this.settleErrors();
    this.check();
    return b.dtype === 'i32' ? new Int32Array(copy) : new Float32Array(copy);
  }

  async flush(): Promise<void> {
    this.check();
    this.submit();
    await this.device.queue.onSubmittedWorkDone();
    await this.settleErrors();
    this.check();
  }

  private async settleErrors(): Promise<void> {
    const pending = this.pendingErrors;
    this.pendingErrors = [];
    await Promise.all(pending);
  }

  // ---- dispatch ----

  /**
   * Appends one dispatch. `buffers` follow the spec's bindings; `params` fills the Params uniform;
   * `groups` is the workgroup grid.
   */
  dispatch(spec: KernelSpec, buffers: readonly GpuBuffer[], params: (w: ParamWriter) => void, groups: readonly [number, number?, number?]): void {
    this.check();
    const entry = this.pipelines.get(spec.name);
    if (!entry) throw new Error(`WebGPU: kernel '${spec.name}' was not compiled`);
    if (buffers.length !== spec.bindings.length) throw new Error(`WebGPU ${spec.name}: ${buffers.length} buffers for ${spec.bindings.length} bindings`);
    const [gx, gy = 1, gz = 1] = groups;
    if (gx === 0 || gy === 0 || gz === 0) return;
    const maxDim = this.limits.maxComputeWorkgroupsPerDimension;
    if (gx > maxDim || gy > maxDim || gz > maxDim) {
      throw new Error(`WebGPU ${spec.name}: a ${gx}×${gy}×${gz} grid exceeds ${maxDim} workgroups per dimension`);
    }
    for (const b of buffers) if (b.released) throw new Error(`WebGPU ${spec.name}: a buffer was used after release`);

    if (this.dispatches >= this.maxBatch) this.submit();
    const pass = this.ensurePass(); // opens the batch and its error scopes first
    const slot = this.dispatches++;
    const base = (slot * this.slotBytes) / 4;
    let at = base;
    const writer: ParamWriter = {
      u32: (v) => { this.uniformU32[at++] = v; return writer; },
      i32: (v) => { this.uniformI32[at++] = v; return writer; },
      f32: (v) => { this.uniformF32[at++] = v; return writer; },
    };
    params(writer);
    if (at - base > PARAM_BYTES / 4) throw new Error(`WebGPU ${spec.name}: parameter block too large`);

    let key = spec.name;
    for (const b of buffers) key += ':' + b.gpuId;
    let group = this.bindGroups.get(key);
    if (!group) {
      if (this.bindGroups.size > 50_000) this.bindGroups.clear();
      group = this.device.createBindGroup({
        label: spec.name,
        layout: entry.layout,
        entries: [
          { binding: 0, resource: { buffer: this.uniform, offset: 0, size: PARAM_BYTES } },
          ...buffers.map((b, i) => ({ binding: i + 1, resource: { buffer: b.gpu } })),
        ],
      });
      this.bindGroups.set(key, group);
    }
    // Created inside the batch's error scope: a failure is reported, naming the pipeline, by the next read.
    entry.pipeline ??= this.device.createComputePipeline(entry.descriptor);
    pass.setPipeline(entry.pipeline);
    pass.setBindGroup(0, group, [slot * this.slotBytes]);
    pass.dispatchWorkgroups(gx, gy, gz);
  }

  /** A grid of 256-thread workgroups covering `count` items, folded into 2-D when it exceeds 65535 groups. */
  grid(count: number, perGroup = WORKGROUP): [number, number] {
    const groups = Math.ceil(count / perGroup);
    if (groups <= MAX_GROUPS) return [groups, 1];
    const x = MAX_GROUPS;
    return [x, Math.ceil(groups / x)];
  }

  private ensureEncoder(): GPUCommandEncoder {
    if (!this.encoder) {
      // Validation and memory errors of the batch's commands are reported per batch.
      this.device.pushErrorScope('validation');
      this.device.pushErrorScope('out-of-memory');
      this.encoder = this.device.createCommandEncoder({ label: 'latent-lab batch' });
    }
    return this.encoder;
  }

  private ensurePass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.ensureEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submits the batch (if any): parameters first, then the commands. */
  submit(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.dispatches > 0) this.device.queue.writeBuffer(this.uniform, 0, this.uniformData, 0, this.dispatches * this.slotBytes);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.dispatches = 0;
    for (const u of this.uploads) u.destroy(); // freed once the submitted copy has run
    this.uploads.length = 0;
    const oom = this.device.popErrorScope();
    const validation = this.device.popErrorScope();
    this.pendingErrors.push(Promise.all([oom, validation]).then(([o, v]) => {
      if (o) this.fail(new Error(`WebGPU out of memory: ${o.message}`));
      if (v) this.fail(describeGpuError(v, 'WebGPU validation error'));
    }, () => { /* a lost device rejects scopes; device.lost reports it */ }));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.encoder) {
      this.endPass();
      this.encoder.finish();
      this.encoder = null;
      void this.device.popErrorScope().catch(() => {});
      void this.device.popErrorScope().catch(() => {});
    }
    for (const b of this.all) b.destroy();
    this.all.clear();
    this.free.clear();
    this.staging.clear();
    this.bindGroups.clear();
    this.uniform.destroy();
  }
}

function describeGpuError(err: GPUError, prefix: string): Error {
  return new Error(`${prefix}: ${err.message}`);
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Pool size classes: multiples of 256 bytes up to 64 KiB, then steps of 1/8 of a power of two, so buffers of
 * nearby sizes share a class while at most 12.5% is wasted. Sizes are multiples of 16 (vec4 views).
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 65536) return Math.max(256, Math.ceil(bytes / 256) * 256);
  const step = 2 ** (Math.floor(Math.log2(bytes - 1)) - 3);
  return Math.ceil(bytes / step) * step;
}
