// CelebA (aligned and cropped): img_align_celeba/*.jpg (178×218), optional list_eval_partition.txt
// (0 train, 1 validation, 2 test) and list_attr_celeba.txt (40 attributes, -1/1). Each image is centre-cropped
// to 178×178 and resized to size×size, the usual preparation for 64×64 VAEs.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { probeImage } from '../images/load.ts';
import { DataError } from './errors.ts';
import type { DatasetFileWriter, DatasetMeta } from './format.ts';
import { IMAGE_EXTENSIONS, writeImages, type ImageItem } from './imageset.ts';

export interface CelebaOptions {
  size?: number;
  channels?: 1 | 3;
  /** Side of the centre crop before resizing (default 178). */
  crop?: number;
  /** Test share when there is no list_eval_partition.txt (default 0.1: the last tenth by file name). */
  testFraction?: number;
  onProgress?: (done: number, total: number) => void;
}

function findList(dirs: string[], name: string): string | null {
  for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  return null;
}

function readPartition(file: string): Map<string, number> {
  const map = new Map<string, number>();
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim()) return;
      const m = /^(\S+)\s+([012])\s*$/.exec(line);
      if (!m) throw new DataError(`${file}: line ${i + 1} is not 'IMAGE 0|1|2': '${line.slice(0, 60)}'`);
      map.set(m[1], Number(m[2]));
    });
  return map;
}

function readAttributes(file: string): { names: string[]; rows: Map<string, Int8Array> } {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim());
  if (lines.length < 2) throw new DataError(`${file}: expected a count line and an attribute-name line`);
  const count = Number(lines[0].trim());
  const names = lines[1].trim().split(/\s+/);
  if (!Number.isInteger(count) || count !== lines.length - 2) throw new DataError(`${file}: the first line says ${lines[0].trim()} images, the file lists ${lines.length - 2}`);
  const rows = new Map<string, Int8Array>();
  for (let i = 2; i < lines.length; i++) {
    const parts = lines[i].trim().split(/\s+/);
    if (parts.length !== names.length + 1) throw new DataError(`${file}: line ${i + 1} has ${parts.length - 1} values for ${names.length} attributes`);
    const row = new Int8Array(names.length);
    for (let j = 0; j < names.length; j++) {
      const v = Number(parts[j + 1]);
      if (v !== 1 && v !== -1) throw new DataError(`${file}: line ${i + 1}: ${names[j]} is '${parts[j + 1]}', expected -1 or 1`);
      row[j] = v;
    }
    rows.set(parts[0], row);
  }
  return { names, rows };
}

export async function importCeleba(path: string, open: (meta: DatasetMeta) => DatasetFileWriter, opts: CelebaOptions = {}): Promise<void> {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new DataError(`${path}: not a folder (give the img_align_celeba folder or the one holding it)`);
  const imgDir = existsSync(join(path, 'img_align_celeba')) ? join(path, 'img_align_celeba') : path;
  const listDirs = [imgDir, dirname(imgDir)];
  const names = readdirSync(imgDir).filter((n) => IMAGE_EXTENSIONS.test(n)).sort();
  if (names.length === 0) throw new DataError(`${imgDir}: no images (.jpg, .png, .webp) in this folder`);
  const size = opts.size ?? 64;
  const crop = opts.crop ?? 178;
  const channels = opts.channels ?? 3;

  const partitionFile = findList(listDirs, 'list_eval_partition.txt');
  let testNames: Set<string>;
  let splitNote: string;
  if (partitionFile) {
    const partition = readPartition(partitionFile);
    for (const n of names) if (!partition.has(n)) throw new DataError(`${join(imgDir, n)}: not listed in ${partitionFile}`);
    if (partition.size !== names.length) {
      const missing = [...partition.keys()].find((n) => !names.includes(n));
      throw new DataError(`${partitionFile} lists ${partition.size} images, ${imgDir} holds ${names.length} (missing e.g. ${missing})`);
    }
    testNames = new Set(names.filter((n) => partition.get(n) === 2));
    splitNote = 'split from list_eval_partition.txt (train + validation = train, test = test)';
  } else {
    const f = opts.testFraction ?? 0.1;
    const nTest = Math.round(names.length * f);
    testNames = new Set(names.slice(names.length - nTest));
    splitNote = `no list_eval_partition.txt: the last ${nTest} images by name are test`;
  }
  const attrFile = findList(listDirs, 'list_attr_celeba.txt');
  const attrs = attrFile ? readAttributes(attrFile) : null;
  if (attrs) for (const n of names) if (!attrs.rows.has(n)) throw new DataError(`${join(imgDir, n)}: no attributes in ${attrFile}`);

  // Sizes first, from headers only: an odd-sized image fails the import before any decoding.
  const items: ImageItem[] = [];
  const crops = new Map<string, { left: number; top: number; width: number; height: number }>();
  for (const n of names) {
    const file = join(imgDir, n);
    const p = await probeImage(file);
    if (p.width < crop || p.height < crop) throw new DataError(`${file}: ${p.width}×${p.height} is smaller than the ${crop}×${crop} centre crop (odd-sized image)`);
    crops.set(file, { left: Math.floor((p.width - crop) / 2), top: Math.floor((p.height - crop) / 2), width: crop, height: crop });
  }
  for (const n of names) if (!testNames.has(n)) items.push({ file: join(imgDir, n), split: 'train', label: -1 });
  for (const n of names) if (testNames.has(n)) items.push({ file: join(imgDir, n), split: 'test', label: -1 });

  const writer = open({
    format: 'celeba',
    channels,
    height: size,
    width: size,
    train: items.length - testNames.size,
    test: testNames.size,
    classes: null,
    attributes: attrs?.names ?? null,
    source: `CelebA ${basename(imgDir)}: centre crop ${crop}×${crop}, resized to ${size}×${size}; ${splitNote}`,
  });
  if (attrs && writer.attributes) {
    const a = attrs.names.length;
    const at = { train: 0, test: 0 };
    for (const it of items) writer.attributes[it.split].set(attrs.rows.get(basename(it.file))!, a * at[it.split]++);
  }
  // Each image gets its own crop, so decode them one spec per file.
  await writeImagesWithCrops(writer, items, size, channels, crops, opts.onProgress);
}

async function writeImagesWithCrops(
  writer: DatasetFileWriter,
  items: ImageItem[],
  size: number,
  channels: 1 | 3,
  crops: Map<string, { left: number; top: number; width: number; height: number }>,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  // Most CelebA images share one size, so group runs by crop to reuse writeImages' pipelining.
  let start = 0;
  let done = 0;
  const key = (f: string) => JSON.stringify(crops.get(f));
  while (start < items.length) {
    let end = start + 1;
    while (end < items.length && key(items[end].file) === key(items[start].file)) end++;
    const base = done;
    await writeImages(writer, items.slice(start, end), { size: { width: size, height: size }, channels, crop: crops.get(items[start].file) }, (d) =>
      onProgress?.(base + d, items.length),
    );
    done += end - start;
    start = end;
  }
}
