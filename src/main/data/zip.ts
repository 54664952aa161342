// Extracting a ZIP archive (CelebA's img_align_celeba.zip: 202,599 entries, so ZIP64 counts), stored or
// deflated entries, each checked against its CRC-32. Entries are small files; each is inflated in one go.
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { DataError } from './errors.ts';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

function readAt(fd: number, length: number, position: number, file: string): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new DataError(`${file}: truncated ZIP archive (wanted ${length} bytes at ${position})`);
    done += n;
  }
  return buf;
}

export function listZip(fd: number, file: string): ZipEntry[] {
  const size = fstatSync(fd).size;
  const tailLen = Math.min(size, 65535 + 22);
  const tail = readAt(fd, tailLen, size - tailLen, file);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new DataError(`${file}: not a ZIP archive, or truncated (no end-of-central-directory record)`);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAt = size - tailLen + eocd - 20;
    const loc = locAt >= 0 ? readAt(fd, 20, locAt, file) : null;
    if (!loc || loc.readUInt32LE(0) !== 0x07064b50) throw new DataError(`${file}: ZIP64 archive without a ZIP64 locator`);
    const rec = readAt(fd, 56, Number(loc.readBigUInt64LE(8)), file);
    if (rec.readUInt32LE(0) !== 0x06064b50) throw new DataError(`${file}: bad ZIP64 end-of-central-directory record`);
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > size) throw new DataError(`${file}: truncated ZIP archive (central directory past the end)`);
  const cd = readAt(fd, cdSize, cdOffset, file);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new DataError(`${file}: corrupt ZIP central directory (entry ${i})`);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const e: ZipEntry = {
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    };
    // ZIP64 extra field: the 64-bit values, in this order, for the fields that read 0xFFFFFFFF.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        if (e.size === 0xffffffff) (e.size = Number(cd.readBigUInt64LE(q))), (q += 8);
        if (e.compressedSize === 0xffffffff) (e.compressedSize = Number(cd.readBigUInt64LE(q))), (q += 8);
        if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = Number(cd.readBigUInt64LE(q));
      }
      x += 4 + len;
    }
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Extracts every file of `zipFile` under `destDir`; returns the number of files written. */
export function extractZip(zipFile: string, destDir: string, onProgress?: (done: number, total: number) => void): number {
  const fd = openSync(zipFile, 'r');
  try {
    const entries = listZip(fd, zipFile);
    const root = normalize(destDir + sep);
    let written = 0;
    entries.forEach((e, i) => {
      const target = normalize(join(destDir, e.name));
      if (!target.startsWith(root)) throw new DataError(`${zipFile}: entry '${e.name}' points outside the folder`);
      if (e.name.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        return;
      }
      const local = readAt(fd, 30, e.localHeaderOffset, zipFile);
      if (local.readUInt32LE(0) !== 0x04034b50) throw new DataError(`${zipFile}: corrupt local header for '${e.name}'`);
      const dataAt = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const raw = readAt(fd, e.compressedSize, dataAt, zipFile);
      let data: Buffer;
      if (e.method === 0) data = raw;
      else if (e.method === 8) {
        try {
          data = inflateRawSync(raw);
        } catch (err) {
          throw new DataError(`${zipFile}: corrupt data in '${e.name}' (${(err as Error).message})`);
        }
      } else throw new DataError(`${zipFile}: '${e.name}' uses compression method ${e.method} (only stored and deflate are supported)`);
      if (data.length !== e.size || crc32(data) !== e.crc) throw new DataError(`${zipFile}: '${e.name}' fails its CRC check (corrupt archive)`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
      written++;
      if (onProgress && (i % 1000 === 999 || i === entries.length - 1)) onProgress(i + 1, entries.length);
    });
    return written;
  } finally {
    closeSync(fd);
  }
}
