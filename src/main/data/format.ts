// The lab's data set file (.lld): uint8 pixels, int32 labels, optional int8 attributes, and a JSON header.
//
//   [0, 64)      preamble: magic "LLDSET01", u32 version, u32 0, u64 header offset, u64 header length (LE)
//   [4096, ...)  sections, each contiguous, in header order:
//                trainImages u8 [train, C, H, W], testImages u8 [test, C, H, W],
//                trainLabels i32 [train], testLabels i32 [test]            (-1 = unlabelled)
//                trainAttributes i8 [train, A], testAttributes i8 [test, A] (only when A > 0)
//   [end]        header JSON (DatasetHeader)
// The header goes last and the preamble's pointer to it is written after everything else, so a file cut short
// anywhere (a crash, a full disk) fails the check on open instead of reading as a smaller data set.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { DataError } from './errors.ts';

export const MAGIC = 'LLDSET01';
export const FORMAT_VERSION = 1;
const PREAMBLE = 64;
const DATA_START = 4096;

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

export interface Section {
  offset: number;
  bytes: number;
}

/** What the importer knows about a data set, before the file exists. */
export interface DatasetMeta {
  format: string;
  channels: number;
  height: number;
  width: number;
  train: number;
  test: number;
  classes: string[] | null;
  /** Names of per-image binary attributes (CelebA's 40), stored as int8 -1/1. */
  attributes?: string[] | null;
  source: string;
}

export interface DatasetHeader extends DatasetMeta {
  version: number;
  attributes: string[] | null;
  createdAt: string;
  sections: Record<string, Section>;
}

export function sectionLayout(meta: DatasetMeta): Record<string, Section> {
  const chw = meta.channels * meta.height * meta.width;
  const nAttr = meta.attributes?.length ?? 0;
  const sizes: [string, number][] = [
    ['trainImages', meta.train * chw],
    ['testImages', meta.test * chw],
    ['trainLabels', meta.train * 4],
    ['testLabels', meta.test * 4],
  ];
  if (nAttr > 0) sizes.push(['trainAttributes', meta.train * nAttr], ['testAttributes', meta.test * nAttr]);
  const sections: Record<string, Section> = {};
  let offset = DATA_START;
  for (const [name, bytes] of sizes) {
    sections[name] = { offset, bytes };
    offset += bytes;
  }
  return sections;
}

export function validateMeta(meta: DatasetMeta, what: string): void {
  const dims = { channels: meta.channels, height: meta.height, width: meta.width, train: meta.train, test: meta.test };
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isSafeInteger(v) || v < 0) throw new DataError(`${what}: ${k} must be a non-negative integer, got ${v}`);
  }
  if (meta.channels !== 1 && meta.channels !== 3) throw new DataError(`${what}: images must have 1 or 3 channels, got ${meta.channels}`);
  if (meta.height < 1 || meta.width < 1) throw new DataError(`${what}: image size ${meta.height}×${meta.width} is empty`);
  if (meta.train + meta.test === 0) throw new DataError(`${what}: the data set has no images`);
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

/**
 * Writes one .lld file. Images are appended per split in order; labels and attributes are kept in memory
 * (4 + A bytes an image) and written by finish(). Synchronous, so the built-ins can register inside openDataset.
 */
export class DatasetFileWriter {
  readonly chw: number;
  private readonly fd: number;
  private readonly sections: Record<string, Section>;
  private readonly written: Record<Split, number> = { train: 0, test: 0 };
  readonly labels: Record<Split, Int32Array>;
  readonly attributes: Record<Split, Int8Array> | null;
  private closed = false;

  constructor(
    readonly path: string,
    readonly meta: DatasetMeta,
  ) {
    validateMeta(meta, path);
    this.chw = meta.channels * meta.height * meta.width;
    this.sections = sectionLayout(meta);
    this.labels = { train: new Int32Array(meta.train).fill(-1), test: new Int32Array(meta.test).fill(-1) };
    const nAttr = meta.attributes?.length ?? 0;
    this.attributes = nAttr > 0 ? { train: new Int8Array(meta.train * nAttr), test: new Int8Array(meta.test * nAttr) } : null;
    this.fd = openSync(path, 'w');
    writeAll(this.fd, new Uint8Array(PREAMBLE), 0);
  }

  count(split: Split): number {
    return split === 'train' ? this.meta.train : this.meta.test;
  }

  writtenCount(split: Split): number {
    return this.written[split];
  }

