import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/experiments/presets.ts';
import { inferSpec, inferSpecPartial, SpecError } from '../../src/experiments/spec.ts';
import { SHARED_PRESETS } from '../paths.ts';

const base = () => JSON.parse(JSON.stringify(PRESETS.find((p) => p.name === 'mnist-cvae')!.spec));

describe('architecture spec', () => {
  it('keeps the reference presets identical to ../shared/presets', () => {
    for (const name of ['mnist-cvae', 'cae-bn-pool', 'linear-vae']) {
      const shared = JSON.parse(readFileSync(join(SHARED_PRESETS, `${name}.json`), 'utf8'));
      expect(PRESETS.find((p) => p.name === name)!.spec).toEqual(shared);
    }
  });

  it('infers every preset: shapes, parameters and multiply-adds', () => {
    for (const p of PRESETS) {
      const r = inferSpec(p.spec);
      expect(r.layers.at(-1)!.outShape).toEqual(p.spec.input);
      expect(r.params).toBeGreaterThan(0);
    }
    const cvae = inferSpec(base());
    // conv 1->32 k4: 32·16+32; conv 32->64 k4: 64·32·16+64; linear 3136->256; head 256->32; decoder mirror.
    const expected = (32 * 16 + 32) + (64 * 32 * 16 + 64) + (3136 * 256 + 256) + (256 * 32 + 32)
      + (16 * 256 + 256) + (256 * 3136 + 3136) + (64 * 32 * 16 + 32) + (32 * 1 * 16 + 1);
    expect(cvae.params).toBe(expected);
    expect(cvae.layers.find((l) => l.path === 'encoder.2')!.outShape).toEqual([64, 7, 7]);
    expect(cvae.layers.find((l) => l.path === 'encoder.0')!.macs).toBe(32 * 14 * 14 * 16);
  });

  const bad: [string, (s: any) => void, RegExp][] = [
    ['an unknown layer type', (s) => s.encoder.splice(1, 0, { type: 'conv3d', out: 4 }), /encoder\.1: unknown layer type "conv3d"/],
    ['a kernel larger than the input', (s) => { s.encoder[2].kernel = 20; }, /encoder\.2: a 20×20 kernel .* does not fit the 14×14 input/],
    ['linear on a feature map', (s) => s.encoder.splice(4, 1), /encoder\.4: linear needs a vector \[F\], got the feature map \[64, 7, 7\]; add a flatten/],
    ['a decoder that does not give back the input', (s) => { s.decoder[7].out = 3; }, /decoder\.7: the decoder ends with \[3, 28, 28\] but must give back the input's shape \[1, 28, 28\]/],
    ['a reshape of the wrong size', (s) => { s.decoder[4].shape = [64, 8, 8]; }, /decoder\.4: cannot reshape \[3136\] \(3136 values\) to \[64, 8, 8\]/],
    ['a vae encoder ending in a map', (s) => s.encoder.splice(4), /a vae's encoder must end in a vector/],
    ['an unpool with no pool', (s) => s.decoder.splice(5, 0, { type: 'maxunpool2d', kernel: 2 }), /decoder\.5: maxunpool2d has no max pool to pair with/],
    ['a missing latent', (s) => { delete s.latent; }, /a vae needs "latent"/],
    ['an unknown field', (s) => { s.encoder[0].strides = 2; }, /encoder\.0: conv2d has no field "strides"/],
    ['a bad dropout p', (s) => s.encoder.splice(1, 0, { type: 'dropout', p: 1.5 }), /encoder\.1: dropout p must be in \[0, 1\)/],
  ];
  for (const [what, mutate, message] of bad) {
    it(`names the layer for ${what}`, () => {
      const s = base();
      mutate(s);
      expect(() => inferSpec(s)).toThrow(SpecError);
      expect(() => inferSpec(s)).toThrow(message);
    });
  }

  it('reports the layers inferred before a problem, for the editor', () => {
    const s = base();
    s.decoder[7].out = 3;
    const r = inferSpecPartial(s);
    expect(r.error?.path).toBe('decoder.7');
    expect(r.layers.length).toBeGreaterThan(8);
    expect(r.layers.find((l) => l.path === 'encoder.2')!.outShape).toEqual([64, 7, 7]);
  });

  it('pairs unpools with pools last-in-first-out and checks the shapes', () => {
    const cae = JSON.parse(JSON.stringify(PRESETS.find((p) => p.name === 'cae-bn-pool')!.spec));
    const r = inferSpec(cae);
    expect(r.layers.find((l) => l.path === 'decoder.0')!.outShape).toEqual([32, 14, 14]);
    cae.decoder.splice(1, 0, { type: 'conv2d', out: 32, kernel: 3 }); // 14×14 -> 12×12 before the second unpool
    expect(() => inferSpec(cae)).toThrow(/maxunpool2d gets \[16, 12, 12\] but its paired max pool \(encoder\.3\) produced \[16, 14, 14\]/);
  });
});
