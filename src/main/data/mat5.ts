// A reader for the subset of MATLAB 5 MAT-files (also what MATLAB's -v6/-v7 write) that data sets use:
// numeric arrays, each possibly in a zlib-compressed element, streamed so a 225 MB array never sits in memory whole.
//
// File: 128-byte header (text, subsystem offset, version 0x0100, endian 'IM' = little-endian), then elements
// [u32 type, u32 bytes, data, padding to 8]. miCOMPRESSED (15) holds one zlib'd element; miMATRIX (14) holds
// sub-elements: array flags (class), dimensions, name, real part (stored in any numeric type, e.g. a double
// array stored as uint8), and an imaginary part when complex. Data is column-major.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createInflate } from 'node:zlib';
import { DataError } from './errors.ts';

export const mi = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16 } as const;
export const mx = { CELL: 1, STRUCT: 2, OBJECT: 3, CHAR: 4, SPARSE: 5, DOUBLE: 6, SINGLE: 7, INT8: 8, UINT8: 9, INT16: 10, UINT16: 11, INT32: 12, UINT32: 13, INT64: 14, UINT64: 15 } as const;

const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };
const MX_NAME: Record<number, string> = Object.fromEntries(Object.entries(mx).map(([k, v]) => [v, k.toLowerCase()]));

/** Pulls exact byte counts out of an async stream of chunks. */
export class ByteStream {
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;
  /** Bytes taken so far. */
  pos = 0;

  constructor(
    private readonly it: AsyncIterator<Buffer> | Iterator<Buffer>,
    private readonly what: string,
  ) {}