  /** Appends whole images (uint8, [n, C, H, W]) to `split`. */
  appendImages(split: Split, pixels: Uint8Array): void {
    if (pixels.length % this.chw !== 0) throw new Error(`appendImages: ${pixels.length} bytes is not a whole number of ${this.chw}-byte images`);
    const n = pixels.length / this.chw;
    if (this.written[split] + n > this.count(split)) {
      throw new DataError(`${this.path}: more ${split} images than the ${this.count(split)} announced`);
    }
    const section = this.sections[split === 'train' ? 'trainImages' : 'testImages'];
    writeAll(this.fd, pixels, section.offset + this.written[split] * this.chw);
    this.written[split] += n;
  }

  /** Writes the rest, then the header, then the pointer to it; returns the header. */
  finish(): DatasetHeader {
    for (const split of SPLITS) {
      if (this.written[split] !== this.count(split)) {
        throw new DataError(`${this.path}: ${this.written[split]} ${split} images written, ${this.count(split)} announced`);
      }
    }
    const s = this.sections;
    const asBytes = (a: Int32Array | Int8Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    // Labels are little-endian on disk; every platform Latent Lab runs on is little-endian, checked here once.
    if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('big-endian hosts are not supported');
    writeAll(this.fd, asBytes(this.labels.train), s.trainLabels.offset);
    writeAll(this.fd, asBytes(this.labels.test), s.testLabels.offset);
    if (this.attributes) {
      writeAll(this.fd, asBytes(this.attributes.train), s.trainAttributes.offset);
      writeAll(this.fd, asBytes(this.attributes.test), s.testAttributes.offset);
    }
    let end = DATA_START;
    for (const sec of Object.values(s)) end = Math.max(end, sec.offset + sec.bytes);
    const header: DatasetHeader = {
      version: FORMAT_VERSION,
      format: this.meta.format,
      channels: this.meta.channels,
      height: this.meta.height,
      width: this.meta.width,
      train: this.meta.train,
      test: this.meta.test,
      classes: this.meta.classes,
      attributes: this.meta.attributes ?? null,
      source: this.meta.source,
      createdAt: new Date().toISOString(),
      sections: s,
    };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    writeAll(this.fd, json, end);
    fsyncSync(this.fd);
    const pre = Buffer.alloc(PREAMBLE);
    pre.write(MAGIC, 0, 'latin1');
    pre.writeUInt32LE(FORMAT_VERSION, 8);
    pre.writeBigUInt64LE(BigInt(end), 16);
    pre.writeBigUInt64LE(BigInt(json.length), 24);
    writeAll(this.fd, pre, 0);
    fsyncSync(this.fd);
    this.close();
    return header;
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
  }
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Reads and checks a .lld header from an open file: magic, version, sections inside the file and consistent with the counts. */
export function readHeader(fd: number, path: string): DatasetHeader {
  const size = fstatSync(fd).size;
  const pre = readExactly(fd, PREAMBLE, 0);
  // The writer fills the preamble last: all zeros means an import that never finished.
  if (pre.length === PREAMBLE && pre.every((b) => b === 0)) throw new DataError(`${path}: incomplete data set file (it was never finished)`);
  if (pre.length < PREAMBLE || pre.toString('latin1', 0, 8) !== MAGIC) throw new DataError(`${path}: not a Latent Lab data set file (bad magic)`);
  const version = pre.readUInt32LE(8);
  if (version !== FORMAT_VERSION) throw new DataError(`${path}: data set file version ${version}, this Latent Lab reads version ${FORMAT_VERSION}`);
  const headerOffset = Number(pre.readBigUInt64LE(16));
  const headerLength = Number(pre.readBigUInt64LE(24));
  if (headerOffset === 0 || headerLength === 0) throw new DataError(`${path}: incomplete data set file (it was never finished)`);
  if (headerOffset + headerLength > size) throw new DataError(`${path}: truncated: ${size} bytes, the header says ${headerOffset + headerLength}`);
  let header: DatasetHeader;
  try {
    header = JSON.parse(readExactly(fd, headerLength, headerOffset).toString('utf8')) as DatasetHeader;
  } catch {
    throw new DataError(`${path}: corrupt header`);
  }
  validateMeta(header, path);
  const expected = sectionLayout(header);
  for (const [name, sec] of Object.entries(expected)) {
    const got = header.sections?.[name];
    if (!got || got.offset !== sec.offset || got.bytes !== sec.bytes) throw new DataError(`${path}: section ${name} does not match the header's counts`);
    if (sec.offset + sec.bytes > headerOffset) throw new DataError(`${path}: section ${name} runs past the data`);
  }
  return header;
}
