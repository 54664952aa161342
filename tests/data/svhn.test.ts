// SVHN import from MAT v5 files: ones the test writes (as MATLAB -v7 does: compressed elements) and one written
// by scipy.io.savemat, an independent writer; then every way a MAT-file can be wrong.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, listDatasets, openDataset } from '../../src/main/data/index.ts';
import { scanMat } from '../../src/main/data/mat5.ts';
import { dataFiles, runCli, tempLab } from './helpers/lab.ts';
import { matHeader, matrixElement, svhnVars, writeMat, type MatVar } from './helpers/mat5-writer.ts';

// scipy.io.savemat({'X': uint8 [32, 32, 3, 2], 'y': float64 [[10], [3]]}, do_compression=True), where
// X[r, c, ch, k] = (k*37 + ch*101 + r*3 + c*5) % 256.
const SCIPY_MAT = 'TUFUTEFCIDUuMCBNQVQtZmlsZSBQbGF0Zm9ybTogcG9zaXgsIENyZWF0ZWQgb246IFNhdCBOb3YgMjEgMTM6NTE6MTMgMjAyNgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABSU0PAAAAEAQAAHichZhnVI9xHEefSqkk2cnKntkS2ZSVkZFRKGSEMqJCGRkZhYyMjIyMjIyoqIxSGRkZhYxCRiF7RP4eXt9vznNyTufcN/fF9/4+xoqiWJkqip7mt77mM1D+/ehqPhPNZ/7/09F82ppPS/Nv2P//K6Z//6BnYFSqTHnTytVq1K7X0KJZS8u27Tt1tenZp5/94KEjRurqlzAuXa6iWVXzWnUbNG7aorWVdccu3Xv07jtgkMNwp9FjDEualK1QqUr1mnXqN2rSvFWbdh06d7PtZdd/4JBhjqNcxk0AtPPY8ZOmANp14mT36YB2mzpt5mxAe8yY5T0X0J5ec3wXANpn3vxFSwDtt3DxshWA9l+6fNVqQAesDFq7HtCBa9Zt3Azo4A2btm4HdMiWbTt3Azp0x669+wEdtmffwcOADj9w6OhxQEccOXbyNKAjT5yKOQvoqOgz8ecBHRt37uIlQCdcSEq5AujE5MvXbgA69er1W3cAnXbz9r37gE6/m/nwMaAzHjx6+gzQWU9yXrwCdPbzl2/eAjr3df77j4DOe/fh8ze2k3CB7SQms53Uq2wn7SbbSb/LdjIesJ2sJ2wn+znbyX3NdvLesZ2CT2zny3e28/M3oL/++KXoALqwSFtXH9BaxYoblgS0ehgArR4GQKuHAdDqYQC0ehgArR4GQKuHAdDqYQC0ehgArR4GQKuHAdDqYQC0ehgArR4GQKuHQbrvbKd2PbbToDHbadKc7bS0ZDtW1mynQ2e209WG7fTozXbs+rMd+8Fsx2E423EcxXacx3J9uU7k+nKbyvXlMYPry9OL68tnHteX30KuL/+lXF8BK7m+AtdwfQVv4PoK2cL1FbqD6ytsD9dX+AGur4gjXF+RJ7i+oqK5vmLjpPvOducvYruLl7Hd5avYbtBatrtuI9vdtJXtbtvJdnftZbv7DrLdQ0fZ7rGTbPdUDNs9E892z11ku0kpXG+Xr3G9Xb/F9Xb7Htdb5kOut0dPud5yXnC9vXzD9Zb/nuvtw2eut68/uN4Ki7jetIpxvekZcL2VMOZ6MynL9VbelOvNrKrwPMkVnid5wvOkQHiefBGeJz/Zzi+F7Wjrsp3ihmzHqBTbKV2O7VSoxHYqV2M75rWorf/eZq63hhZcb01bcL21asP11rY911vHLlxv3Wy53nr24XrrO4DrbeAQrrehI7jenEZzvbmM43obP4nrbbI719u0mVxvs7y53ub4SvddeJ7YCc8Te+F54iA8TxyF54mzMD+6CvOjmzA/egjzo6cwP/oI86OfMD/6C/NjgDA/BgrzY7AwP4YI82OoMD+GCfNjuDA/RgjzY6QwP0YJ82OsMD8mCPNjojA/pgrzY5owP6YL82OGMD9mCfNjtnTf/wBFlcXpDwAAAC0AAAB4nONjYGBwAGI2IOaA0iDACuUzATEjGDMyVAJpTiAWYIABFQcIzeEAADA2AbM=';

