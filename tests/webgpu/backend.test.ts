// The WebGPU backend's machinery on Dawn: clear errors (shader compile failure, failing pipeline, destroyed
// device, oversized buffer, use after release), batching and ordering of queued work, buffer reuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../../src/engine/webgpu/backend.ts';
import { gpuUnavailable, openBackend, testGpu } from './gpu.ts';

let backend: WebGpuBackend | null = null;
beforeAll(async () => {
  backend = await openBackend({ maxBatch: 4 }); // tiny batches: exercises submission mid-sequence
  if (!backend) console.warn(`skipping WebGPU backend tests: ${gpuUnavailable()}`);
});
afterAll(() => backend?.dispose());

const f32 = (...v: number[]) => Float32Array.from(v);

describe('WebGPU backend', () => {
  it('a shader that does not compile fails backend creation, naming the file and line', async (ctx) => {
    if (!(await testGpu())) return ctx.skip();
    await expect(openBackend({ shaderOverrides: { fill: 'fn broken( {\n' } })).rejects.toThrow(/shader fill\.wgsl does not compile:\n\s+fill\.wgsl:1:\d+: /);
  });

  it('a pipeline that cannot be created is reported by the next read, naming the pipeline', async (ctx) => {
    if (!(await testGpu())) return ctx.skip();
    // Compiles, but has no entry point `main`: the pipeline fails when the kernel first runs.
    const broken = await openBackend({ shaderOverrides: { fill: '@compute @workgroup_size(1) fn other() {}\n' } });
    try {
      const b = broken!.alloc(4);
      broken!.kernels.fill(b, 1);
      await expect(broken!.read(b)).rejects.toThrow(/WebGPU validation error: .*fill/s);
      expect(() => broken!.kernels.fill(b, 2)).toThrow(/WebGPU validation error/); // and it stays failed
    } finally {
      broken!.dispose();
    }
  });

  it('a lost (destroyed) device is a clear error for reads and for later kernels', async (ctx) => {
    if (!(await testGpu())) return ctx.skip();
    const doomed = (await openBackend())!;
    const b = doomed.alloc(8);
    doomed.kernels.fill(b, 3);
    expect(Array.from(await doomed.read(b))).toEqual(new Array(8).fill(3));
    doomed.device.destroy();
    await expect(doomed.read(b)).rejects.toThrow(/WebGPU (device lost|readback failed)/);
    await new Promise((r) => setTimeout(r, 50)); // device.lost resolves
    expect(() => doomed.kernels.fill(b, 1)).toThrow(/WebGPU device lost \(destroyed\)/);
    expect(() => doomed.alloc(4)).toThrow(/device lost/);
    doomed.dispose();
  });

  it('a buffer larger than the device allows is refused up front', (ctx) => {
    if (!backend) return ctx.skip();
    expect(() => backend!.alloc(2 ** 31)).toThrow(/exceeds this device's largest storage buffer/);
  });

  it('a released buffer cannot be used', (ctx) => {
    if (!backend) return ctx.skip();
    const b = backend!.alloc(4);
    backend!.release(b);
    expect(() => backend!.kernels.fill(b, 1)).toThrow(/used after release/);
    expect(() => backend!.release(b)).toThrow(/released twice/);
  });

  it('runs long chains across many submissions in order', async (ctx) => {
    if (!backend) return ctx.skip();
    const x = backend!.alloc(1000);
    backend!.kernels.fill(x, 1);
    for (let i = 0; i < 50; i++) backend!.kernels.axpby(1, x, 1, x, x); // doubles, in place
    const got = await backend!.read(x);
    expect(got[0]).toBe(2 ** 50);
    expect(got[999]).toBe(2 ** 50);
    backend!.release(x);
  });

  it('a write behind queued kernels does not overtake them', async (ctx) => {
    if (!backend) return ctx.skip();
    const b = backend!;
    const x = b.alloc(3), y = b.alloc(3), z = b.alloc(3);
    b.write(x, f32(1, 2, 3));
    b.kernels.axpby(2, x, 0, x, y); // y = 2x, queued
    b.write(x, f32(10, 20, 30)); // must land after the queued read of x
    b.kernels.axpby(1, x, 1, y, z);
    expect(Array.from(await b.read(z))).toEqual([12, 24, 36]);
    expect(Array.from(await b.read(y))).toEqual([2, 4, 6]);
    for (const t of [x, y, z]) b.release(t);
  });

  it('reuses released buffers, safely within one batch', async (ctx) => {
    if (!backend) return ctx.skip();
    const b = backend!;
    const a = b.alloc(100);
    b.kernels.fill(a, 7);
    const out = b.alloc(100);
    b.kernels.axpby(1, a, 0, a, out);
    b.release(a);
    const again = b.alloc(100); // same pooled GPU buffer, overwritten after the queued read
    expect(again.gpuId).toBe(a.gpuId);
    b.kernels.fill(again, -1);
    expect(Array.from(await b.read(out)).every((v) => v === 7)).toBe(true);
    expect(Array.from(await b.read(again)).every((v) => v === -1)).toBe(true);
    b.release(out);
    b.release(again);
  });

  it('reads i32 buffers as Int32Array and flushes', async (ctx) => {
    if (!backend) return ctx.skip();
    const b = backend!;
    const i = b.alloc(5, 'i32');
    b.write(i, Int32Array.of(-3, 0, 7, 2 ** 30, -1));
    const got = await b.read(i);
    expect(got).toBeInstanceOf(Int32Array);
    expect(Array.from(got)).toEqual([-3, 0, 7, 2 ** 30, -1]);
    b.kernels.fill(i, 5);
    await b.flush();
    expect(Array.from(await b.read(i))).toEqual([5, 5, 5, 5, 5]);
    b.release(i);
  });
});
