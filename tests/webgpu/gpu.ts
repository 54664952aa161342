/// <reference types="@webgpu/types" />
import { existsSync } from 'node:fs';
import { createWebGpuBackend, type WebGpuBackend, type WebGpuOptions } from '../../src/engine/webgpu/backend.ts';

/** Debian chromium's SwiftShader Vulkan driver: WebGPU (Dawn) on a machine without a GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

// Dawn reads this when it loads, so it is set before the first import of 'webgpu'.
if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

let gpu: GPU | null = null;
let why = '';

/** Dawn's GPU, or null with the reason in `gpuUnavailable()`. */
export async function testGpu(): Promise<GPU | null> {
  if (gpu || why) return gpu;
  try {
    const mod = (await import('webgpu')) as unknown as { create(flags: string[]): GPU; globals: object };
    Object.assign(globalThis, mod.globals);
    const g = mod.create([]);
    const adapter = await g.requestAdapter();
    if (!adapter) why = `no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'})`;
    else gpu = g;
  } catch (e) {
    why = `the webgpu package did not load: ${(e as Error).message}`;
  }
  if (why) console.warn(`WebGPU tests skipped: ${why}`);
  return gpu;
}

export function gpuUnavailable(): string {
  return why;
}

export async function openBackend(opts: WebGpuOptions = {}): Promise<WebGpuBackend | null> {
  const g = await testGpu();
  return g ? createWebGpuBackend(g, opts) : null;
}
