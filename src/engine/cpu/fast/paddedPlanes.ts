import type { ConvGeometry } from '../../backend.ts';
import type { CpuBuffer } from '../buffer.ts';
import type { WasmContext } from '../wasm.ts';

/** Floats of the per-thread scratch (64 KiB less a guard) a padded plane may use without a buffer of its own. */
const AUX_FLOATS = 65536 / 4 - 16;

/** The zero-padded planes of assembly/convPadded.ts: their size, and when taken, a buffer for them. */
export interface PaddedPlanes {
  hp: number;
  wp: number;
  /** A temp buffer for all planes when one plane does not fit the scratch (release it after use); else null. */
  buffer: CpuBuffer | null;
}

/** The padded path serves dilation 1 and a stride along W of 1 or 2; null sends the caller to the direct kernel. */
export function paddedPlanes(x: WasmContext, g: ConvGeometry): PaddedPlanes | null {
  if (g.dilationH !== 1 || g.dilationW !== 1 || (g.strideW !== 1 && g.strideW !== 2)) return null;
  const hp = g.h + 2 * g.padH, wp = Math.ceil((g.w + 2 * g.padW + 8) / 4) * 4;
  // A padded plane fits the per-thread scratch in every preset; bigger ones get a buffer.
  return { hp, wp, buffer: hp * wp <= AUX_FLOATS ? null : x.temp.alloc(g.n * g.c * hp * wp) };
}
