// PyTorch's op and model fixtures (../shared/fixtures) on the WebGPU backend (Dawn; SwiftShader here and in CI).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/tensor.ts';
import type { WebGpuBackend } from '../../src/engine/webgpu/backend.ts';
import { checkModelFixture, type ModelFixture } from '../../src/experiments/fixtures/models.ts';
import { checkOpFixture, type OpFixture } from '../../src/experiments/fixtures/ops.ts';
import { SHARED_FIXTURES } from '../paths.ts';
import { gpuUnavailable, openBackend } from './gpu.ts';

const opsDir = join(SHARED_FIXTURES, 'ops');
const modelsDir = join(SHARED_FIXTURES, 'models');
const opFiles = readdirSync(opsDir).filter((f) => f.endsWith('.json')).sort();
const modelNames = readdirSync(modelsDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

let backend: WebGpuBackend | null = null;
let engine: Engine;
beforeAll(async () => {
  backend = await openBackend();
  if (backend) engine = new Engine(backend);
  else console.warn(`skipping WebGPU fixture tests: ${gpuUnavailable()}`);
});
afterAll(() => backend?.dispose());

describe('PyTorch fixtures on WebGPU', () => {
  it('finds the fixtures', () => {
    expect(opFiles.length).toBeGreaterThan(20);
    expect(modelNames.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of opFiles) {
    it(`op ${file}`, async (ctx) => {
      if (!backend) return ctx.skip();
      const fixture = JSON.parse(readFileSync(join(opsDir, file), 'utf8')) as OpFixture;
      expect(await checkOpFixture(engine, fixture)).toEqual([]);
    });
  }

  for (const name of modelNames) {
    it(`model ${name}`, async (ctx) => {
      if (!backend) return ctx.skip();
      const fixture = JSON.parse(readFileSync(join(modelsDir, `${name}.json`), 'utf8')) as ModelFixture;
      expect(await checkModelFixture(engine, fixture, readFileSync(join(modelsDir, `${name}.safetensors`)))).toEqual([]);
    });
  }
});
