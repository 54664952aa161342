import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../src/engine/cpu/reference.ts';
import { Engine } from '../../src/engine/tensor.ts';
import { checkOpFixture, type OpFixture } from '../../src/experiments/fixtures/ops.ts';
import { SHARED_FIXTURES } from '../paths.ts';

const dir = join(SHARED_FIXTURES, 'ops');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('op fixtures (PyTorch) on the reference backend', () => {
  const engine = new Engine(new ReferenceBackend());
  it('finds the fixtures', () => expect(files.length).toBeGreaterThan(20));
  for (const file of files) {
    it(file, async () => {
      const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8')) as OpFixture;
      const mismatches = await checkOpFixture(engine, fixture);
      expect(mismatches).toEqual([]);
    });
  }
});
