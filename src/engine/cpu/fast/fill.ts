import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

const bits = new Int32Array(1), asF32 = new Float32Array(bits.buffer);

export function fill(x: WasmContext): Kernels<CpuBuffer>['fill'] {
  return (out, value) => {
    // The kernel stores raw 32-bit patterns, so one kernel serves f32 and i32 buffers.
    if (out.dtype === 'i32') bits[0] = value;
    else asF32[0] = value;
    x.k.fill32(out.length, ptr(out), bits[0], out.length);
  };
}
