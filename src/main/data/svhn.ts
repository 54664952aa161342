// SVHN cropped digits: train_32x32.mat / test_32x32.mat, X uint8 [32, 32, 3, N] (column-major), y [N, 1]
// with labels 1..10 where 10 means the digit 0.
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from './errors.ts';
import type { DatasetFileWriter, DatasetMeta, Split } from './format.ts';
import { mi, mx, readMatNumbers, readMatVariable, scanMat, type MatArrayHeader } from './mat5.ts';

export const SVHN_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

interface SvhnFile {
  file: string;
  split: Split;
  x: MatArrayHeader;
}

/** Which .mat files to import: a folder's train_32x32.mat (+ test_32x32.mat), or one file (test if its name says so). */
function findFiles(path: string): { file: string; split: Split }[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new DataError(`${path}: no such file or folder`);
  }
  if (!isDir) return [{ file: path, split: /test/i.test(basename(path)) ? 'test' : 'train' }];
  const files: { file: string; split: Split }[] = [];
  for (const [name, split] of [['train_32x32.mat', 'train'], ['test_32x32.mat', 'test']] as const) {
    if (existsSync(join(path, name))) files.push({ file: join(path, name), split });
  }
  if (files.length === 0) throw new DataError(`${path}: no train_32x32.mat or test_32x32.mat here`);
  return files;
}

async function describe(file: string, split: Split): Promise<SvhnFile> {
  const vars = await scanMat(file);
  const x = vars.find((v) => v.name === 'X');
  const y = vars.find((v) => v.name === 'y');
  if (!x) throw new DataError(`${file}: no variable 'X' (found: ${vars.map((v) => v.name).join(', ') || 'none'})`);
  if (!y) throw new DataError(`${file}: no variable 'y' (the labels)`);
  if (x.classId !== mx.UINT8 || x.dataType !== mi.UINT8) throw new DataError(`${file}: X is ${x.className} stored as type ${x.dataType}, expected uint8`);
  if (x.complex) throw new DataError(`${file}: X is complex`);
  if (x.dims.length !== 4 || x.dims[2] !== 3) throw new DataError(`${file}: X is ${x.dims.join('×')}, expected H×W×3×N`);
  const n = x.dims[3];
  const yN = y.dims.length === 2 && (y.dims[1] === 1 || y.dims[0] === 1) ? y.dims[0] * y.dims[1] : -1;
  if (yN < 0) throw new DataError(`${file}: y is ${y.dims.join('×')}, expected N×1`);
  if (yN !== n) throw new DataError(`${file}: ${yN} labels in y for ${n} images in X`);
  return { file, split, x };
}

export async function importSvhn(path: string, open: (meta: DatasetMeta) => DatasetFileWriter, onProgress?: (done: number, total: number) => void): Promise<void> {
  const found = findFiles(path);
  const files: SvhnFile[] = [];
  for (const f of found) files.push(await describe(f.file, f.split));
  const [h, w] = files[0].x.dims;
  for (const f of files) {
    if (f.x.dims[0] !== h || f.x.dims[1] !== w) throw new DataError(`${f.file}: images are ${f.x.dims[0]}×${f.x.dims[1]}, ${files[0].file} has ${h}×${w}`);
  }
  const count = (s: Split) => files.filter((f) => f.split === s).reduce((a, f) => a + f.x.dims[3], 0);
  const total = count('train') + count('test');
  // Labels first (small): a bad label fails the import before the big pixel pass.
  const labels = new Map<SvhnFile, Int32Array>();
  for (const f of files) {
    const { values } = await readMatNumbers(f.file, 'y');
    const out = new Int32Array(values.length);
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 1 || v > 10) throw new DataError(`${f.file}: label y(${i + 1}) is ${v}, expected 1..10`);
      out[i] = v === 10 ? 0 : v;
    });
    labels.set(f, out);
  }
  const writer = open({
    format: 'svhn',
    channels: 3,
    height: h,
    width: w,
    train: count('train'),
    test: count('test'),
    classes: SVHN_CLASSES,
    source: `SVHN cropped digits: ${files.map((f) => basename(f.file)).join(', ')} (label 10 read as digit 0)`,
  });
  let done = 0;
  for (const f of files) {
    writer.labels[f.split].set(labels.get(f)!);
    const plane = h * w;
    const imageBytes = 3 * plane;
    const batch = 256;
    const colMajor = new Uint8Array(imageBytes * batch);
    const nchw = new Uint8Array(imageBytes * batch);
    let filled = 0;
    const flush = () => {
      const n = filled / imageBytes;
      // X[r, c, ch] at r + h*c + plane*ch  ->  [ch, r, c] at plane*ch + w*r + c
      for (let k = 0; k < n; k++) {
        const o = k * imageBytes;
        for (let ch = 0; ch < 3; ch++) {
          const p = o + ch * plane;
          for (let c = 0; c < w; c++) for (let r = 0; r < h; r++) nchw[p + r * w + c] = colMajor[p + r + h * c];
        }
      }
      writer.appendImages(f.split, nchw.subarray(0, filled));
      done += n;
      onProgress?.(done, total);
      filled = 0;
    };
    await readMatVariable(f.file, 'X', async (header, s) => {
      await s.pump(header.dataBytes, (chunk) => {
        let at = 0;
        while (at < chunk.length) {
          const k = Math.min(chunk.length - at, colMajor.length - filled);
          colMajor.set(chunk.subarray(at, at + k), filled);
          filled += k;
          at += k;
          if (filled === colMajor.length) flush();
        }
      });
    });
    if (filled > 0) flush();
  }
}
