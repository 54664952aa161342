import type { Kernels } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import { ptr, type WasmContext } from '../wasm.ts';

/** Per-chunk float64 partials, added here in chunk order (deterministic for a given thread count). */
export function sumAll(x: WasmContext): Kernels<CpuBuffer>['sumAll'] {
  return (xs, out) => {
    const chunks = x.chunksFor(xs.length);
    x.k.sumPartial(xs.length, ptr(xs), xs.length, x.partials.byteOffset);
    let acc = 0;
    for (let t = 0; t < chunks; t++) acc += x.partials[t];
    out.data[0] = acc;
  };
}
