import type { Kernels } from '../backend.ts';
import type { GpuBuffer } from './buffer.ts';
import type { GpuContext, KernelSpec } from './context.ts';
import { adamStep, adamStepSpecs } from './kernels/adamStep.ts';
import { axpby, axpbySpecs } from './kernels/axpby.ts';
import { biasAdd, biasAddSpecs } from './kernels/biasAdd.ts';
import { binary, binarySpecs } from './kernels/binary.ts';
import { binaryBackward, binaryBackwardSpecs } from './kernels/binaryBackward.ts';
import { bnApply, bnApplySpecs } from './kernels/bnApply.ts';
import { bnBackward, bnBackwardSpecs } from './kernels/bnBackward.ts';
import { bnStats } from './kernels/bnStats.ts';
import { broadcastScalar, broadcastScalarSpecs } from './kernels/broadcastScalar.ts';
import { channelReduceSpecs } from './kernels/channelReduce.ts';
import { channelSum } from './kernels/channelSum.ts';
import { col2im, col2imSpecs } from './kernels/col2im.ts';
import { copyStrided, copyStridedSpecs } from './kernels/copyStrided.ts';
import { fill, fillSpecs } from './kernels/fill.ts';
import { gemm, gemmSpecs, gemmSplitKSpecs } from './kernels/gemm.ts';
import { im2col, im2colSpecs } from './kernels/im2col.ts';
import { maxPool, maxPoolSpecs } from './kernels/maxPool.ts';
import { maxPoolBackward, maxPoolBackwardSpecs } from './kernels/maxPoolBackward.ts';
import { maxUnpool, maxUnpoolSpecs } from './kernels/maxUnpool.ts';
import { maxUnpoolBackward, maxUnpoolBackwardSpecs } from './kernels/maxUnpoolBackward.ts';
import { sgdStep, sgdStepSpecs } from './kernels/sgdStep.ts';
import { sumAll } from './kernels/sumAll.ts';
import { transpose021, transpose021Specs } from './kernels/transpose021.ts';
import { unary, unarySpecs } from './kernels/unary.ts';
import { unaryBackward, unaryBackwardSpecs } from './kernels/unaryBackward.ts';

/** Every pipeline the kernels dispatch, compiled when the backend is created. */
export const kernelSpecs: readonly KernelSpec[] = [
  ...fillSpecs, ...axpbySpecs, ...broadcastScalarSpecs, ...copyStridedSpecs, ...transpose021Specs,
  ...gemmSpecs, ...gemmSplitKSpecs, ...im2colSpecs, ...col2imSpecs, ...unarySpecs, ...unaryBackwardSpecs,
  ...binarySpecs, ...binaryBackwardSpecs, ...biasAddSpecs, ...channelReduceSpecs, ...bnApplySpecs,
  ...bnBackwardSpecs, ...maxPoolSpecs, ...maxPoolBackwardSpecs, ...maxUnpoolSpecs, ...maxUnpoolBackwardSpecs,
  ...adamStepSpecs, ...sgdStepSpecs,
];

/** The WebGPU kernel registry: each kernel queues its dispatches on the context's command batch. */
export function webgpuKernels(ctx: GpuContext): Kernels<GpuBuffer> {
  return {
    fill: (out, value) => fill(ctx, out, value),
    axpby: (alpha, x, beta, y, out) => axpby(ctx, alpha, x, beta, y, out),
    broadcastScalar: (s, alpha, out) => broadcastScalar(ctx, s, alpha, out),
    copyStrided: (src, so, ss, dst, dO, ds, rows, cols) => copyStrided(ctx, src, so, ss, dst, dO, ds, rows, cols),
    transpose021: (x, out, a, b, c) => transpose021(ctx, x, out, a, b, c),
    gemm: (p, a, b, c) => gemm(ctx, p, a, b, c),
    im2col: (g, x, col) => im2col(ctx, g, x, col),
    col2im: (g, col, x) => col2im(ctx, g, col, x),
    unary: (kind, param, x, y) => unary(ctx, kind, param, x, y),
    unaryBackward: (kind, param, x, y, dy, dx) => unaryBackward(ctx, kind, param, x, y, dy, dx),
    binary: (kind, a, b, out) => binary(ctx, kind, a, b, out),
    binaryBackward: (kind, a, b, dy, dyIsScalar, da, db) => binaryBackward(ctx, kind, a, b, dy, dyIsScalar, da, db),
    biasAdd: (x, bias, y, n, c, s) => biasAdd(ctx, x, bias, y, n, c, s),
    channelSum: (x, out, n, c, s, accumulate) => channelSum(ctx, x, out, n, c, s, accumulate),
    sumAll: (x, out) => sumAll(ctx, x, out),
    bnStats: (x, mean, variance, n, c, s) => bnStats(ctx, x, mean, variance, n, c, s),
    bnApply: (x, mean, variance, gamma, beta, y, n, c, s, eps) => bnApply(ctx, x, mean, variance, gamma, beta, y, n, c, s, eps),
    bnBackward: (x, dy, mean, variance, gamma, dx, dgamma, dbeta, n, c, s, eps, training) =>
      bnBackward(ctx, x, dy, mean, variance, gamma, dx, dgamma, dbeta, n, c, s, eps, training),
    maxPool: (g, x, y, indices) => maxPool(ctx, g, x, y, indices),
    maxPoolBackward: (g, dy, indices, dx) => maxPoolBackward(ctx, g, dy, indices, dx),
    maxUnpool: (x, indices, y, planes, inSize, outSize) => maxUnpool(ctx, x, indices, y, planes, inSize, outSize),
    maxUnpoolBackward: (dy, indices, dx, planes, inSize, outSize) => maxUnpoolBackward(ctx, dy, indices, dx, planes, inSize, outSize),
    adamStep: (p, param, grad, m, v) => adamStep(ctx, p, param, grad, m, v),
    sgdStep: (p, param, grad, momentum) => sgdStep(ctx, p, param, grad, momentum),
  };
}
