// Messages between the harness page (main.ts) and its engine worker (engine-worker.ts).

export type HarnessBackend = 'webgpu' | 'cpu';

/** page -> worker: run these fixtures (paths under /fixtures/) on one backend. */
export interface RunRequest {
  backend: HarnessBackend;
  ops: string[];
  models: string[];
}

export interface FixtureOutcome {
  name: string;
  ms: number;
  /** Mismatches against PyTorch (empty when the fixture passed). */
  mismatches: { tensor: string; detail: string; worst: number }[];
  /** Set when the fixture could not run at all. */
  error?: string;
}

/** What the backend says about itself once created. */
export interface BackendInfo {
  name: string;
  /** webgpu: the adapter, e.g. "google / swiftshader ... (software)". */
  adapter?: string;
  /** cpu: 'relaxed' | 'simd' | 'js'. */
  mode?: string;
  /** cpu: threads of the pool, the calling one included. */
  threads?: number;
  /** cpu: the worker threads the host started. */
  workersStarted?: number;
  /** cpu: chunks of kernel calls run by worker threads (not the calling one), over the whole run. */
  workerChunks?: number;
  /** The global scope the engine ran in: 'DedicatedWorkerGlobalScope' in this harness. */
  scope: string;
  crossOriginIsolated: boolean;
  createMs: number;
}

/** worker -> page */
export type WorkerMessage =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'fixture'; outcome: FixtureOutcome }
  | { type: 'done'; info: BackendInfo }
  | { type: 'failed'; error: string };

/** The page's state, read by the test through window.harness. */
export interface HarnessState {
  done: boolean;
  runs: { backend: HarnessBackend; info?: BackendInfo; fixtures: FixtureOutcome[]; error?: string; ms: number }[];
  error?: string;
}
