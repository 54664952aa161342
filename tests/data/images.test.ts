// CelebA and image-folder imports on JPEG/PNG/WebP files made with sharp, and their failure modes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, listDatasets, openDataset, type DatasetReader } from '../../src/main/data/index.ts';
import type { LldReader } from '../../src/main/data/reader.ts';
import { dataFiles, runCli, tempLab } from './helpers/lab.ts';

let lab: ReturnType<typeof tempLab>;
beforeAll(() => {
  lab = tempLab('images-');
});
afterAll(() => lab.cleanup());

type RGB = [number, number, number];

/** A w×h image: `band` rows at top and bottom in red, the middle left half `left`, right half `right`. */
async function twoTone(file: string, w: number, h: number, left: RGB, right: RGB, band = 0): Promise<void> {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const c: RGB = y < band || y >= h - band ? [255, 0, 0] : x < w / 2 ? left : right;
      px.set(c, (y * w + x) * 3);
    }
  const img = sharp(px, { raw: { width: w, height: h, channels: 3 } });
  const ext = file.split('.').pop();
  const out = ext === 'png' ? img.png() : ext === 'webp' ? img.webp({ lossless: true }) : img.jpeg({ quality: 95 });
  await out.toFile(file);
}

function pixel(r: DatasetReader, split: 'train' | 'test', index: number, x: number, y: number): number[] {
  const { channels: c, height: h, width: w } = r.info;
  const out = new Float32Array(c * h * w);
  r.readImages(split, [index], out);
  return Array.from({ length: c }, (_, ch) => Math.round(out[ch * h * w + y * w + x] * 255));
}

const near = (got: number[], want: number[], tol = 8) => got.every((v, i) => Math.abs(v - want[i]) <= tol);
const registered = () => listDatasets(lab.home).filter((d) => !d.builtin).map((d) => d.name);
const colour = (k: number): RGB => [20 + k * 30, 90, 220 - k * 25];

