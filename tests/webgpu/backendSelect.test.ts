// Backend selection in Node: `webgpu` opens Dawn on whatever adapter exists (SwiftShader here), `auto` refuses
// a software adapter and falls back to cpu, every choice says what runs.
import { describe, expect, it } from 'vitest';
import { createBackend } from '../../src/engine/backends.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { summarizeAdapter } from '../../src/engine/webgpu/backend.ts';
import { selectBackend } from '../../src/experiments/backendSelect.ts';
import { testGpu } from './gpu.ts';

async function adapterIsSoftware(): Promise<boolean | null> {
  const gpu = await testGpu();
  const adapter = gpu && (await gpu.requestAdapter());
  return adapter ? summarizeAdapter(adapter).software : null;
}

async function sumOnEngine(e: Engine): Promise<number> {
  return e.scopeAsync(async () => {
    const x = e.fromArray([4], [1, 2, 3, 4.5]);
    const out = e.empty([1]);
    e.k.sumAll(x.buffer, out.buffer);
    return out.item();
  });
}

describe('selectBackend', () => {
  it('webgpu: opens the adapter there is and runs on it', async (ctx) => {
    if ((await adapterIsSoftware()) === null) return ctx.skip();
    const s = await selectBackend('webgpu');
    try {
      expect(s.name).toBe('webgpu');
      expect(s.backend.name).toBe('webgpu');
      expect(s.detail).toMatch(/^webgpu on /);
      expect(await sumOnEngine(new Engine(s.backend))).toBe(10.5);
    } finally {
      s.backend.dispose();
    }
  });

  it('auto: takes WebGPU only on a hardware adapter, else falls back and says why', async () => {
    const software = await adapterIsSoftware();
    const s = await selectBackend('auto');
    try {
      if (software === false) {
        expect(s.name).toBe('webgpu');
        expect(s.detail).toMatch(/self-test passed/);
      } else {
        expect(['cpu', 'reference']).toContain(s.name);
        expect(s.backend.name).not.toBe('webgpu');
        // No GPU device node at all is decided before Dawn loads; otherwise a software adapter is named.
        expect(s.detail).toMatch(software ? /WebGPU not used: (software adapter|no GPU device)/ : /WebGPU not used/);
      }
      expect(await sumOnEngine(new Engine(s.backend))).toBe(10.5);
    } finally {
      s.backend.dispose();
    }
  });

  it('reference and the registry entry for webgpu (the Node provider is installed)', async (ctx) => {
    const r = await selectBackend('reference');
    expect(r.name).toBe('reference');
    r.backend.dispose();
    if ((await adapterIsSoftware()) === null) return ctx.skip();
    const b = await createBackend('webgpu');
    try {
      expect(b.name).toBe('webgpu');
      expect(await sumOnEngine(new Engine(b))).toBe(10.5);
    } finally {
      b.dispose();
    }
  });

  it('classifies adapters: software ones are never auto-selected', () => {
    const adapter = (info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }) =>
      ({ info: { vendor: '', architecture: '', device: '', description: '', ...info } }) as unknown as GPUAdapter;
    expect(summarizeAdapter(adapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })).software).toBe(false);
    expect(summarizeAdapter(adapter({ vendor: 'google', architecture: 'swiftshader' })).software).toBe(true);
    expect(summarizeAdapter(adapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).software).toBe(true);
    expect(summarizeAdapter(adapter({ vendor: 'intel', isFallbackAdapter: true })).software).toBe(true);
  });

  it('rejects an unknown choice', async () => {
    await expect(selectBackend('tpu' as never)).rejects.toThrow(/unknown backend 'tpu'/);
  });
});
