// Image grids and PNG round trips through sharp: previews of data sets and of what a model makes.
import sharp from 'sharp';

export interface ImageShape {
  n: number;
  c: number;
  h: number;
  w: number;
}

export interface GridOptions {
  /** Images per row (default: ceil(sqrt(n))). */
  cols?: number;
  /** Pixels between images and around the grid, before scaling (default 2). */
  pad?: number;
  /** Integer upscaling, nearest neighbour, so single pixels stay visible (default 1). */
  scale?: number;
  /** Grey level of the padding, 0..255 (default 128: visible on black MNIST and white backgrounds alike). */
  padValue?: number;
}

/** Lays out images [N, C, H, W] (float32 in [0, 1], clamped) as a grid and encodes it as PNG (grey for C = 1, RGB for C = 3). */
export async function encodeGridPng(images: Float32Array, shape: ImageShape, opts: GridOptions = {}): Promise<Buffer> {
  const { n, c, h, w } = shape;
  if (c !== 1 && c !== 3) throw new Error(`encodeGridPng: images must have 1 or 3 channels, got ${c}`);
  if (n < 1) throw new Error('encodeGridPng: no images');
  if (images.length < n * c * h * w) throw new Error(`encodeGridPng: ${images.length} values for ${n}×${c}×${h}×${w} images`);
  const cols = Math.max(1, Math.min(n, opts.cols ?? Math.ceil(Math.sqrt(n))));
  const rows = Math.ceil(n / cols);
  const pad = opts.pad ?? 2;
  const scale = Math.max(1, Math.round(opts.scale ?? 1));
  const gw = cols * (w + pad) + pad;
  const gh = rows * (h + pad) + pad;
  // Interleaved (HWC) canvas, as PNG wants it.
  const canvas = new Uint8Array(gw * gh * c).fill(opts.padValue ?? 128);
  for (let i = 0; i < n; i++) {
    const x0 = pad + (i % cols) * (w + pad);
    const y0 = pad + Math.floor(i / cols) * (h + pad);
    for (let ch = 0; ch < c; ch++) {
      const plane = (i * c + ch) * h * w;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = images[plane + y * w + x];
          canvas[((y0 + y) * gw + x0 + x) * c + ch] = Math.round(Math.min(1, Math.max(0, v)) * 255);
        }
      }
    }
  }
  let img = sharp(canvas, { raw: { width: gw, height: gh, channels: c as 1 | 3 } });
  if (scale > 1) img = img.resize(gw * scale, gh * scale, { kernel: 'nearest' });
  // Grey stays a one-channel PNG (sharp would otherwise widen it to RGB).
  if (c === 1) img = img.toColourspace('b-w');
  return img.png().toBuffer();
}

export interface DecodedImage {
  width: number;
  height: number;
  channels: number;
  /** Interleaved (HWC) bytes. */
  data: Uint8Array;
}

/** Decodes a PNG (or any image sharp reads) to interleaved bytes, keeping its channel count. */
export async function decodePng(png: Buffer | Uint8Array | string): Promise<DecodedImage> {
  const meta = await sharp(png).metadata();
  // sharp's raw output widens grey to RGB unless told to stay grey.
  const img = (meta.channels ?? 3) <= 2 ? sharp(png).toColourspace('b-w') : sharp(png);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
