import type { DType, Kernels } from '../backend.ts';
import type { CpuBuffer } from './buffer.ts';
import type { CpuHost, WasmVariant } from './host.ts';
import { fastKernels } from './kernels-fast.ts';
import { referenceKernels, TypedArrayBackend } from './reference.ts';
import { type KernelFn, ThreadPool } from './threads.ts';
import { MAX_CHUNKS, WASM_KERNELS, type WasmKernelName, WasmContext } from './wasm.ts';

type WasmExports = Record<WasmKernelName, KernelFn> & {
  GEMM_SCRATCH_BYTES: WebAssembly.Global;
  setScratch(gemm: number, aux: number): void;
};

/** Which kernels run: WebAssembly with relaxed-SIMD FMA, plain SIMD128, or the reference JavaScript. */
export type CpuMode = WasmVariant | 'js';

export interface CpuBackendOptions {
  /** Host services (workers, the .wasm); Node's default is host-node.ts. */
  host: CpuHost;
  /** Threads including the caller; default host.threads. */
  threads?: number;
  /** Force a path (tests exercise each); default: the best the runtime supports. */
  mode?: CpuMode | 'auto';
}

const PAGE = 65536;
const ALIGN = 64;
// Low memory stays unused so address 0 can mean "no buffer".
const HEAP_START = PAGE;
// Must match --maximumMemory in scripts/build-wasm.mjs.
const MAX_PAGES = 32768;
// Per-thread scratch of the kernels: channelSum's float64 column sums, im2col/col2im's padded plane.
const AUX_SCRATCH_BYTES = 65536;
const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * The fast CPU backend: every buffer is a typed-array view into one shared WebAssembly memory, kernels are
 * WebAssembly SIMD run on a persistent worker pool, each thread writing a disjoint slice of each output.
 * Freed buffers go to a per-size free list, so a training step stops allocating after its first run.
 */
export class CpuBackend extends TypedArrayBackend {
  readonly name = 'cpu';
  private top = HEAP_START;

  readonly kernels: Kernels<CpuBuffer>;

  private constructor(
    readonly mode: CpuMode,
    readonly threads: number,
    private readonly memory: WebAssembly.Memory | null,
    private readonly pool: ThreadPool | null,
    makeKernels: (backend: CpuBackend) => Kernels<CpuBuffer>,
    heapStart = HEAP_START,
  ) {
    super();
    this.top = heapStart;
    this.kernels = makeKernels(this);
  }

  static async create(o: CpuBackendOptions): Promise<CpuBackend> {
    const wanted = o.mode ?? 'auto';
    const threads = Math.max(1, o.threads ?? o.host.threads);
    if (wanted !== 'js' && typeof SharedArrayBuffer !== 'undefined' && typeof WebAssembly !== 'undefined') {
      for (const variant of wanted === 'auto' ? (['relaxed', 'simd'] as const) : [wanted]) {
        const bytes = await o.host.loadWasm(variant);
        if (!bytes || !WebAssembly.validate(bytes)) {
          if (wanted !== 'auto') throw new Error(`cpu backend: this runtime cannot run the ${variant} WebAssembly kernels`);
          continue;
        }
        return CpuBackend.createWasm(o.host, variant, threads, await WebAssembly.compile(bytes));
      }
    }
    return new CpuBackend('js', 1, null, null, () => referenceKernels);
  }

  private static async createWasm(host: CpuHost, variant: WasmVariant, threads: number, module: WebAssembly.Module): Promise<CpuBackend> {
    // Low memory: per-thread scratch (GEMM packing, float64 column sums), then the chunk partials; the
    // tensor heap starts above.
    const probe = await WebAssembly.instantiate(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true }) } });
    const gemmBytes = alignUp((probe.exports as unknown as WasmExports).GEMM_SCRATCH_BYTES.value as number);
    const perThread = gemmBytes + AUX_SCRATCH_BYTES;
    const scratchFor = (tid: number) => ({ gemm: HEAP_START + tid * perThread, aux: HEAP_START + tid * perThread + gemmBytes });
    const partialsAt = HEAP_START + threads * perThread;
    const heapStart = alignUp(partialsAt + MAX_CHUNKS * 8);
    const memory = new WebAssembly.Memory({ initial: Math.max(256, Math.ceil(heapStart / PAGE) + 16), maximum: MAX_PAGES, shared: true });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const ex = instance.exports as unknown as WasmExports;
    ex.setScratch(scratchFor(0).gemm, scratchFor(0).aux);
    const pool = await ThreadPool.start(host, threads, module, memory, WASM_KERNELS, scratchFor);
    const partials = new Float64Array(memory.buffer, partialsAt, MAX_CHUNKS);
    return new CpuBackend(variant, pool.threads, memory, pool, (b) => fastKernels(new WasmContext(ex, pool, partials, b)), heapStart);
  }

  /** Bytes of wasm memory in use (buffers live and pooled, scratch). */
  get heapBytes(): number {
    return this.top;
  }

  private reserve(bytes: number): number {
    const at = this.top;
    const end = at + Math.ceil(bytes / ALIGN) * ALIGN;
    const mem = this.memory!;
    if (end > mem.buffer.byteLength) {
      const pages = Math.ceil((end - mem.buffer.byteLength) / PAGE);
      // Grow by at least a quarter so a model's first step does not grow page by page.
      const grow = Math.max(pages, Math.ceil(mem.buffer.byteLength / PAGE / 4));
      const current = mem.buffer.byteLength / PAGE;
      if (current + pages > MAX_PAGES) throw new Error(`cpu backend: out of memory (${(end / 2 ** 20).toFixed(0)} MiB needed, ${MAX_PAGES * PAGE / 2 ** 20} MiB max)`);
      mem.grow(Math.min(grow, MAX_PAGES - current));
    }
    this.top = end;
    return at;
  }

  protected createArray(length: number, dtype: DType): Float32Array | Int32Array {
    if (!this.memory) return dtype === 'i32' ? new Int32Array(length) : new Float32Array(length);
    // 16 spare bytes: SIMD kernels may read (never use) up to three values past a buffer's end.
    const at = this.reserve(length * 4 + 16);
    // A grown shared memory hands out a new, longer SharedArrayBuffer; older views stay valid.
    return dtype === 'i32' ? new Int32Array(this.memory.buffer, at, length) : new Float32Array(this.memory.buffer, at, length);
  }

  override dispose(): void {
    this.pool?.dispose();
    super.dispose();
  }
}
