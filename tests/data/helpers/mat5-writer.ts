// Writes MATLAB 5 MAT-files as MATLAB does for -v7 (each variable in a zlib-compressed element), for tests.
// Checked against scipy.io.loadmat while it was written; the reader's test also reads a file scipy wrote.
import { deflateSync } from 'node:zlib';

export interface MatVar {
  name: string;
  /** mx class: 6 double, 9 uint8, ... */
  classId: number;
  dims: number[];
  /** mi storage type of the data: 2 uint8, 9 double, ... (MATLAB stores small-valued doubles as uint8). */
  dataType: number;
  /** Column-major data, already encoded in dataType. */
  data: Uint8Array;
}

const pad8 = (n: number) => (8 - (n % 8)) % 8;

function element(type: number, data: Uint8Array): Buffer {
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(type, 0);
  tag.writeUInt32LE(data.length, 4);
  return Buffer.concat([tag, data, Buffer.alloc(pad8(data.length))]);
}

export function matrixElement(v: MatVar): Buffer {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(v.classId, 0);
  const dims = Buffer.alloc(4 * v.dims.length);
  v.dims.forEach((d, i) => dims.writeInt32LE(d, 4 * i));
  const body = Buffer.concat([element(6, flags), element(5, dims), element(1, Buffer.from(v.name, 'latin1')), element(v.dataType, v.data)]);
  return element(14, body);
}

export function matHeader(text = 'MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Sat Nov 21 13:00:00 2026'): Buffer {
  const head = Buffer.alloc(128, 0x20);
  head.write(text, 0, 'latin1');
  head.fill(0, 116, 124); // subsystem data offset: none
  head.writeUInt16LE(0x0100, 124);
  head.write('IM', 126, 'latin1');
  return head;
}

export function writeMat(vars: MatVar[], opts: { compress?: boolean } = {}): Buffer {
  const parts: Buffer[] = [matHeader()];
  for (const v of vars) {
    const m = matrixElement(v);
    if (opts.compress === false) {
      parts.push(m);
      continue;
    }
    const z = deflateSync(m);
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(z.length, 4);
    parts.push(tag, z);
  }
  return Buffer.concat(parts);
}

/** SVHN-shaped variables: X uint8 [32, 32, 3, N] from NCHW images, y double [N, 1] stored as uint8. */
export function svhnVars(imagesNCHW: Uint8Array, labels: number[], side = 32): MatVar[] {
  const n = labels.length;
  const plane = side * side;
  const x = new Uint8Array(n * 3 * plane);
  // Column-major X[r, c, ch, k] at r + side*c + plane*ch + 3*plane*k.
  for (let k = 0; k < n; k++)
    for (let ch = 0; ch < 3; ch++)
      for (let r = 0; r < side; r++)
        for (let c = 0; c < side; c++) x[r + side * c + plane * ch + 3 * plane * k] = imagesNCHW[((k * 3 + ch) * side + r) * side + c];
  return [
    { name: 'X', classId: 9, dims: [side, side, 3, n], dataType: 2, data: x },
    { name: 'y', classId: 6, dims: [n, 1], dataType: 2, data: Uint8Array.from(labels) },
  ];
}
