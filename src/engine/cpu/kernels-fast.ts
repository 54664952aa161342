import type { Kernels } from '../backend.ts';
import type { CpuBuffer } from './buffer.ts';
import { adamStep } from './fast/adamStep.ts';
import { axpby } from './fast/axpby.ts';
import { biasAdd } from './fast/biasAdd.ts';
import { binary } from './fast/binary.ts';
import { binaryBackward } from './fast/binaryBackward.ts';
import { bnApply } from './fast/bnApply.ts';
import { bnBackward } from './fast/bnBackward.ts';
import { bnStats } from './fast/bnStats.ts';
import { broadcastScalar } from './fast/broadcastScalar.ts';
import { channelSum } from './fast/channelSum.ts';
import { col2im } from './fast/col2im.ts';
import { copyStrided } from './fast/copyStrided.ts';
import { fill } from './fast/fill.ts';
import { gemm } from './fast/gemm.ts';
import { im2col } from './fast/im2col.ts';
import { maxPool } from './fast/maxPool.ts';
import { maxPoolBackward } from './fast/maxPoolBackward.ts';
import { maxUnpool } from './fast/maxUnpool.ts';
import { maxUnpoolBackward } from './fast/maxUnpoolBackward.ts';
import { sgdStep } from './fast/sgdStep.ts';
import { sumAll } from './fast/sumAll.ts';
import { transpose021 } from './fast/transpose021.ts';
import { unary } from './fast/unary.ts';
import { unaryBackward } from './fast/unaryBackward.ts';
import type { WasmContext } from './wasm.ts';

/** The fast CPU kernels (WebAssembly SIMD on the thread pool), one per file in ./fast. */
export function fastKernels(x: WasmContext): Kernels<CpuBuffer> {
  return {
    fill: fill(x), axpby: axpby(x), broadcastScalar: broadcastScalar(x), copyStrided: copyStrided(x),
    transpose021: transpose021(x), gemm: gemm(x), im2col: im2col(x), col2im: col2im(x), unary: unary(x),
    unaryBackward: unaryBackward(x), binary: binary(x), binaryBackward: binaryBackward(x), biasAdd: biasAdd(x),
    channelSum: channelSum(x), sumAll: sumAll(x), bnStats: bnStats(x), bnApply: bnApply(x), bnBackward: bnBackward(x),
    maxPool: maxPool(x), maxPoolBackward: maxPoolBackward(x), maxUnpool: maxUnpool(x),
    maxUnpoolBackward: maxUnpoolBackward(x), adamStep: adamStep(x), sgdStep: sgdStep(x),
  };
}
