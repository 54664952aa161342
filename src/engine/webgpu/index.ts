// The WebGPU backend's public surface.
export { createWebGpuBackend, describeAdapter, summarizeAdapter, WebGpuBackend, type AdapterSummary, type WebGpuOptions } from './backend.ts';
export type { GpuBuffer } from './buffer.ts';
export { currentGpu, setGpuProvider, type GpuProvider } from './provider.ts';
export { selfTest } from './selfTest.ts';
