// Runs training jobs in worker threads and relays their events. The host keeps one control word per run
// (run / pause / stop), records pauses in the run history and turns each finished epoch's grids into images
// for the renderer. Completed epochs are committed by the worker as they finish, so stopping or closing
// mid-run loses at most the epoch in progress.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ActiveTraining, ApiEvents, EventName } from '../../shared/api.ts';
import { RunStore } from '../runs/store.ts';
import type { RunRequest } from '../training/run.ts';
import type { BackendChoice } from '../training/backend.ts';
import { CONTROL, type WorkerJob, type WorkerMessage } from './train-protocol.ts';

export type Emit = <E extends EventName>(event: E, payload: ApiEvents[E]) => void;

interface Job {
  worker: Worker;
  control: Int32Array;
  runId: string | null;
  totalSteps: number;
  stepsPerEpoch: number;
  epochs: number;
  done: Promise<void>;
}

/** The worker entry: the tsx bootstrap next to the sources, or the bundled file next to the built main. */
function workerEntry(): { url: URL; execArgv?: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return { url: new URL('./train-worker.mjs', here) };
  return { url: new URL('./train-worker.js', here) };
}

export const MAX_CONCURRENT_RUNS = 2;

export class TrainingHost {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly home: string, private readonly emit: Emit) {}

  active(): ActiveTraining[] {
    return [...this.jobs.values()].filter((j) => j.runId).map((j) => ({ runId: j.runId!, state: Atomics.load(j.control, 0) === CONTROL.pause ? 'paused' : 'running' }));
  }

  isLive(id: string): 'running' | 'paused' | null {
    return this.active().find((a) => a.runId === id)?.state ?? null;
  }

  start(request: RunRequest): Promise<string> {
    return this.launch((control) => ({ kind: 'start', home: this.home, control, request }));
  }

  resume(id: string, opts: { epochs?: number; backend?: BackendChoice }): Promise<string> {
    if (this.jobs.has(id)) throw new Error(`run ${id} is already training`);
    return this.launch((control) => ({ kind: 'resume', home: this.home, control, id, ...opts }));
  }

  control(id: string, action: 'pause' | 'resume' | 'stop'): ActiveTraining | null {
    const job = this.jobs.get(id);
    if (!job) throw new Error(`run ${id} is not training in this window (resume it first)`);
    const store = new RunStore(this.home);
    if (action === 'stop') {
      Atomics.store(job.control, 0, CONTROL.stop);
      return { runId: id, state: 'running' };
    }
    const paused = action === 'pause';
    Atomics.store(job.control, 0, paused ? CONTROL.pause : CONTROL.run);
    store.setStatus(id, paused ? 'paused' : 'running');
    this.emit('train.status', { runId: id, status: paused ? 'paused' : 'running', error: null });
    return { runId: id, state: paused ? 'paused' : 'running' };
  }

  /** Asks every run to stop after its current step and waits (bounded) for them to record it. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    const all = [...this.jobs.values()];
    for (const j of all) Atomics.store(j.control, 0, CONTROL.stop);
    await Promise.race([Promise.all(all.map((j) => j.done)), new Promise((r) => setTimeout(r, timeoutMs))]);
    for (const j of all) await j.worker.terminate();
  }

  private launch(makeJob: (control: SharedArrayBuffer) => WorkerJob): Promise<string> {
    if (this.jobs.size >= MAX_CONCURRENT_RUNS) throw new Error(`${MAX_CONCURRENT_RUNS} runs are training already; wait for one to finish or stop one`);
    const controlBuffer = new SharedArrayBuffer(4);
    const entry = workerEntry();
    const worker = new Worker(entry.url, { workerData: makeJob(controlBuffer), execArgv: entry.execArgv });
    const pendingKey = `pending-${Math.random()}`;
    let resolveDone!: () => void;
    const job: Job = { worker, control: new Int32Array(controlBuffer), runId: null, totalSteps: 0, stepsPerEpoch: 0, epochs: 0, done: new Promise((r) => (resolveDone = r)) };
    this.jobs.set(pendingKey, job);
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const finish = (error?: string) => {
        this.jobs.delete(pendingKey);
        if (job.runId) this.jobs.delete(job.runId);
        resolveDone();
        if (!settled) {
          settled = true;
          reject(new Error(error ?? 'the training worker ended before the run started'));
        }
      };
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'started':
            job.runId = m.runId;
            job.totalSteps = m.totalSteps;
            job.stepsPerEpoch = m.stepsPerEpoch;
            job.epochs = m.epochs;
            this.jobs.delete(pendingKey);
            this.jobs.set(m.runId, job);
            settled = true;
            resolve(m.runId);
            break;
          case 'step':
            this.emit('train.step', { runId: m.runId, event: m.event, totalSteps: job.totalSteps, stepsPerEpoch: job.stepsPerEpoch, epochs: job.epochs });
            break;
          case 'epoch': {
            const dir = join(this.home, 'runs', m.runId);
            const png = (name: string) => {
              const f = join(dir, `${name}-${m.event.epoch}.png`);
              return existsSync(f) ? `data:image/png;base64,${readFileSync(f).toString('base64')}` : null;
            };
            this.emit('train.epoch', { runId: m.runId, event: m.event, reconstructions: png('reconstructions'), samples: png('samples') });
            break;
          }
          case 'status':
            // The final status goes out with 'done', once the job is off the live list.
            if (m.status !== 'running') break;
            this.emit('train.status', { runId: m.runId, status: m.status as ApiEvents['train.status']['status'], error: null });
            break;
          case 'done':
            finish(m.error ?? undefined);
            if (m.runId) this.emit('train.status', { runId: m.runId, status: m.status as ApiEvents['train.status']['status'], error: m.error });
            void worker.terminate();
            break;
        }
      });
      worker.on('error', (e) => {
        // The worker died mid-run: record it, or the run would stay 'running' under this live process.
        if (job.runId) new RunStore(this.home).setStatus(job.runId, 'failed', e.message);
        if (job.runId) this.emit('train.status', { runId: job.runId, status: 'failed', error: e.message });
        finish(e.message);
      });
      worker.on('exit', () => finish());
    });
  }
}
