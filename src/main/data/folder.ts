// Any folder of PNG/JPEG/WebP images. Class subfolders become labels (sorted by name); images with no class
// folder are unlabelled. A folder holding train/ and test/ gives the split; otherwise every k-th image of each
// class (by name) is held out for test.
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isGreyContent, probeImage } from '../images/load.ts';
import { DataError } from './errors.ts';
import type { DatasetFileWriter, DatasetMeta, Split } from './format.ts';
import { IMAGE_EXTENSIONS, writeImages, type ImageItem } from './imageset.ts';

export interface FolderOptions {
  /** Square side to resize to (centre crop to square first). Default: the images' own size, which must then be shared. */
  size?: number;
  /** 1 (grey) or 3 (RGB). Default: 1 when every image's pixels are grey, else 3. */
  channels?: 1 | 3;
  /** Share held out for test when there are no train/ and test/ folders (default 0.1). */
  testFraction?: number;
  onProgress?: (done: number, total: number) => void;
}

function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && IMAGE_EXTENSIONS.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Class name -> files, for one split's folder. '' holds the images outside any class folder. */
function scanSplit(dir: string): Map<string, string[]> {
  const byClass = new Map<string, string[]>();
  const loose: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const files = listImages(p);
      if (files.length) byClass.set(e.name, files);
    } else if (e.isFile() && IMAGE_EXTENSIONS.test(e.name)) loose.push(p);
  }
  if (byClass.size && loose.length) {
    throw new DataError(`${loose.sort()[0]}: image outside the class folders (${[...byClass.keys()].sort().slice(0, 3).join(', ')}, ...) of ${dir}`);
  }
  if (loose.length) byClass.set('', loose.sort());
  return byClass;
}

export async function importFolder(path: string, open: (meta: DatasetMeta) => DatasetFileWriter, opts: FolderOptions = {}): Promise<void> {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new DataError(`${path}: no such folder`);
  }
  if (!isDir) throw new DataError(`${path}: not a folder`);
  const top = readdirSync(path, { withFileTypes: true });
  const splitDir = (n: string) => top.find((e) => e.isDirectory() && e.name.toLowerCase() === n)?.name;
  const trainDir = splitDir('train');
  const testDir = splitDir('test');
  const scanned: { split: Split | null; byClass: Map<string, string[]> }[] =
    trainDir && testDir
      ? [
          { split: 'train', byClass: scanSplit(join(path, trainDir)) },
          { split: 'test', byClass: scanSplit(join(path, testDir)) },
        ]
      : [{ split: null, byClass: scanSplit(path) }];
  const classNames = [...new Set(scanned.flatMap((s) => [...s.byClass.keys()]))].sort();
  const labelled = classNames.length > 0 && !classNames.includes('');
  if (!labelled && classNames.length > 1) throw new DataError(`${path}: some splits have class folders and some do not`);
  const total = scanned.reduce((a, s) => a + [...s.byClass.values()].reduce((b, f) => b + f.length, 0), 0);
  if (total === 0) throw new DataError(`${path}: no images (.png, .jpg, .jpeg, .webp) in this folder`);

  const items: ImageItem[] = [];
  const f = opts.testFraction ?? 0.1;
  if (!(f >= 0 && f < 1)) throw new DataError(`test fraction must be in [0, 1), got ${f}`);
  for (const { split, byClass } of scanned) {
    for (const cls of classNames) {
      const files = byClass.get(cls) ?? [];
      const label = labelled ? classNames.indexOf(cls) : -1;
      files.forEach((file, i) => {
        // Without split folders: the images where floor((i+1)·f) steps up are test, spread evenly through each class.
        const s: Split = split ?? (Math.floor((i + 1) * f) > Math.floor(i * f) ? 'test' : 'train');
        items.push({ file, split: s, label });
      });
    }
  }
  const ordered = [...items.filter((it) => it.split === 'train'), ...items.filter((it) => it.split === 'test')];

  // Headers first: unreadable files and (without --size) differing sizes fail before any decoding.
  let width = opts.size ?? 0;
  let height = opts.size ?? 0;
  let anyColour = false;
  let first: string | null = null;
  for (const it of ordered) {
    const p = await probeImage(it.file);
    // Once one image is in colour the data set is, so later images skip the look at their pixels.
    if (!opts.channels && !anyColour && p.channels >= 3 && !(await isGreyContent(it.file))) anyColour = true;
    if (opts.size) continue;
    if (first === null) {
      first = it.file;
      width = p.width;
      height = p.height;
    } else if (p.width !== width || p.height !== height) {
      throw new DataError(`${it.file}: ${p.width}×${p.height}, but ${relative(path, first)} is ${width}×${height} (odd-sized image; pass --size N to resize all to N×N)`);
    }
  }
  const channels = opts.channels ?? (anyColour ? 3 : 1);
  const writer = open({
    format: 'folder',
    channels,
    height,
    width,
    train: ordered.filter((it) => it.split === 'train').length,
    test: ordered.filter((it) => it.split === 'test').length,
    classes: labelled ? classNames : null,
    source: `image folder ${basename(path)}${opts.size ? `, resized to ${width}×${height}` : ''}; ${
      trainDir && testDir ? 'split from train/ and test/' : f > 0 ? `${Math.round(f * 100)}% of each class held out for test` : 'no test split'
    }`,
  });
  await writeImages(writer, ordered, { size: { width, height }, channels }, opts.onProgress);
}
