// One backend's run, inside a dedicated module worker: creates the backend through the registry exactly as
// an app would ('webgpu' on navigator.gpu, 'cpu' on the web host: module workers over SharedArrayBuffer and
// the WebAssembly kernels fetched from /wasm/), then runs the op and model fixtures fetched from /fixtures/.
import type { Backend } from '../../../src/engine/backend.ts';
import { createBackend } from '../../../src/engine/backends.ts';
import type { CpuBackend } from '../../../src/engine/cpu/backend-cpu.ts';
import { setCpuHost } from '../../../src/engine/cpu/default.ts';
import type { CpuWorker } from '../../../src/engine/cpu/host.ts';
import { webCpuHost } from '../../../src/engine/cpu/host-web.ts';
import { Engine } from '../../../src/engine/tensor.ts';
import { describeAdapter, type WebGpuBackend } from '../../../src/engine/webgpu/backend.ts';
import { checkModelFixture, type ModelFixture } from '../../../src/experiments/fixtures/models.ts';
import { checkOpFixture, type OpFixture } from '../../../src/experiments/fixtures/ops.ts';
import type { BackendInfo, FixtureOutcome, RunRequest, WorkerMessage } from './protocol.ts';

// The pool's control block (src/engine/cpu/threads.ts): slot WORKER_CHUNKS counts chunks run by workers.
const WORKER_CHUNKS = 6;

const post = (m: WorkerMessage) => postMessage(m);

async function fetchOk(path: string): Promise<Response> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return res;
}

/** The web host, watched: how many workers it starts and the pool's control block they share. */
function watchedCpuHost() {
  // At least two threads even on a one-core machine: the point is to exercise the threaded path.
  const host = webCpuHost((variant) => `/wasm/kernels-${variant}.wasm`, Math.max(2, navigator.hardwareConcurrency));
  const seen = { workers: 0, control: null as SharedArrayBuffer | null };
  setCpuHost({
    threads: host.threads,
    loadWasm: (variant) => host.loadWasm(variant),
    createWorker(): CpuWorker {
      const w = host.createWorker();
      seen.workers++;
      return {
        postMessage(message: unknown) {
          seen.control ??= (message as { control?: SharedArrayBuffer }).control ?? null;
          w.postMessage(message);
        },
        terminate: () => w.terminate(),
      };
    },
  });
  return seen;
}

async function run(req: RunRequest): Promise<void> {
  const watched = req.backend === 'cpu' ? watchedCpuHost() : null;
  const t0 = performance.now();
  const backend: Backend = await createBackend(req.backend);
  const info = (): BackendInfo => {
    const i: BackendInfo = {
      name: backend.name, scope: globalThis.constructor.name, crossOriginIsolated: globalThis.crossOriginIsolated, createMs: Math.round(createMs),
    };
    if (req.backend === 'webgpu') i.adapter = describeAdapter((backend as WebGpuBackend).adapter);
    if (watched) {
      const cpu = backend as CpuBackend;
      Object.assign(i, { mode: cpu.mode, threads: cpu.threads, workersStarted: watched.workers });
      if (watched.control) i.workerChunks = Atomics.load(new Int32Array(watched.control), WORKER_CHUNKS);
    }
    return i;
  };
  const createMs = performance.now() - t0;
  post({ type: 'backend', info: info() });
  const engine = new Engine(backend);
  const attempt = async (name: string, check: () => Promise<FixtureOutcome['mismatches']>) => {
    const start = performance.now();
    const outcome: FixtureOutcome = { name, ms: 0, mismatches: [] };
    try {
      outcome.mismatches = await check();
    } catch (e) {
      outcome.error = e instanceof Error ? e.message : String(e);
    }
    outcome.ms = Math.round(performance.now() - start);
    post({ type: 'fixture', outcome });
  };
  try {
    for (const file of req.ops) {
      await attempt(`ops/${file}`, async () => checkOpFixture(engine, await (await fetchOk(`/fixtures/ops/${file}`)).json() as OpFixture));
    }
    for (const name of req.models) {
      await attempt(`models/${name}`, async () => {
        const fixture = await (await fetchOk(`/fixtures/models/${name}.json`)).json() as ModelFixture;
        const bytes = new Uint8Array(await (await fetchOk(`/fixtures/models/${name}.safetensors`)).arrayBuffer());
        return checkModelFixture(engine, fixture, bytes);
      });
    }
    await backend.flush();
    post({ type: 'done', info: info() });
  } finally {
    backend.dispose();
  }
}

addEventListener('message', (e: MessageEvent<RunRequest>) => {
  run(e.data).catch((err: unknown) => post({ type: 'failed', error: err instanceof Error ? err.message : String(err) }));
}, { once: true });
