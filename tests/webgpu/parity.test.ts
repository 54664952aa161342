// Training parity: the same seed and the same batches give the same losses on the CPU backend and on WebGPU.
// Stated tolerance: every loss within 1e-4 relative (measured on SwiftShader: ≤ 3e-7 after 3 steps and
// ≤ 3e-5 after 20 (svhn-cvae), float32 rounding amplified by training; the margin covers GPUs whose exp/log differ by a few ulp).
// SwiftShader is slow (seconds per step), so by default two presets run 20 steps and the others 2 at batch 2;
// LATENT_LAB_PARITY_STEPS=20 runs every preset for 20 steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/engine/backend.ts';
import { backendNames, createBackend } from '../../src/engine/backends.ts';
import type { WebGpuBackend } from '../../src/engine/webgpu/backend.ts';
import { PRESETS } from '../../src/experiments/presets.ts';
import { gpuUnavailable, openBackend } from './gpu.ts';
import { trainLosses } from './parity.ts';

const RTOL = 1e-4;
const FULL = Number(process.env.LATENT_LAB_PARITY_STEPS ?? 0);
// celeba-cvae at batch 2 is chaotic in float32: by step 8 the CPU backend and WebGPU each differ from the float64
// reference by ~3e-3 (and from each other by up to 1.2e-2 at step 20), so it is compared over 3 steps only.
const CHAOTIC = new Set(['celeba-cvae']);
const stepsFor = (name: string) => CHAOTIC.has(name) ? 3 : FULL || (name === 'linear-vae' || name === 'cae-bn-pool' ? 20 : 2);

let gpu: WebGpuBackend | null = null;
let cpu: Backend;
beforeAll(async () => {
  gpu = await openBackend();
  if (!gpu) console.warn(`skipping WebGPU parity tests: ${gpuUnavailable()}`);
  cpu = await createBackend(backendNames().includes('cpu') ? 'cpu' : 'reference');
});
afterAll(() => {
  gpu?.dispose();
  cpu?.dispose();
});

describe('CPU vs WebGPU training losses, same seed', () => {
  for (const preset of PRESETS) {
    const steps = stepsFor(preset.name);
    it(`${preset.name}: ${steps} Adam steps`, async (ctx) => {
      if (!gpu) return ctx.skip();
      const ours = await trainLosses(gpu, preset.spec, steps, 2, 7);
      const theirs = await trainLosses(cpu, preset.spec, steps, 2, 7);
      expect(ours).toHaveLength(steps);
      ours.forEach((loss, i) => {
        const rel = Math.abs(loss - theirs[i]) / Math.abs(theirs[i]);
        expect(rel, `step ${i}: webgpu ${loss}, ${cpu.name} ${theirs[i]}`).toBeLessThanOrEqual(RTOL);
      });
      // Training moved: the comparison is not between two untouched models.
      expect(ours[steps - 1]).not.toBe(ours[0]);
    });
  }
});
