// Entry of the CPU backend's WebAssembly kernels. Every exported kernel takes (tid, nth, ...) and does
// thread tid's disjoint share of the work, so the same export runs on the main thread and in each worker.
export { gemm, GEMM_SCRATCH_BYTES } from './gemm';
