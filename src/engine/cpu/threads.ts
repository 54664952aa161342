import type { CpuHost, CpuWorker } from './host.ts';

// Control block (Int32 slots) shared with every worker (see worker.mjs):
//   GEN    generation, bumped to post a call;     DONE   chunks finished;
//   FN     kernel index (-1: exit);               CHUNKS chunks in the call;
//   ERROR  1 + tid of a worker whose chunk threw; NEXT   next chunk to claim (PARKED between calls);
//   WORKER_CHUNKS (6) chunks run by workers, not the calling thread (proves in tests that the pool works);
//   READY + tid  1 once worker tid is up, -1 if it failed;  f64 arguments from byte ARGS_BYTE_OFFSET.
const GEN = 0, DONE = 1, FN = 2, CHUNKS = 3, ERROR = 4, NEXT = 5, READY = 8, // WORKER_CHUNKS = 6: see worker.mjs
  ARGS_BYTE_OFFSET = 256;
const PARKED = 1 << 30;
export const MAX_ARGS = 20;
const MAX_WORKERS = (ARGS_BYTE_OFFSET / 4) - READY - 1;
// Spin this many polls (tens of µs) before blocking: long enough to catch a worker finishing its last
// chunk, short enough to hand the core over when the machine is oversubscribed.
const SPIN = 20000;

export type KernelFn = (chunk: number, chunks: number, ...args: number[]) => void;

/** Per-thread scratch addresses handed to each kernel instance (see assembly/util.ts setScratch). */
export type ScratchFor = (tid: number) => { gemm: number; aux: number };

/**
 * A persistent pool: the calling thread is thread 0, workers are 1..n. A call is cut into fixed chunks
 * that any thread may claim (a descheduled worker on a busy machine then delays nobody); each chunk writes
 * a disjoint part of the outputs, so results do not depend on which thread ran what.
 */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private canBlock = true;

  private constructor(private readonly workers: CpuWorker[], control: SharedArrayBuffer) {
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control, ARGS_BYTE_OFFSET, MAX_ARGS);
    this.ctl[NEXT] = PARKED;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Starts `threads - 1` workers on the module and memory; `names` index the kernels by number. */
  static async start(host: CpuHost, threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory,
    names: readonly string[], scratch: ScratchFor): Promise<ThreadPool> {
    const n = Math.min(Math.max(threads - 1, 0), MAX_WORKERS);
    const control = new SharedArrayBuffer(ARGS_BYTE_OFFSET + MAX_ARGS * 8);
    const workers: CpuWorker[] = [];
    const pool = new ThreadPool(workers, control);
    try {
      for (let tid = 1; tid <= n; tid++) {
        const w = host.createWorker();
        workers.push(w);
        const s = scratch(tid);
        w.postMessage({ module, memory, control, tid, names, gemmScratch: s.gemm, auxScratch: s.aux });
      }
      const deadline = Date.now() + 60_000;
      for (let tid = 1; tid <= n; tid++) {
        for (;;) {
          const s = Atomics.load(pool.ctl, READY + tid);
          if (s === 1) break;
          if (s === -1) throw new Error(`cpu backend: worker ${tid} could not instantiate the kernels`);
          if (Date.now() > deadline) throw new Error(`cpu backend: worker ${tid} did not start within 60 s`);
          await new Promise((r) => setTimeout(r, 2));
        }
      }
    } catch (e) {
      pool.dispose();
      throw e;
    }
    return pool;
  }

  /** Runs chunks 0..chunks-1 of kernel `index` (thread 0 calls `local`) and returns when all are done. */
  run(index: number, local: KernelFn, chunks: number, args: readonly number[]): void {
    if (chunks <= 1 || this.workers.length === 0) {
      for (let c = 0; c < chunks; c++) local(c, chunks, ...args);
      return;
    }
    const ctl = this.ctl;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i];
    ctl[FN] = index;
    ctl[CHUNKS] = chunks;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    let error: unknown = null;
    for (let c = Atomics.add(ctl, NEXT, 1); c < chunks; c = Atomics.add(ctl, NEXT, 1)) {
      try {
        local(c, chunks, ...args);
      } catch (e) {
        error ??= e;
      }
      Atomics.add(ctl, DONE, 1);
    }
    let spins = 0;
    for (let done = Atomics.load(ctl, DONE); done < chunks; done = Atomics.load(ctl, DONE)) {
      if (++spins > SPIN && this.canBlock) {
        try {
          Atomics.wait(ctl, DONE, done, 50);
        } catch {
          this.canBlock = false; // a browser main thread may not block: keep spinning
        }
      }
    }
    Atomics.store(ctl, NEXT, PARKED);
    const failed = Atomics.exchange(ctl, ERROR, 0);
    if (error) throw error;
    if (failed) throw new Error(`cpu backend: kernel ${index} failed on worker ${failed - 1}`);
  }

  dispose(): void {
    Atomics.store(this.ctl, FN, -1);
    Atomics.store(this.ctl, NEXT, 0);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
