import type { DeviceBuffer, DType } from '../backend.ts';

/** A CPU buffer is a typed-array view; `data` may sit on a SharedArrayBuffer (threaded backends). */
export interface CpuBuffer extends DeviceBuffer {
  readonly data: Float32Array | Int32Array;
}

export function f32(b: CpuBuffer): Float32Array {
  return b.data as Float32Array;
}

export function i32(b: CpuBuffer): Int32Array {
  return b.data as Int32Array;
}

export function makeCpuBuffer(data: Float32Array | Int32Array): CpuBuffer {
  const dtype: DType = data instanceof Int32Array ? 'i32' : 'f32';
  return { length: data.length, dtype, data };
}
