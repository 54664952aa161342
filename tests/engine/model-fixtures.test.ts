import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../src/engine/cpu/reference.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { checkModelFixture, type ModelFixture } from '../../src/experiments/fixtures/models.ts';
import { SHARED_FIXTURES } from '../paths.ts';

describe('model fixtures (PyTorch) on the reference backend', () => {
  const engine = new Engine(new ReferenceBackend());
  for (const name of ['mnist-cvae', 'cae-bn-pool', 'linear-vae']) {
    it(name, async () => {
      const dir = join(SHARED_FIXTURES, 'models');
      const fixture = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as ModelFixture;
      const mismatches = await checkModelFixture(engine, fixture, readFileSync(join(dir, `${name}.safetensors`)));
      expect(mismatches).toEqual([]);
    });
  }
});
