// The engine in a real browser, as the product promises: Debian's Chromium (headless, SwiftShader for
// WebGPU) loads the Vite-bundled harness from a cross-origin-isolated local server, and inside dedicated
// Web Workers runs every PyTorch op fixture and the model fixtures on
//   - 'webgpu' through navigator.gpu (the registry's default GPU provider), and
//   - 'cpu' on the web host: module Web Workers over SharedArrayBuffer running the WebAssembly SIMD kernels.
// WebGPU missing in this Chromium fails the test with the reason; it is not skipped.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS build script, no declarations
import { buildWasm } from '../../scripts/build-wasm.mjs';
import { SHARED_FIXTURES } from '../paths.ts';
import { buildHarness } from './build.ts';
import type { HarnessState } from './harness/protocol.ts';
import { type HarnessServer, startHarnessServer } from './server.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader',
];
const RUN_TIMEOUT_MS = 240_000;

describe.skipIf(!existsSync(CHROMIUM))('the engine in Chromium, in Web Workers', () => {
  let outDir = '';
  let server: HarnessServer;
  let browser: Browser;
  let page: Page;
  let state: HarnessState;
  const console_: string[] = [];
  let wallMs = 0;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'latent-lab-browser-'));
    const wasmDir = await (buildWasm as () => Promise<string>)();
    await buildHarness(outDir);
    server = await startHarnessServer({ '/': outDir, '/wasm/': wasmDir, '/fixtures/': SHARED_FIXTURES }, SHARED_FIXTURES);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console_.push(`pageerror: ${e.message}`));
    const started = Date.now();
    await page.goto(server.url);
    try {
      await page.waitForFunction(() => window.harness?.done, null, { timeout: RUN_TIMEOUT_MS, polling: 500 });
    } finally {
      state = await page.evaluate(() => window.harness);
      wallMs = Date.now() - started;
    }
    const summary = state.runs.map((r) => `${r.backend}: ${r.fixtures.length} fixtures in ${(r.ms / 1000).toFixed(1)} s (models: ${
      r.fixtures.filter((f) => f.name.startsWith('models/')).map((f) => `${f.name.slice(7)} ${(f.ms / 1000).toFixed(1)} s`).join(', ')}), ${JSON.stringify(r.info)}`);
    console.log(`browser harness, ${(wallMs / 1000).toFixed(1)} s:\n  ${summary.join('\n  ')}`);
  }, RUN_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const run = (backend: 'webgpu' | 'cpu') => {
    const r = state.runs.find((x) => x.backend === backend);
    if (!r) throw new Error(`the harness did not run ${backend}: ${state.error ?? 'no run'}\n${console_.join('\n')}`);
    // A backend that could not be created (no adapter, worker failed to load) fails here with its reason.
    if (r.error) throw new Error(`${backend} in Chromium: ${r.error}\nrequests:\n${server.requests.join('\n')}\nconsole:\n${console_.join('\n')}`);
    return r;
  };
  const failures = (backend: 'webgpu' | 'cpu') => run(backend).fixtures
    .filter((f) => f.error || f.mismatches.length)
    .map((f) => `${f.name}: ${f.error ?? JSON.stringify(f.mismatches)}`);

  it('the page is cross-origin isolated and the harness completed', () => {
    expect(state.error).toBeUndefined();
    expect(state.runs.map((r) => r.backend)).toEqual(['webgpu', 'cpu']);
  });

  it('webgpu: a navigator.gpu adapter (SwiftShader) in a worker, every op and model fixture passes', () => {
    const r = run('webgpu');
    expect(r.info?.name).toBe('webgpu');
    expect(r.info?.scope).toBe('DedicatedWorkerGlobalScope');
    expect(r.info?.adapter).toMatch(/swiftshader/i);
    expect(r.fixtures.length).toBeGreaterThanOrEqual(28 + 3);
    expect(r.fixtures.filter((f) => f.name.startsWith('models/')).map((f) => f.name).sort())
      .toEqual(['models/cae-bn-pool', 'models/linear-vae', 'models/mnist-cvae']);
    expect(failures('webgpu')).toEqual([]);
  });

  it('cpu: threaded WebAssembly SIMD over SharedArrayBuffer in a worker, every op and model fixture passes', () => {
    const r = run('cpu');
    const info = r.info!;
    expect(info.scope).toBe('DedicatedWorkerGlobalScope');
    expect(info.crossOriginIsolated).toBe(true);
    expect(info.name).toBe('cpu');
    expect(info.mode).toMatch(/^(relaxed|simd)$/);
    expect(info.threads).toBeGreaterThan(1);
    expect(info.workersStarted).toBe(info.threads! - 1);
    // Worker threads (not only the calling one) claimed chunks of kernel calls.
    expect(info.workerChunks).toBeGreaterThan(0);
    expect(r.fixtures.length).toBeGreaterThanOrEqual(28 + 3);
    expect(failures('cpu')).toEqual([]);
  });
});
