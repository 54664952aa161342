// Reading a .lld file for training: random batches, synchronously, on the training thread.
// Small splits are read into memory once; large ones (CelebA: 202,599 × 12,288 bytes) are read image by image
// with positioned reads, so they never sit in the JS heap.
import { closeSync, openSync, readSync } from 'node:fs';
import { DataError } from './errors.ts';
import { readHeader, type DatasetHeader, type DatasetMeta, type Split } from './format.ts';

/** Splits with at most this many pixel bytes are held in memory. */
export const IN_MEMORY_LIMIT = 256 * 1024 * 1024;

export interface DatasetInfo extends Omit<DatasetMeta, 'attributes'> {
  name: string;
  createdAt: string;
  /** Per-image binary attribute names (CelebA), if any. */
  attributes?: string[] | null;
  /** Shipped with Latent Lab (mnist, fashion-mnist). */
  builtin?: boolean;
  /** False for a built-in that has not been used yet (it registers on first open). */
  registered?: boolean;
  /** Size of the data set file in bytes, once registered. */
  bytes?: number;
}

export interface DatasetReader {
  readonly info: DatasetInfo;
  count(split: Split): number;
  /** images indices[i] of the split as float32 in [0, 1], written NCHW into out (length indices.length*C*H*W) */
  readImages(split: Split, indices: ArrayLike<number>, out: Float32Array): void;
  readLabels(split: Split, indices: ArrayLike<number>): Int32Array; // -1 where unlabelled
  close(): void;
}

/** 0..255 -> [0, 1], the same float32 for a byte every time. */
const TO_UNIT = new Float32Array(256).map((_, i) => i / 255);

export class LldReader implements DatasetReader {
  readonly info: DatasetInfo;
  readonly header: DatasetHeader;
  readonly chw: number;
  private fd: number;
  private readonly pixels: Record<Split, Uint8Array | null> = { train: null, test: null };
  private readonly labels: Record<Split, Int32Array>;
  private readonly scratch: Buffer;

  constructor(
    readonly path: string,
    name: string,
    opts: { inMemoryLimit?: number; info?: Partial<DatasetInfo> } = {},
  ) {
    this.fd = openSync(path, 'r');
    try {
      this.header = readHeader(this.fd, path);
      const h = this.header;
      this.chw = h.channels * h.height * h.width;
      this.info = {
        name,
        format: h.format,
        channels: h.channels,
        height: h.height,
        width: h.width,
        train: h.train,
        test: h.test,
        classes: h.classes,
        source: h.source,
        createdAt: h.createdAt,
        attributes: h.attributes,
        ...opts.info,
      };
      const limit = opts.inMemoryLimit ?? IN_MEMORY_LIMIT;
      for (const split of ['train', 'test'] as const) {
        const sec = h.sections[split === 'train' ? 'trainImages' : 'testImages'];
        if (sec.bytes <= limit) this.pixels[split] = this.readSection(sec.offset, sec.bytes);
      }
      const lab = (s: string) => {
        const sec = h.sections[s];
        const bytes = this.readSection(sec.offset, sec.bytes);
        return new Int32Array(bytes.buffer, bytes.byteOffset, sec.bytes / 4);
      };
      this.labels = { train: lab('trainLabels'), test: lab('testLabels') };
      this.scratch = Buffer.alloc(this.chw);
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  private readSection(offset: number, bytes: number): Uint8Array {
    // A fresh ArrayBuffer (not Buffer's pool) so Int32Array views are aligned.
    const out = new Uint8Array(bytes);
    let done = 0;
    while (done < bytes) {
      const n = readSync(this.fd, out, done, Math.min(bytes - done, 1 << 30), offset + done);
      if (n === 0) throw new DataError(`${this.path}: truncated while reading`);
      done += n;
    }
    return out;
  }

  count(split: Split): number {
    return split === 'train' ? this.info.train : this.info.test;
  }

  inMemory(split: Split): boolean {
    return this.pixels[split] !== null;
  }

  private check(split: Split, indices: ArrayLike<number>): void {
    if (this.fd < 0) throw new Error(`data set '${this.info.name}' is closed`);
    if (split !== 'train' && split !== 'test') throw new Error(`unknown split '${String(split)}' (train or test)`);
    const n = this.count(split);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i];
      if (!(k >= 0 && k < n && Number.isInteger(k))) throw new RangeError(`data set '${this.info.name}': ${split} index ${k} out of range [0, ${n})`);
    }
  }

  /** Raw bytes of images indices[i], [n, C, H, W], into out. */
  readImagesU8(split: Split, indices: ArrayLike<number>, out: Uint8Array): void {
    this.check(split, indices);
    const chw = this.chw;
    if (out.length < indices.length * chw) throw new RangeError(`readImagesU8: out holds ${out.length} bytes, ${indices.length * chw} needed`);
    const mem = this.pixels[split];
    if (mem) {
      for (let i = 0; i < indices.length; i++) out.set(mem.subarray(indices[i] * chw, (indices[i] + 1) * chw), i * chw);
      return;
    }
    const base = this.header.sections[split === 'train' ? 'trainImages' : 'testImages'].offset;
    for (let i = 0; i < indices.length; i++) {
      const n = readSync(this.fd, out, i * chw, chw, base + indices[i] * chw);
      if (n !== chw) throw new DataError(`${this.path}: truncated at ${split} image ${indices[i]}`);
    }
  }

  readImages(split: Split, indices: ArrayLike<number>, out: Float32Array): void {
    this.check(split, indices);
    const chw = this.chw;
    if (out.length < indices.length * chw) throw new RangeError(`readImages: out holds ${out.length} floats, ${indices.length} images × ${chw} needed`);
    const mem = this.pixels[split];
    const base = this.header.sections[split === 'train' ? 'trainImages' : 'testImages'].offset;
    for (let i = 0; i < indices.length; i++) {
      let src: Uint8Array;
      let at: number;
      if (mem) {
        src = mem;
        at = indices[i] * chw;
      } else {
        const n = readSync(this.fd, this.scratch, 0, chw, base + indices[i] * chw);
        if (n !== chw) throw new DataError(`${this.path}: truncated at ${split} image ${indices[i]}`);
        src = this.scratch;
        at = 0;
      }
      const o = i * chw;
      for (let j = 0; j < chw; j++) out[o + j] = TO_UNIT[src[at + j]];
    }
  }

  readLabels(split: Split, indices: ArrayLike<number>): Int32Array {
    this.check(split, indices);
    const all = this.labels[split];
    const out = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = all[indices[i]];
    return out;
  }

  /** Attribute values (-1/1) of images indices[i], [n, A]; null when the data set has none. */
  readAttributes(split: Split, indices: ArrayLike<number>): Int8Array | null {
    const names = this.header.attributes;
    if (!names || names.length === 0) return null;
    this.check(split, indices);
    const a = names.length;
    const sec = this.header.sections[split === 'train' ? 'trainAttributes' : 'testAttributes'];
    const out = new Int8Array(indices.length * a);
    const row = new Uint8Array(out.buffer);
    for (let i = 0; i < indices.length; i++) readSync(this.fd, row, i * a, a, sec.offset + indices[i] * a);
    return out;
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
      this.pixels.train = this.pixels.test = null;
    }
  }
}
