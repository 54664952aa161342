// IDX files (MNIST, Fashion-MNIST, EMNIST): big-endian header `0 0 type ndims`, ndims u32 sizes, then the data.
// Raw or gzip'd (told apart by content, not by name).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from './errors.ts';
import type { DatasetFileWriter, DatasetMeta, Split } from './format.ts';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

/** Decompresses gzip'd content (by its magic bytes), naming the file on corrupt data. */
export function maybeGunzip(buf: Buffer, file: string): Buffer {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return gunzipSync(buf);
    } catch (e) {
      throw new DataError(`${file}: corrupt or truncated gzip data (${(e as Error).message})`);
    }
  }
  return buf;
}

export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  if (buf.length < 4) throw new DataError(`${file}: not an IDX file (only ${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf[0] !== 0 || buf[1] !== 0 || !(buf[2] in TYPE_NAMES) || buf[3] < 1 || buf[3] > 4) {
    throw new DataError(`${file}: not an IDX file (magic number 0x${view.getUint32(0).toString(16).padStart(8, '0')})`);
  }
  if (buf[2] !== 0x08) throw new DataError(`${file}: IDX element type ${TYPE_NAMES[buf[2]]} is not supported (images and labels must be uint8)`);
  const ndims = buf[3];
  const headerBytes = 4 + 4 * ndims;
  if (buf.length < headerBytes) throw new DataError(`${file}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const found = buf.length - headerBytes;
  if (found < expected) throw new DataError(`${file}: truncated: dimensions ${dims.join('×')} need ${expected} data bytes, the file has ${found}`);
  if (found > expected) throw new DataError(`${file}: ${found - expected} unexpected bytes after the ${dims.join('×')} data (corrupt file?)`);
  return { dims, data: buf.subarray(headerBytes) };
}

export function readIdxFile(file: string): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseIdx(maybeGunzip(raw, file), file);
}

export interface IdxSplitFiles {
  images: string;
  labels: string;
}

export interface IdxSet {
  prefix: string;
  train: IdxSplitFiles;
  test?: IdxSplitFiles;
}

const IDX_NAME = /^(.*?)(train|t10k|test)-(images|labels)[-.](idx[13])-ubyte(\.gz)?$/;

/** Finds one IDX set (train images + labels, optional test images + labels) in a folder, or beside a given file. */
export function findIdxSet(path: string): IdxSet {
  let dir = path;
  let only: string | null = null;
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new DataError(`${path}: no such file or folder`);
  }
  if (!isDir) {
    dir = dirname(path);
    const m = IDX_NAME.exec(basename(path));
    if (!m) throw new DataError(`${path}: not an IDX file name (expected e.g. train-images-idx3-ubyte.gz)`);
    only = m[1];
  }
  const sets = new Map<string, Partial<Record<'train' | 'test', Partial<IdxSplitFiles>>>>();
  for (const name of readdirSync(dir).sort()) {
    const m = IDX_NAME.exec(name);
    if (!m) continue;
    const [, prefix, splitName, kind, idxKind] = m;
    if ((kind === 'images') !== (idxKind === 'idx3')) continue;
    if (only !== null && prefix !== only) continue;
    const split = splitName === 'train' ? 'train' : 'test';
    const set = sets.get(prefix) ?? {};
    const files = (set[split] ??= {});
    // Prefer the raw file when both raw and .gz are present: same data, no decompression.
    if (!files[kind as 'images' | 'labels'] || !name.endsWith('.gz')) files[kind as 'images' | 'labels'] = join(dir, name);
    sets.set(prefix, set);
  }
  if (sets.size === 0) throw new DataError(`${path}: no IDX files found (expected train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz])`);
  if (sets.size > 1) {
    throw new DataError(`${path}: several IDX sets here (${[...sets.keys()].map((p) => `${p || '(no prefix)'}`).join(', ')}); pass the path of one set's train-images file`);
  }
  const [prefix, set] = [...sets][0];
  const complete = (split: 'train' | 'test'): IdxSplitFiles | undefined => {
    const f = set[split];
    if (!f) return undefined;
    if (!f.images || !f.labels) {
      throw new DataError(`${dir}: ${split} ${f.images ? 'labels' : 'images'} file missing for ${f.images ?? f.labels}`);
    }
    return { images: f.images, labels: f.labels };
  };
  const train = complete('train');
  if (!train) throw new DataError(`${path}: IDX test files found but no train-images / train-labels files`);
  return { prefix, train, test: complete('test') };
}

export interface LoadedIdxSplit {
  images: IdxArray;
  labels: IdxArray;
}

function loadSplit(files: IdxSplitFiles): LoadedIdxSplit {
  const images = readIdxFile(files.images);
  const labels = readIdxFile(files.labels);
  if (images.dims.length !== 3) throw new DataError(`${files.images}: an image file must have 3 dimensions (N×H×W), this one has ${images.dims.join('×')}`);
  if (labels.dims.length !== 1) throw new DataError(`${files.labels}: a label file must have 1 dimension (N), this one has ${labels.dims.join('×')}`);
  if (images.dims[0] !== labels.dims[0]) {
    throw new DataError(`${files.labels}: ${labels.dims[0]} labels for ${images.dims[0]} images in ${files.images}`);
  }
  return { images, labels };
}

/**
 * Reads an IDX set and returns what goes into the data set. EMNIST stores images transposed (column-major);
 * sets whose name starts with "emnist" are turned back so letters read upright.
 */
export function loadIdxSet(set: IdxSet, classes?: string[]): { meta: Omit<DatasetMeta, 'source' | 'format'>; write(w: DatasetFileWriter): void } {
  const train = loadSplit(set.train);
  const test = set.test ? loadSplit(set.test) : null;
  const [, h, w] = train.images.dims;
  if (test && (test.images.dims[1] !== h || test.images.dims[2] !== w)) {
    throw new DataError(`${set.test!.images}: images are ${test.images.dims[1]}×${test.images.dims[2]}, the train images ${h}×${w}`);
  }
  let maxLabel = 0;
  for (const s of [train, test]) if (s) for (const l of s.labels.data) maxLabel = Math.max(maxLabel, l);
  if (classes && maxLabel >= classes.length) throw new DataError(`${set.train.labels}: label ${maxLabel} but only ${classes.length} classes`);
  const transpose = /^emnist/i.test(basename(set.prefix));
  return {
    meta: {
      channels: 1,
      height: transpose ? w : h,
      width: transpose ? h : w,
      train: train.images.dims[0],
      test: test ? test.images.dims[0] : 0,
      classes: classes ?? Array.from({ length: maxLabel + 1 }, (_, i) => String(i)),
    },
    write(writer) {
      for (const [split, s] of [['train', train], ['test', test]] as [Split, LoadedIdxSplit | null][]) {
        if (!s) continue;
        writer.labels[split].set(s.labels.data);
        if (!transpose) {
          writer.appendImages(split, s.images.data);
          continue;
        }
        const plane = h * w;
        const t = new Uint8Array(plane);
        for (let n = 0; n < s.images.dims[0]; n++) {
          const img = s.images.data.subarray(n * plane, (n + 1) * plane);
          for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t[x * h + y] = img[y * w + x];
          writer.appendImages(split, t);
        }
      }
    },
  };
}
