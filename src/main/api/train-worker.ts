// One training run in a worker thread, so neither the UI nor the host's event loop waits on the engine.
// The host controls it through a shared Int32Array (read between steps: the trainer's awaits are microtasks,
// so a message would not be seen until the run ends) and hears back through postMessage.
import { parentPort, workerData } from 'node:worker_threads';
import { getDatasetInfo } from '../data/registry.ts';
import { type RunHooks, resumeRun, startRun } from '../training/run.ts';
import { CONTROL, type WorkerJob, type WorkerMessage } from './train-protocol.ts';

const STEP_EVENT_INTERVAL_MS = 200;

async function main(): Promise<void> {
  const job = workerData as WorkerJob;
  const control = new Int32Array(job.control);
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  let runId: string | null = null;
  let lastStepSent = 0;
  let stepsPerEpoch = 1;
  const hooks: RunHooks = {
    onStart(run) {
      runId = run.id;
      const c = run.config as { trainLimit: number; batch: number; epochs: number; steps: number };
      const train = getDatasetInfo(run.dataset, job.home)?.train ?? 0;
      stepsPerEpoch = Math.max(1, Math.floor((c.trainLimit > 0 ? Math.min(train, c.trainLimit) : train) / c.batch));
      const all = stepsPerEpoch * c.epochs;
      post({ type: 'started', runId: run.id, totalSteps: c.steps > 0 ? Math.min(all, c.steps) : all, stepsPerEpoch, epochs: c.epochs });
    },
    onStep(id, event) {
      // A few step events a second is all a chart can show; the last step of an epoch always goes.
      const now = performance.now();
      if (now - lastStepSent >= STEP_EVENT_INTERVAL_MS || event.epochProgress >= 1) {
        lastStepSent = now;
        post({ type: 'step', runId: id, event });
      }
    },
    onEpoch(id, event) {
      post({ type: 'epoch', runId: id, event });
    },
    onStatus(id, status) {
      post({ type: 'status', runId: id, status });
    },
    control() {
      const v = Atomics.load(control, 0);
      return v === CONTROL.stop ? 'stop' : v === CONTROL.pause ? 'pause' : 'run';
    },
    // A timer, not a microtask: lets the worker idle while paused.
    waitWhilePaused: () => new Promise((resolve) => setTimeout(resolve, 100)),
  };
  try {
    const outcome = job.kind === 'start'
      ? await startRun(job.request, hooks, job.home)
      : await resumeRun(job.id, hooks, { epochs: job.epochs, backend: job.backend }, job.home);
    post({ type: 'done', runId: outcome.run.id, status: outcome.status, error: outcome.error ?? null });
  } catch (e) {
    post({ type: 'done', runId, status: 'failed', error: e instanceof Error ? e.message : String(e) });
  }
}

// The host terminates the thread once 'done' arrives (Dawn or a thread pool may hold handles open).
await main();
