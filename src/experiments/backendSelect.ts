/// <reference types="@webgpu/types" />
import type { Backend } from '../engine/backend.ts';
import { backendNames, createBackend } from '../engine/backends.ts';
import { createWebGpuBackend, describeAdapter, summarizeAdapter } from '../engine/webgpu/backend.ts';
import { currentGpu, setGpuProvider } from '../engine/webgpu/provider.ts';
import { selfTest } from '../engine/webgpu/selfTest.ts';

export type BackendChoice = 'auto' | 'cpu' | 'webgpu' | 'reference';

export interface SelectedBackend {
  backend: Backend;
  /** The backend that runs (recorded on every run): 'webgpu', 'cpu' or 'reference'. */
  name: string;
  /** Why it was chosen and on what (the adapter, or why WebGPU was passed over). */
  detail: string;
}

/**
 * WebGPU in Node comes from the `webgpu` package (Dawn). Dawn finds Vulkan drivers through the loader; on a
 * machine without a GPU, SwiftShader (shipped with Debian's chromium) serves when the host sets
 * VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json. It is not set here: that choice is the user's.
 * In a browser, worker or Electron renderer navigator.gpu is used instead and this provider is not needed.
 */
let nodeGpu: GPU | null = null; // kept referenced: Dawn's objects live as long as this instance
let nodeGpuError: string | null = null;

async function loadNodeGpu(): Promise<GPU | null> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (nodeGpu) return nodeGpu;
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  try {
    const specifier = 'webgpu'; // a variable: bundlers for the browser must not try to resolve Dawn
    const mod = (await import(/* @vite-ignore */ specifier)) as { create(flags: string[]): GPU; globals: object };
    Object.assign(globalThis, mod.globals); // GPUBufferUsage, GPUMapMode, ... as in a browser
    nodeGpu = mod.create([]);
    return nodeGpu;
  } catch (e) {
    nodeGpuError = `the 'webgpu' package (Dawn) did not load: ${(e as Error).message}`;
    return null;
  }
}

/** Makes createBackend('webgpu') work in Node (importing this module is enough). */
export function installNodeGpuProvider(): void {
  setGpuProvider(loadNodeGpu);
}
installNodeGpuProvider();

const NO_ADAPTER_HINT = 'in Node, Dawn needs a Vulkan driver; without a GPU set '
  + 'VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (Debian chromium) for SwiftShader';

/** Opens a WebGPU backend on whatever adapter there is (SwiftShader included); throws why not otherwise. */
async function openWebGpu(): Promise<SelectedBackend> {
  const gpu = await currentGpu();
  if (!gpu) throw new Error(`WebGPU is not available: ${nodeGpuError ?? 'no navigator.gpu and no Node WebGPU'}`);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error(`WebGPU found no adapter (${NO_ADAPTER_HINT})`);
  const summary = summarizeAdapter(adapter);
  const backend = await createWebGpuBackend(gpu, { adapter });
  return { backend, name: 'webgpu', detail: `webgpu on ${describeAdapter(summary)}` };
}

/**
 * `auto` takes WebGPU only on a hardware adapter whose device passes the self-test; a software adapter would
 * train far slower than the CPU backend. Returns null with the reason otherwise.
 */
async function tryHardwareWebGpu(): Promise<SelectedBackend | { skipped: string }> {
  const noDevice = await linuxWithoutGpuDevice();
  if (noDevice) return { skipped: noDevice };
  const gpu = await currentGpu();
  if (!gpu) return { skipped: nodeGpuError ?? 'no WebGPU' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { skipped: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) return { skipped: 'no WebGPU adapter' };
  const summary = summarizeAdapter(adapter);
  if (summary.software) return { skipped: `software adapter ${describeAdapter(summary)}` };
  let backend;
  try {
    backend = await createWebGpuBackend(gpu, { adapter });
  } catch (e) {
    return { skipped: (e as Error).message };
  }
  const failure = await selfTest(backend);
  if (failure) {
    backend.dispose();
    return { skipped: `self-test failed on ${describeAdapter(summary)}: ${failure}` };
  }
  return { backend, name: 'webgpu', detail: `auto: webgpu on ${describeAdapter(summary)} (self-test passed)` };
}

/**
 * On Linux a hardware adapter needs a GPU device node; without one, loading Dawn only to find SwiftShader (or
 * nothing) costs start-up time and prints driver noise on the user's terminal. Null where a GPU may exist.
 */
async function linuxWithoutGpuDevice(): Promise<string | null> {
  if (typeof process === 'undefined' || process.platform !== 'linux' || !process.versions?.node) return null;
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) return null;
  const fsName = 'node:fs'; // a variable: browser bundles must not resolve it
  const { readdirSync } = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs');
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const hasGpu = list('/dev/dri').some((f) => f.startsWith('renderD')) || list('/dev').some((f) => /^nvidia\d/.test(f));
  return hasGpu ? null : 'no GPU device (/dev/dri/renderD*, /dev/nvidia*)';
}

/** Turns a user's choice into a running backend and says which one runs and why. */
export async function selectBackend(choice: BackendChoice): Promise<SelectedBackend> {
  switch (choice) {
    case 'webgpu':
      return openWebGpu();
    case 'cpu':
    case 'reference':
      return { backend: await createBackend(choice), name: choice, detail: choice };
    case 'auto': {
      const gpu = await tryHardwareWebGpu();
      if ('backend' in gpu) return gpu;
      if (backendNames().includes('cpu')) {
        try {
          return { backend: await createBackend('cpu'), name: 'cpu', detail: `auto: cpu (WebGPU not used: ${gpu.skipped})` };
        } catch (e) {
          return { backend: await createBackend('reference'), name: 'reference', detail: `auto: reference (WebGPU not used: ${gpu.skipped}; cpu: ${(e as Error).message})` };
        }
      }
      return { backend: await createBackend('reference'), name: 'reference', detail: `auto: reference (WebGPU not used: ${gpu.skipped})` };
    }
    default:
      throw new Error(`unknown backend '${choice as string}' (choose auto, webgpu, cpu or reference)`);
  }
}
