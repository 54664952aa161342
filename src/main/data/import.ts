// `latent-lab data import FORMAT PATH`: one entry point for every importer. Each importer writes a temporary
// .lld file; only a complete, checked file is registered (see createDataset).
import { basename } from 'node:path';
import { labHome } from '../paths.ts';
import { importCeleba } from './celeba.ts';
import { DataError } from './errors.ts';
import { importFolder } from './folder.ts';
import { findIdxSet, loadIdxSet } from './idx.ts';
import { createDataset, nameFromPath } from './registry.ts';
import type { DatasetInfo } from './reader.ts';
import { importSvhn } from './svhn.ts';

export const IMPORT_FORMATS = ['idx', 'svhn', 'celeba', 'folder'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportOptions {
  name?: string;
  /** celeba, folder: square side of the stored images. */
  size?: number;
  /** celeba, folder: 1 or 3. */
  channels?: 1 | 3;
  /** celeba: side of the centre crop (178). */
  crop?: number;
  /** folder (and celeba without a partition file): test share. */
  testFraction?: number;
  /** idx: class names for the labels 0..K-1 (default '0'..'K-1'). */
  classes?: string[];
  replace?: boolean;
  home?: string;
  onProgress?: (done: number, total: number) => void;
}

function defaultName(format: ImportFormat, path: string): string {
  if (format === 'svhn') return 'svhn';
  if (format === 'celeba') return 'celeba';
  if (format === 'idx') {
    try {
      const prefix = basename(findIdxSet(path).prefix).replace(/[-_.]+$/, '');
      if (prefix) return nameFromPath(prefix);
    } catch {
      // The import itself reports what is wrong with the path.
    }
  }
  return nameFromPath(path);
}

export async function importDataset(format: string, path: string, opts: ImportOptions = {}): Promise<DatasetInfo> {
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) throw new DataError(`unknown import format '${format}' (one of ${IMPORT_FORMATS.join(', ')})`);
  const fmt = format as ImportFormat;
  if ((fmt === 'idx' || fmt === 'svhn') && (opts.size !== undefined || opts.channels !== undefined || opts.crop !== undefined)) {
    throw new DataError(`--size, --channels and --crop apply to celeba and folder imports; ${fmt} images are stored as they are`);
  }
  if (opts.size !== undefined && !(Number.isInteger(opts.size) && opts.size >= 1 && opts.size <= 1024)) throw new DataError(`size must be an integer in 1..1024, got ${opts.size}`);
  if (opts.channels !== undefined && opts.channels !== 1 && opts.channels !== 3) throw new DataError(`channels must be 1 or 3, got ${opts.channels}`);
  const home = opts.home ?? labHome();
  const name = opts.name ?? defaultName(fmt, path);
  return createDataset(
    home,
    name,
    async (open) => {
      switch (fmt) {
        case 'idx': {
          const set = findIdxSet(path);
          const loaded = loadIdxSet(set, opts.classes);
          const files = [set.train.images, set.train.labels, set.test?.images, set.test?.labels].filter(Boolean).map((f) => basename(f!));
          const writer = open({ format: 'idx', source: `IDX files ${files.join(', ')}${/^emnist/i.test(basename(set.prefix)) ? ' (EMNIST, transposed upright)' : ''}`, ...loaded.meta });
          loaded.write(writer);
          return;
        }
        case 'svhn':
          return importSvhn(path, open, opts.onProgress);
        case 'celeba':
          return importCeleba(path, open, opts);
        case 'folder':
          return importFolder(path, open, opts);
      }
    },
    { replace: opts.replace },
  );
}
