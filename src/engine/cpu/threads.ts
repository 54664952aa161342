import type { CpuHost, CpuWorker } from './host.ts';

// Control block (Int32 slots) shared with every worker (see worker.mjs):
//   GEN   generation, bumped by the caller to post a call;  DONE  workers finished with it;
//   FN    kernel index (-1: exit);  NTH  threads taking part;  ERROR  1 + tid of a worker that threw;
//   READY + tid  1 once worker tid is up, -1 if it failed;  f64 arguments from byte ARGS_BYTE_OFFSET.
const GEN = 0, DONE = 1, FN = 2, NTH = 3, ERROR = 4, READY = 8, ARGS_BYTE_OFFSET = 256;
export const MAX_ARGS = 20;
const MAX_WORKERS = (ARGS_BYTE_OFFSET / 4) - READY;
const SPIN = 200000;

export type KernelFn = (tid: number, nth: number, ...args: number[]) => void;

/**
 * A persistent pool: the calling thread is thread 0 and `workers.length` workers are 1..n. A call runs
 * synchronously: post, do thread 0's share, wait for the rest. Each thread writes a disjoint part of the
 * outputs, so results do not depend on timing.
 */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private canBlock = true;

  private constructor(private readonly workers: CpuWorker[], control: SharedArrayBuffer) {
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control, ARGS_BYTE_OFFSET, MAX_ARGS);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Starts `host.threads - 1` workers on the module and memory; `names` index the kernels by number. */
  static async start(host: CpuHost, threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[]): Promise<ThreadPool> {
    const n = Math.min(Math.max(threads - 1, 0), MAX_WORKERS);
    const control = new SharedArrayBuffer(ARGS_BYTE_OFFSET + MAX_ARGS * 8);
    const workers: CpuWorker[] = [];
    const pool = new ThreadPool(workers, control);
    try {
      for (let tid = 1; tid <= n; tid++) {
        const w = host.createWorker();
        workers.push(w);
        w.postMessage({ module, memory, control, tid, names });
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

  /** Runs fn on `nth` threads (thread 0 here) and returns when all are done. */
  run(index: number, local: KernelFn, nth: number, args: readonly number[]): void {
    const workers = this.workers.length;
    if (nth <= 1 || workers === 0) {
      local(0, 1, ...args);
      return;
    }
    const ctl = this.ctl;
    for (let i = 0; i < args.length; i++) this.args[i] = args[i];
    ctl[FN] = index;
    ctl[NTH] = nth;
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    let error: unknown = null;
    try {
      local(0, nth, ...args);
    } catch (e) {
      error = e;
    }
    let spins = 0;
    for (let done = Atomics.load(ctl, DONE); done < workers; done = Atomics.load(ctl, DONE)) {
      if (++spins > SPIN && this.canBlock) {
        try {
          Atomics.wait(ctl, DONE, done, 100);
        } catch {
          this.canBlock = false; // a browser main thread may not block: keep spinning
        }
      }
    }
    const failed = Atomics.exchange(ctl, ERROR, 0);
    if (error) throw error;
    if (failed) throw new Error(`cpu backend: kernel ${index} failed on worker ${failed - 1}`);
  }

  dispose(): void {
    Atomics.store(this.ctl, FN, -1);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