  private async fill(n: number): Promise<void> {
    while (this.have < n && !this.ended) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.it.next();
      } catch (e) {
        throw new DataError(`${this.what}: corrupt compressed data (${(e as Error).message})`);
      }
      if (r.done) this.ended = true;
      else {
        this.chunks.push(r.value);
        this.have += r.value.length;
      }
    }
  }

  private take(n: number): Buffer {
    let out: Buffer;
    if (this.chunks[0].length >= n) {
      out = this.chunks[0].subarray(0, n);
      this.chunks[0] = this.chunks[0].subarray(n);
      if (this.chunks[0].length === 0) this.chunks.shift();
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - at);
        c.copy(out, at, 0, k);
        at += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.have -= n;
    this.pos += n;
    return out;
  }

  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    if (this.have < n) throw new DataError(`${this.what}: truncated (needed ${n} more bytes at byte ${this.pos}, found ${this.have})`);
    return this.take(n);
  }

  /** Passes the next n bytes to fn, in pieces as they arrive. */
  async pump(n: number, fn: (chunk: Buffer) => void): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.have === 0) await this.fill(1);
      if (this.have === 0) throw new DataError(`${this.what}: truncated (${left} bytes missing at byte ${this.pos})`);
      const c = this.take(Math.min(left, this.chunks[0].length));
      left -= c.length;
      fn(c);
    }
  }

  async skip(n: number): Promise<void> {
    await this.pump(n, () => {});
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

export interface MatArrayHeader {
  name: string;
  classId: number;
  className: string;
  complex: boolean;
  dims: number[];
  /** Storage type of the real part (mi*), known once the data is reached. */
  dataType: number;
  dataBytes: number;
}

interface Tag {
  type: number;
  bytes: number;
  /** Small data element: the data sits in the tag's second word. */
  small: Buffer | null;
}

async function readTag(s: ByteStream): Promise<Tag> {
  const b = await s.read(8);
  const first = b.readUInt32LE(0);
  if (first >>> 16 !== 0) return { type: first & 0xffff, bytes: first >>> 16, small: b.subarray(4, 4 + (first >>> 16)) };
  return { type: first, bytes: b.readUInt32LE(4), small: null };
}

const pad8 = (n: number) => (8 - (n % 8)) % 8;

async function readSmallOrPadded(s: ByteStream, tag: Tag): Promise<Buffer> {
  if (tag.small) return tag.small;
  const data = await s.read(tag.bytes);
  await s.skip(pad8(tag.bytes));
  return data;
}

/**
 * Reads an miMATRIX element's header from s (positioned at its tag) and leaves s at the real part's data.
 * Returns null for arrays that are not plain numeric (cells, structs, chars, sparse), after skipping them.
 */
async function readMatrixHeader(s: ByteStream, what: string): Promise<{ header: MatArrayHeader; small: Buffer | null } | { skipped: string }> {
  const tag = await readTag(s);
  if (tag.type !== mi.MATRIX) throw new DataError(`${what}: expected a matrix element, found element type ${tag.type}`);
  if (tag.bytes === 0) return { skipped: '(empty)' };
  const start = s.pos;
  const end = start + tag.bytes;
  const flagsTag = await readTag(s);
  const flags = await readSmallOrPadded(s, flagsTag);
  if (flagsTag.type !== mi.UINT32 || flags.length < 8) throw new DataError(`${what}: bad array flags`);
  const classId = flags[0];
  const complex = (flags[1] & 0x08) !== 0;
  const dimsTag = await readTag(s);
  const dimsData = await readSmallOrPadded(s, dimsTag);
  if (dimsTag.type !== mi.INT32 || dimsData.length % 4 !== 0 || dimsData.length < 8) throw new DataError(`${what}: bad dimensions`);
  const dims: number[] = [];
  for (let i = 0; i < dimsData.length; i += 4) {
    const d = dimsData.readInt32LE(i);
    if (d < 0) throw new DataError(`${what}: negative dimension ${d}`);
    dims.push(d);
  }
  const nameTag = await readTag(s);
  const name = (await readSmallOrPadded(s, nameTag)).toString('latin1');
  if (!(classId >= mx.DOUBLE && classId <= mx.UINT64)) {
    await s.skip(end - s.pos);
    return { skipped: name };
  }
  const dataTag = await readTag(s);
  if (!(dataTag.type in MI_SIZE)) throw new DataError(`${what}: variable '${name}' has data of unknown type ${dataTag.type}`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (dataTag.bytes !== count * MI_SIZE[dataTag.type]) {
    throw new DataError(`${what}: variable '${name}' (${dims.join('×')}) holds ${dataTag.bytes} data bytes, expected ${count * MI_SIZE[dataTag.type]}`);
  }
  const header: MatArrayHeader = { name, classId, className: MX_NAME[classId], complex, dims, dataType: dataTag.type, dataBytes: dataTag.bytes };
  return { header, small: dataTag.small };
}

export interface MatElementRef {
  offset: number;
  compressed: boolean;
  bytes: number;
}

function checkHeader(fd: number, file: string): { size: number } {
  const size = fstatSync(fd).size;
  const head = Buffer.alloc(128);
  const n = readSync(fd, head, 0, 128, 0);
  const text = head.toString('latin1', 0, 116);
  if (n < 128) throw new DataError(`${file}: not a MAT-file (only ${n} bytes)`);
  if (text.startsWith('MATLAB 7.3 MAT-file')) throw new DataError(`${file}: MATLAB 7.3 (HDF5) MAT-files are not supported; save it with -v7`);
  if (!text.startsWith('MATLAB 5.0 MAT-file')) throw new DataError(`${file}: not a MATLAB 5 MAT-file (header does not start with 'MATLAB 5.0 MAT-file')`);
  const endian = head.toString('latin1', 126, 128);
  if (endian === 'MI') throw new DataError(`${file}: big-endian MAT-files are not supported`);
  if (endian !== 'IM') throw new DataError(`${file}: bad MAT-file endian indicator '${endian}'`);
  if (head.readUInt16LE(124) !== 0x0100) throw new DataError(`${file}: unknown MAT-file version 0x${head.readUInt16LE(124).toString(16)}`);
  return { size };
}

/** The top-level elements of a MAT-file: where each is and whether it is compressed. */
export function listMatElements(file: string): MatElementRef[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new DataError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const { size } = checkHeader(fd, file);
    const refs: MatElementRef[] = [];
    const tag = Buffer.alloc(8);
    let pos = 128;
    while (pos < size) {
      if (size - pos < 8) throw new DataError(`${file}: truncated (${size - pos} stray bytes at the end)`);
      readSync(fd, tag, 0, 8, pos);
      const type = tag.readUInt32LE(0);
      const bytes = tag.readUInt32LE(4);
      if (type !== mi.COMPRESSED && type !== mi.MATRIX) throw new DataError(`${file}: unexpected top-level element type ${type} at byte ${pos}`);
      if (pos + 8 + bytes > size) throw new DataError(`${file}: truncated: the element at byte ${pos} needs ${bytes} bytes, the file ends after ${size - pos - 8}`);
      refs.push({ offset: pos, compressed: type === mi.COMPRESSED, bytes });
      pos += 8 + bytes + (type === mi.COMPRESSED ? 0 : pad8(bytes));
    }
    return refs;
  } finally {
    closeSync(fd);
  }
}

function elementStream(file: string, ref: MatElementRef): ByteStream {
  // Compressed: the zlib stream after the tag inflates to a whole element (tag included). Uncompressed: the element itself.
  const raw = ref.compressed
    ? createReadStream(file, { start: ref.offset + 8, end: ref.offset + 8 + ref.bytes - 1, highWaterMark: 1 << 20 })
    : createReadStream(file, { start: ref.offset, end: ref.offset + 8 + ref.bytes - 1, highWaterMark: 1 << 20 });
  const source = ref.compressed ? raw.pipe(createInflate({ chunkSize: 1 << 20 })) : raw;
  if (ref.compressed) raw.on('error', (e) => source.destroy(e));
  return new ByteStream(source[Symbol.asyncIterator]() as AsyncIterator<Buffer>, `${file} (element at byte ${ref.offset})`);
}

/** Headers of the numeric arrays in a MAT-file (name, class, dims), without reading their data. */
export async function scanMat(file: string): Promise<MatArrayHeader[]> {
  const out: MatArrayHeader[] = [];
  for (const ref of listMatElements(file)) {
    const s = elementStream(file, ref);
    try {
      const r = await readMatrixHeader(s, `${file} (element at byte ${ref.offset})`);
      if ('header' in r) out.push(r.header);
    } finally {
      await s.close();
    }
  }
  return out;
}

/**
 * Streams the real part of numeric variable `name`: `consume` gets the header and pumps `header.dataBytes`
 * bytes from the stream (data in the stored type, column-major).
 */
export async function readMatVariable(file: string, name: string, consume: (header: MatArrayHeader, s: ByteStream) => Promise<void>): Promise<void> {
  for (const ref of listMatElements(file)) {
    const s = elementStream(file, ref);
    try {
      const what = `${file} (variable '${name}')`;
      const r = await readMatrixHeader(s, what);
      if (!('header' in r) || r.header.name !== name) continue;
      // Up to 4 bytes of data sit in the tag itself (a "small data element").
      const src = r.small ? new ByteStream([r.small][Symbol.iterator](), what) : s;
      const before = src.pos;
      await consume(r.header, src);
      if (src.pos - before !== r.header.dataBytes) throw new Error(`readMatVariable: consumer took ${s.pos - before} of ${r.header.dataBytes} bytes`);
      return;
    } finally {
      await s.close();
    }
  }
  throw new DataError(`${file}: no numeric variable '${name}'`);
}

/** Reads a whole (small) numeric variable as float64 values, column-major. */
export async function readMatNumbers(file: string, name: string): Promise<{ header: MatArrayHeader; values: Float64Array }> {
  let result: { header: MatArrayHeader; values: Float64Array } | null = null;
  await readMatVariable(file, name, async (header, s) => {
    const b = await s.read(header.dataBytes);
    const n = header.dataBytes / MI_SIZE[header.dataType];
    const values = new Float64Array(n);
    const get: Record<number, (i: number) => number> = {
      [mi.INT8]: (i) => b.readInt8(i),
      [mi.UINT8]: (i) => b[i],
      [mi.INT16]: (i) => b.readInt16LE(i * 2),
      [mi.UINT16]: (i) => b.readUInt16LE(i * 2),
      [mi.INT32]: (i) => b.readInt32LE(i * 4),
      [mi.UINT32]: (i) => b.readUInt32LE(i * 4),
      [mi.SINGLE]: (i) => b.readFloatLE(i * 4),
      [mi.DOUBLE]: (i) => b.readDoubleLE(i * 8),
      [mi.INT64]: (i) => Number(b.readBigInt64LE(i * 8)),
      [mi.UINT64]: (i) => Number(b.readBigUInt64LE(i * 8)),
    };
    for (let i = 0; i < n; i++) values[i] = get[header.dataType](i);
    result = { header, values };
  });
  return result!;
}
