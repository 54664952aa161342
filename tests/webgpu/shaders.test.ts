// The WGSL sources reach the engine through a generated module; it must match the .wgsl files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { OUTPUT, renderShaders } from '../../scripts/gen-wgsl.mjs';
import { kernelSpecs } from '../../src/engine/webgpu/kernels.ts';
import { shaders } from '../../src/engine/webgpu/shaders.generated.ts';

describe('WGSL sources', () => {
  it('shaders.generated.ts is up to date (else run npm run gen:wgsl)', () => {
    expect(readFileSync(OUTPUT as string, 'utf8')).toBe((renderShaders as () => string)());
  });

  it('every shader starts with a header on how its dispatch maps to the data, and is used', () => {
    const used = new Set(kernelSpecs.map((s) => s.shader));
    for (const [name, code] of Object.entries(shaders)) {
      expect(code.startsWith(`// ${name}`), `${name}.wgsl header`).toBe(true);
      expect(/Dispatch|dispatch/.test(code.split('\n').filter((l) => l.startsWith('//')).join('\n')), `${name}.wgsl dispatch comment`).toBe(true);
      expect(used.has(name as never), `${name}.wgsl is dispatched by a kernel`).toBe(true);
    }
  });

  it('kernel names are unique', () => {
    const names = kernelSpecs.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
