// The harness page: lists the fixtures, then for each backend starts a dedicated module worker that creates
// an Engine on it and runs every fixture. Progress and results go to window.harness (and the page's log).
import type { HarnessBackend, HarnessState, RunRequest, WorkerMessage } from './protocol.ts';

declare global {
  interface Window {
    harness: HarnessState;
  }
}

const state: HarnessState = { done: false, runs: [] };
window.harness = state;
const logEl = document.getElementById('log')!;
const log = (line: string) => {
  logEl.textContent += line + '\n';
  console.log(line);
};

function runInWorker(request: RunRequest): Promise<void> {
  const run: HarnessState['runs'][number] = { backend: request.backend, fixtures: [], ms: 0 };
  state.runs.push(run);
  const started = performance.now();
  const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module', name: `engine-${request.backend}` });
  return new Promise((resolve) => {
    const finish = (error?: string) => {
      if (error) {
        run.error = error;
        log(`${request.backend}: FAILED ${error}`);
      }
      run.ms = performance.now() - started;
      worker.terminate();
      resolve();
    };
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.type === 'backend') {
        run.info = m.info;
        log(`${request.backend}: ${JSON.stringify(m.info)}`);
      } else if (m.type === 'fixture') {
        run.fixtures.push(m.outcome);
        const o = m.outcome;
        log(`${request.backend}: ${o.name} ${o.error ? 'ERROR ' + o.error : o.mismatches.length ? 'MISMATCH ' + JSON.stringify(o.mismatches) : 'ok'} (${o.ms.toFixed(0)} ms)`);
      } else if (m.type === 'done') {
        run.info = m.info;
        log(`${request.backend}: done ${JSON.stringify(m.info)}`);
        finish();
      } else {
        finish(m.error);
      }
    };
    // A worker that fails to load or throws outside a fixture reports here (with the script's message).
    worker.onerror = (e) => {
      e.preventDefault();
      finish(`worker error: ${e.message || 'the worker script failed to load'} (${e.filename}:${e.lineno})`);
    };
    worker.postMessage(request);
  });
}

async function main(): Promise<void> {
  const index = await (await fetch('/fixtures/index.json')).json() as { ops: string[]; models: string[] };
  log(`crossOriginIsolated=${globalThis.crossOriginIsolated}, ${index.ops.length} op fixtures, ${index.models.length} models`);
  const backends = (new URLSearchParams(location.search).get('backends') ?? 'webgpu,cpu').split(',') as HarnessBackend[];
  for (const backend of backends) await runInWorker({ backend, ...index });
}

main().catch((e: unknown) => {
  state.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  log(`harness failed: ${state.error}`);
}).finally(() => {
  state.done = true;
});
