/// <reference types="@webgpu/types" />
import type { Backend } from '../backend.ts';
import { createWebGpuBackend } from './backend.ts';

/**
 * Where the registered 'webgpu' backend gets its GPU. In a browser, worker or Electron renderer that is
 * navigator.gpu; a Node host installs a provider (Dawn through the `webgpu` package), keeping this engine
 * free of Node imports.
 */
export type GpuProvider = () => Promise<GPU | null>;

let provider: GpuProvider | null = null;

export function setGpuProvider(p: GpuProvider | null): void {
  provider = p;
}

export async function currentGpu(): Promise<GPU | null> {
  if (provider) return provider();
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? null;
}

/** The registry's factory: a backend on the current GPU's adapter (any adapter, software included). */
export async function createRegisteredWebGpu(): Promise<Backend | { unavailable: string }> {
  const gpu = await currentGpu();
  if (!gpu) return { unavailable: 'no WebGPU here (no navigator.gpu; a Node host must install a GPU provider, see experiments/backendSelect.ts)' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    return {
      unavailable: provider
        ? 'WebGPU found no adapter (in Node, Dawn needs a Vulkan driver; for SwiftShader set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)'
        // The browser's own GPU: no usable driver, a blocklisted GPU, or WebGPU off (chrome://gpu tells which).
        : 'navigator.gpu found no adapter (no usable GPU driver, the GPU is blocklisted, or WebGPU is disabled; see chrome://gpu)',
    };
  }
  return createWebGpuBackend(gpu, { adapter });
}
