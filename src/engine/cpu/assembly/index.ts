// Entry of the CPU backend's WebAssembly kernels. Every exported kernel takes (chunk, chunks, ...) and does
// that chunk's disjoint share of the work; any thread may run any chunk (see util.ts).
// Built twice by scripts/build-wasm.mjs: with relaxed SIMD (FMA) and with plain SIMD128.
export { gemm, GEMM_SCRATCH_BYTES } from './gemm';
export { gemmDot } from './gemmDot';
export { setScratch } from './util';
export { im2col, col2im, transpose021, biasAdd, channelSum } from './conv';
export { unary, unaryBackward, binary, binaryBackward, axpby, fill32, copyStrided, sumPartial } from './pointwise';
export { bnStats, bnApply, bnBackward } from './norm';
export { maxPool, maxPoolBackward, maxUnpool, maxUnpoolBackward } from './pool';
export { adamStep, sgdStep } from './optim';
export { im2colPlanes, col2imPadded } from './convPadded';
