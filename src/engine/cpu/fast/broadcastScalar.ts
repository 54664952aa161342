import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

const bits = new Int32Array(1), asF32 = new Float32Array(bits.buffer);

export function broadcastScalar(x: WasmContext): Kernels<CpuBuffer>['broadcastScalar'] {
  return (s, alpha, out) => {
    asF32[0] = alpha * s.data[0];
    x.k.fill32(out.length, ptr(out), bits[0], out.length);
  };
}