let lab: ReturnType<typeof tempLab>;
beforeAll(() => {
  lab = tempLab('svhn-');
});
afterAll(() => lab.cleanup());

/** NCHW images with pixel (k, ch, r, c) = (k*37 + ch*101 + r*3 + c*5 + shift) % 256. */
function pattern(n: number, shift = 0): Uint8Array {
  const px = new Uint8Array(n * 3 * 1024);
  for (let k = 0; k < n; k++) for (let ch = 0; ch < 3; ch++) for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) px[((k * 3 + ch) * 32 + r) * 32 + c] = (k * 37 + ch * 101 + r * 3 + c * 5 + shift) % 256;
  return px;
}

function expectImages(name: string, split: 'train' | 'test', expected: Uint8Array) {
  const r = openDataset(name, lab.home);
  const n = expected.length / 3072;
  const out = new Float32Array(n * 3072);
  r.readImages(split, Array.from({ length: n }, (_, i) => i), out);
  let wrong = 0;
  for (let i = 0; i < out.length; i++) if (Math.round(out[i] * 255) !== expected[i]) wrong++;
  r.close();
  expect(wrong).toBe(0);
}

const registered = () => listDatasets(lab.home).filter((d) => !d.builtin).map((d) => d.name);

describe('svhn import', () => {
  it('reads what scipy wrote: dimensions, class, labels', async () => {
    const file = join(lab.home, 'scipy.mat');
    writeFileSync(file, Buffer.from(SCIPY_MAT, 'base64'));
    const vars = await scanMat(file);
    expect(vars.map((v) => [v.name, v.className, v.dims])).toEqual([
      ['X', 'uint8', [32, 32, 3, 2]],
      ['y', 'double', [2, 1]],
    ]);
  });

  it('imports train_32x32.mat (ours) and test_32x32.mat (scipy\'s) through the CLI, column-major to NCHW, label 10 -> 0', async () => {
    const dir = join(lab.home, 'src', 'svhn');
    mkdirSync(dir, { recursive: true });
    const train = pattern(5, 1);
    writeFileSync(join(dir, 'train_32x32.mat'), writeMat(svhnVars(train, [1, 10, 5, 9, 10])));
    writeFileSync(join(dir, 'test_32x32.mat'), Buffer.from(SCIPY_MAT, 'base64'));
    const res = await runCli(['data', 'import', 'svhn', dir], lab.home);
    expect(res.code, res.stderr).toBe(0);
    const r = openDataset('svhn', lab.home);
    expect(r.info).toMatchObject({ format: 'svhn', channels: 3, height: 32, width: 32, train: 5, test: 2, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    expect(Array.from(r.readLabels('train', [0, 1, 2, 3, 4]))).toEqual([1, 0, 5, 9, 0]);
    expect(Array.from(r.readLabels('test', [0, 1]))).toEqual([0, 3]);
    r.close();
    expectImages('svhn', 'train', train);
    expectImages('svhn', 'test', pattern(2));
    // The grid of an RGB data set is an RGB PNG.
    const grid = join(lab.home, 'svhn.png');
    const show = await runCli(['data', 'show', 'svhn', '--grid', grid], lab.home);
    expect(show.code, show.stderr).toBe(0);
  });

  it('imports a single .mat file, uncompressed elements and double-stored labels too', async () => {
    const px = pattern(3, 7);
    const y = Buffer.alloc(24);
    [2, 10, 4].forEach((v, i) => y.writeDoubleLE(v, 8 * i));
    const vars = svhnVars(px, [0, 0, 0]);
    vars[1] = { name: 'y', classId: 6, dims: [3, 1], dataType: 9, data: y };
    const file = join(lab.home, 'src', 'plain_test.mat');
    writeFileSync(file, writeMat(vars, { compress: false }));
    const info = await importDataset('svhn', file, { home: lab.home, name: 'svhn-plain' });
    expect(info).toMatchObject({ train: 0, test: 3 });
    const r = openDataset('svhn-plain', lab.home);
    expect(Array.from(r.readLabels('test', [0, 1, 2]))).toEqual([2, 0, 4]);
    r.close();
    expectImages('svhn-plain', 'test', px);
  });

  it('fails clearly on bad MAT-files, naming the file, and registers nothing', async () => {
    const before = registered();
    const filesBefore = dataFiles(lab.home);
    const good = () => writeMat(svhnVars(pattern(2), [1, 2]));
    const compressedX = (() => {
      const full = good();
      return full.subarray(128, 128 + 8 + full.readUInt32LE(132));
    })();
    const cases: [string, Buffer, RegExp][] = [
      ['not a MAT-file', Buffer.concat([Buffer.from('hello'), Buffer.alloc(200)]), /not a MATLAB 5 MAT-file/],
      ['short file', Buffer.from('MATLAB 5.0'), /not a MAT-file \(only 10 bytes\)/],
      ['v7.3 (HDF5)', Buffer.concat([matHeader('MATLAB 7.3 MAT-file, Platform: GLNXA64'), Buffer.alloc(64)]), /MATLAB 7.3 \(HDF5\) MAT-files are not supported/],
      ['truncated', good().subarray(0, 600), /truncated: the element at byte 128 needs \d+ bytes, the file ends after \d+/],
      [
        'corrupt compressed data',
        (() => {
          const b = Buffer.from(good());
          for (let i = 150; i < 170; i++) b[i] ^= 0x5a;
          return b;
        })(),
        /corrupt compressed data/,
      ],
      ['label count mismatch', writeMat([svhnVars(pattern(3), [1, 2, 3])[0], svhnVars(pattern(2), [1, 2])[1]]), /2 labels in y for 3 images in X/],
      ['label out of range', writeMat(svhnVars(pattern(2), [1, 11])), /label y\(2\) is 11, expected 1\.\.10/],
      ['no X', writeMat([svhnVars(pattern(2), [1, 2])[1]]), /no variable 'X' \(found: y\)/],
      [
        'X not uint8',
        writeMat([{ ...svhnVars(pattern(1), [1])[0], classId: 6, dataType: 2 } as MatVar, svhnVars(pattern(1), [1])[1]]),
        /X is double stored as type 2, expected uint8/,
      ],
      [
        'element shorter than its dimensions',
        (() => {
          const m = matrixElement({ name: 'X', classId: 9, dims: [32, 32, 3, 2], dataType: 2, data: new Uint8Array(100) });
          const z = deflateSync(m);
          const tag = Buffer.alloc(8);
          tag.writeUInt32LE(15, 0);
          tag.writeUInt32LE(z.length, 4);
          return Buffer.concat([matHeader(), tag, z]);
        })(),
        /variable 'X' \(32×32×3×2\) holds 100 data bytes, expected 6144/,
      ],
      ['trailing garbage', Buffer.concat([good(), Buffer.from([1, 2, 3])]), /truncated \(3 stray bytes at the end\)/],
    ];
    expect(compressedX.readUInt32LE(0)).toBe(15);
    for (const [what, bytes, message] of cases) {
      const file = join(lab.home, 'src', 'bad', `${what.replace(/\W+/g, '-')}_train_32x32.mat`);
      mkdirSync(join(lab.home, 'src', 'bad'), { recursive: true });
      writeFileSync(file, bytes);
      const err = await importDataset('svhn', file, { home: lab.home, name: 'bad' }).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(err, what).toMatch(message);
      expect(err, what).toContain(file);
    }
    const res = await runCli(['data', 'import', 'svhn', join(lab.home, 'src', 'bad', 'truncated_train_32x32.mat'), '--name', 'bad'], lab.home);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/truncated_train_32x32\.mat: truncated/);
    expect(registered()).toEqual(before);
    expect(dataFiles(lab.home)).toEqual(filesBefore);
  });
});
