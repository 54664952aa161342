// PyTorch's op and model fixtures on the 'cpu' backend (WebAssembly, two threads), created through the
// backend registry as the CLI does; the op fixtures also on the SIMD128 and JavaScript fallback paths.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/engine/backends.ts';
import type { Backend } from '../../src/engine/backend.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { checkModelFixture, type ModelFixture } from '../../src/experiments/fixtures/models.ts';
import { checkOpFixture, type OpFixture } from '../../src/experiments/fixtures/ops.ts';
import { SHARED_FIXTURES } from '../paths.ts';
import { cpuBackend } from './helpers.ts';

const opDir = join(SHARED_FIXTURES, 'ops');
const opFiles = readdirSync(opDir).filter((f) => f.endsWith('.json')).sort();

describe("op and model fixtures on the registered 'cpu' backend", () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createBackend('cpu');
  });
  afterAll(() => backend.dispose());

  it('is the WebAssembly backend', () => {
    expect(backend.name).toBe('cpu');
    expect((backend as unknown as { mode: string }).mode).toMatch(/^(relaxed|simd)$/);
  });
  for (const file of opFiles) {
    it(file, async () => {
      const fixture = JSON.parse(readFileSync(join(opDir, file), 'utf8')) as OpFixture;
      expect(await checkOpFixture(new Engine(backend), fixture)).toEqual([]);
    });
  }
  for (const name of ['mnist-cvae', 'cae-bn-pool', 'linear-vae']) {
    it(`model ${name}`, async () => {
      const dir = join(SHARED_FIXTURES, 'models');
      const fixture = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as ModelFixture;
      expect(await checkModelFixture(new Engine(backend), fixture, readFileSync(join(dir, `${name}.safetensors`)))).toEqual([]);
    });
  }
});

for (const mode of ['simd', 'js'] as const) {
  describe(`op fixtures on the cpu backend's ${mode} path`, () => {
    it('every op fixture passes', async () => {
      const backend = await cpuBackend(mode);
      try {
        expect(backend.mode).toBe(mode);
        const failed: string[] = [];
        for (const file of opFiles) {
          const fixture = JSON.parse(readFileSync(join(opDir, file), 'utf8')) as OpFixture;
          const m = await checkOpFixture(new Engine(backend), fixture);
          if (m.length) failed.push(`${file}: ${JSON.stringify(m)}`);
        }
        expect(failed).toEqual([]);
      } finally {
        backend.dispose();
      }
    });
  });
}
