// Shared by the image importers (CelebA, folders): decoding many files with sharp, a few at a time, writing
// each split in order.
import { availableParallelism } from 'node:os';
import { loadImageCHW, type LoadSpec } from '../images/load.ts';
import type { DatasetFileWriter, Split } from './format.ts';

export const IMAGE_EXTENSIONS = /\.(png|jpe?g|webp)$/i;

export interface ImageItem {
  file: string;
  split: Split;
  label: number;
}

/**
 * Decodes items (already in split order: all train, then all test) and appends them to the writer.
 * Up to `window` decodes run at once (sharp decodes on its own threads); results are written in item order.
 */
export async function writeImages(
  writer: DatasetFileWriter,
  items: ImageItem[],
  spec: LoadSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const window = Math.max(2, availableParallelism() * 2);
  const chw = writer.chw;
  const at = { train: 0, test: 0 };
  const pending: Promise<Uint8Array>[] = [];
  let next = 0;
  const start = () => {
    const item = items[next++];
    const buf = new Uint8Array(chw);
    const decoded = loadImageCHW(item.file, spec, buf).then(() => buf);
    // A later decode may fail while an earlier one is awaited: mark it observed now (awaiting it in order
    // still throws), or Node reports an unhandled rejection.
    decoded.catch(() => {});
    pending.push(decoded);
  };
  while (next < items.length && pending.length < window) start();
  for (let i = 0; i < items.length; i++) {
    let pixels: Uint8Array;
    try {
      pixels = await pending.shift()!;
    } catch (e) {
      // Let the decodes already started settle before the caller deletes the file they would write to.
      await Promise.allSettled(pending);
      throw e;
    }
    const item = items[i];
    writer.labels[item.split][at[item.split]++] = item.label;
    writer.appendImages(item.split, pixels);
    if (next < items.length) start();
    if (onProgress && (i % 256 === 255 || i === items.length - 1)) onProgress(i + 1, items.length);
  }
}
