import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.ts';

describe('Rng', () => {
  it('is reproducible from its seed and its saved state', () => {
    const a = new Rng(3), b = new Rng(3);
    const xs = Array.from({ length: 5 }, () => a.uniform());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b.uniform()));
    const state = a.state(), next = a.normal();
    a.setState(state);
    expect(a.normal()).toBe(next);
  });

  it('gives initialisation and training independent streams of one seed', () => {
    // Sharing one stream made the first noise and shuffle replay the weights' own draws, and slowed learning.
    const init = Rng.stream(0, 'init'), train = Rng.stream(0, 'train');
    const a = Array.from({ length: 1000 }, () => init.uniform());
    const b = Array.from({ length: 1000 }, () => train.uniform());
    let corr = 0;
    for (let i = 0; i < a.length; i++) corr += (a[i] - 0.5) * (b[i] - 0.5);
    expect(a[0]).not.toBe(b[0]);
    expect(Math.abs(corr / a.length / (1 / 12))).toBeLessThan(0.15);
    expect(Rng.stream(0, 'init').uniform()).toBe(a[0]);
    expect(Rng.stream(1, 'init').uniform()).not.toBe(a[0]);
  });

  it('draws standard normals and full permutations', () => {
    const r = new Rng(11);
    const v = r.fillNormal(new Float32Array(200_000));
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    const p = r.permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
