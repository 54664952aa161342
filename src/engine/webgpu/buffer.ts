/// <reference types="@webgpu/types" />
import type { DeviceBuffer, DType } from '../backend.ts';

/**
 * A tensor's handle on the GPU: `length` elements of `dtype` at the start of a pooled GPUBuffer (which may be
 * larger: sizes are rounded to pool classes). A fresh handle per alloc, so a stale handle is caught, not reused.
 */
export interface GpuBuffer extends DeviceBuffer {
  readonly gpu: GPUBuffer;
  /** Identity of the underlying GPUBuffer (bind groups are cached by it). */
  readonly gpuId: number;
  /** Byte size of the underlying GPUBuffer. */
  readonly capacity: number;
  released: boolean;
}

export function makeGpuBuffer(gpu: GPUBuffer, gpuId: number, capacity: number, length: number, dtype: DType): GpuBuffer {
  return { gpu, gpuId, capacity, length, dtype, released: false };
}