describe('celeba import', () => {
  it('centre-crops 178×178, resizes, splits by list_eval_partition.txt and keeps the attributes', async () => {
    const root = join(lab.home, 'src', 'celeba');
    const imgs = join(root, 'img_align_celeba');
    mkdirSync(imgs, { recursive: true });
    for (let k = 1; k <= 6; k++) await twoTone(join(imgs, `00000${k}.jpg`), 178, 218, colour(k), [240, 240, 240], 20);
    writeFileSync(join(root, 'list_eval_partition.txt'), ['000001.jpg 0', '000002.jpg 0', '000003.jpg 2', '000004.jpg 0', '000005.jpg 1', '000006.jpg 2', ''].join('\n'));
    const attrs = ['Smiling', 'Male', 'Young'];
    const rows = [1, 2, 3, 4, 5, 6].map((k) => `00000${k}.jpg ${[k % 2 ? 1 : -1, k > 3 ? 1 : -1, -1].join(' ')}`);
    writeFileSync(join(root, 'list_attr_celeba.txt'), ['6', attrs.join(' '), ...rows, ''].join('\r\n'));
    const res = await runCli(['data', 'import', 'celeba', root, '--size', '16'], lab.home);
    expect(res.code, res.stderr).toBe(0);
    const r = openDataset('celeba', lab.home) as DatasetReader & LldReader;
    expect(r.info).toMatchObject({ format: 'celeba', channels: 3, height: 16, width: 16, train: 4, test: 2, classes: null, attributes: attrs });
    // Train: 1, 2, 4, 5 (validation joins train); test: 3, 6. The red bands are cropped away entirely.
    for (const [split, index, k] of [['train', 0, 1], ['train', 2, 4], ['train', 3, 5], ['test', 0, 3], ['test', 1, 6]] as const) {
      for (const y of [0, 8, 15]) {
        expect(near(pixel(r, split, index, 1, y), colour(k)), `${split} ${index} left y=${y}: ${pixel(r, split, index, 1, y)}`).toBe(true);
        expect(near(pixel(r, split, index, 14, y), [240, 240, 240]), `${split} ${index} right y=${y}`).toBe(true);
      }
    }
    expect(Array.from(r.readLabels('train', [0, 1, 2, 3]))).toEqual([-1, -1, -1, -1]);
    expect(Array.from(r.readAttributes('test', [0, 1])!)).toEqual([1, -1, -1, -1, 1, -1]); // images 3 and 6
    r.close();
  });

  it('fails on odd-sized and corrupt images, a partition file that does not match, and an empty folder', async () => {
    const before = registered();
    const filesBefore = dataFiles(lab.home);
    const make = async (name: string) => {
      const dir = join(lab.home, 'src', name, 'img_align_celeba');
      mkdirSync(dir, { recursive: true });
      for (let k = 1; k <= 3; k++) await twoTone(join(dir, `00000${k}.jpg`), 178, 218, colour(k), [0, 0, 0]);
      return dir;
    };
    const odd = await make('odd');
    await twoTone(join(odd, '000002.jpg'), 100, 100, [0, 0, 0], [9, 9, 9]);
    await expect(importDataset('celeba', join(odd, '..'), { home: lab.home, name: 'x' })).rejects.toThrow(/000002\.jpg: 100×100 is smaller than the 178×178 centre crop/);

    const corrupt = await make('corrupt');
    const jpg = readFileSync(join(corrupt, '000003.jpg'));
    writeFileSync(join(corrupt, '000003.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
    await expect(importDataset('celeba', join(corrupt, '..'), { home: lab.home, name: 'x' })).rejects.toThrow(/000003\.jpg: unreadable image/);

    const garbage = await make('garbage');
    writeFileSync(join(garbage, '000001.jpg'), 'not a jpeg at all');
    await expect(importDataset('celeba', garbage, { home: lab.home, name: 'x' })).rejects.toThrow(/000001\.jpg: unreadable image/);

    const part = await make('partition');
    writeFileSync(join(part, '..', 'list_eval_partition.txt'), '000001.jpg 0\n000002.jpg 2\n');
    await expect(importDataset('celeba', part, { home: lab.home, name: 'x' })).rejects.toThrow(/000003\.jpg: not listed in .*list_eval_partition\.txt/);

    const empty = join(lab.home, 'src', 'empty-celeba');
    mkdirSync(empty, { recursive: true });
    const res = await runCli(['data', 'import', 'celeba', empty, '--name', 'x'], lab.home);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${empty}: no images`);
    expect(registered()).toEqual(before);
    expect(dataFiles(lab.home)).toEqual(filesBefore);
  });
});

describe('folder import', () => {
  it('class subfolders become labels; grey stays 1 channel; every k-th image of a class is test', async () => {
    const root = join(lab.home, 'src', 'shapes');
    for (const [cls, ext] of [['circle', 'png'], ['square', 'webp'], ['star', 'jpg']] as const) {
      mkdirSync(join(root, cls), { recursive: true });
      for (let i = 0; i < 5; i++) {
        const v = 10 + i * 40 + (cls === 'square' ? 5 : 0);
        await sharp({ create: { width: 6, height: 4, channels: 3, background: { r: v, g: v, b: v } } })
          .toColourspace('b-w')
          [ext === 'png' ? 'png' : ext === 'webp' ? 'webp' : 'jpeg'](ext === 'webp' ? { lossless: true } : {})
          .toFile(join(root, cls, `${i}.${ext}`));
      }
    }
    writeFileSync(join(root, 'README.txt'), 'not an image: ignored');
    const info = await importDataset('folder', root, { home: lab.home, testFraction: 0.2 });
    expect(info).toMatchObject({ name: 'shapes', format: 'folder', channels: 1, height: 4, width: 6, train: 12, test: 3, classes: ['circle', 'square', 'star'] });
    const r = openDataset('shapes', lab.home);
    expect(Array.from(r.readLabels('train', Array.from({ length: 12 }, (_, i) => i)))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(Array.from(r.readLabels('test', [0, 1, 2]))).toEqual([0, 1, 2]);
    // Train holds images 0..3 of each class, test image 4: value 10 + 4·40 (+5 for squares).
    expect(pixel(r, 'train', 1, 3, 2)).toEqual([50]);
    expect(pixel(r, 'test', 1, 0, 0)).toEqual([175]);
    expect(near(pixel(r, 'test', 2, 5, 3), [170], 3)).toBe(true); // JPEG
    r.close();
  });

  it('train/ and test/ folders give the split; --size resizes mixed sizes; --channels 1 makes colour grey', async () => {
    const root = join(lab.home, 'src', 'split');
    for (const [split, n] of [['train', 3], ['test', 2]] as const) {
      for (const cls of ['a', 'b']) {
        mkdirSync(join(root, split, cls), { recursive: true });
        for (let i = 0; i < n; i++) await twoTone(join(root, split, cls, `${i}.png`), 8 + i * 4, 8 + i * 4, [200, 10, 10], [10, 10, 200]);
      }
    }
    const res = await runCli(['data', 'import', 'folder', root, '--size', '4', '--name', 'split4'], lab.home);
    expect(res.code, res.stderr).toBe(0);
    const r = openDataset('split4', lab.home);
    expect(r.info).toMatchObject({ channels: 3, height: 4, width: 4, train: 6, test: 4, classes: ['a', 'b'] });
    expect(Array.from(r.readLabels('test', [0, 1, 2, 3]))).toEqual([0, 0, 1, 1]);
    expect(near(pixel(r, 'train', 2, 0, 1), [200, 10, 10], 12)).toBe(true);
    expect(near(pixel(r, 'train', 2, 3, 1), [10, 10, 200], 12)).toBe(true);
    r.close();
    const grey = await importDataset('folder', root, { home: lab.home, size: 4, channels: 1, name: 'split-grey' });
    expect(grey.channels).toBe(1);
  });

  it('fails on an empty folder, unreadable images, odd sizes without --size and images outside class folders', async () => {
    const before = registered();
    const filesBefore = dataFiles(lab.home);
    const dir = (name: string) => {
      const d = join(lab.home, 'src', name);
      mkdirSync(d, { recursive: true });
      return d;
    };
    const empty = dir('nothing');
    writeFileSync(join(empty, 'notes.txt'), 'hi');
    await expect(importDataset('folder', empty, { home: lab.home })).rejects.toThrow(`${empty}: no images`);

    const bad = dir('f-badimg');
    await twoTone(join(bad, 'ok.png'), 4, 4, [1, 2, 3], [4, 5, 6]);
    writeFileSync(join(bad, 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    await expect(importDataset('folder', bad, { home: lab.home })).rejects.toThrow(/broken\.png: unreadable image/);

    const odd = dir('f-odd');
    await twoTone(join(odd, 'a.png'), 4, 4, [1, 2, 3], [4, 5, 6]);
    await twoTone(join(odd, 'b.png'), 5, 4, [1, 2, 3], [4, 5, 6]);
    await expect(importDataset('folder', odd, { home: lab.home })).rejects.toThrow(/b\.png: 5×4, but a\.png is 4×4 \(odd-sized image; pass --size N/);

    const loose = dir('f-loose');
    mkdirSync(join(loose, 'cls'));
    await twoTone(join(loose, 'cls', 'a.png'), 4, 4, [1, 2, 3], [4, 5, 6]);
    await twoTone(join(loose, 'stray.png'), 4, 4, [1, 2, 3], [4, 5, 6]);
    await expect(importDataset('folder', loose, { home: lab.home })).rejects.toThrow(/stray\.png: image outside the class folders/);

    const res = await runCli(['data', 'import', 'folder', join(lab.home, 'src', 'no-such-folder')], lab.home);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no-such-folder: no such folder');
    const usage = await runCli(['data', 'import', 'folder', odd, '--channels', '2'], lab.home);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--channels must be 1 or 3');
    expect(registered()).toEqual(before);
    expect(dataFiles(lab.home)).toEqual(filesBefore);
  });
});
