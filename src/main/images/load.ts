// Decoding one image file to a fixed size and channel count, for the importers.
import sharp from 'sharp';
import { DataError } from '../data/errors.ts';

export interface LoadSpec {
  size: { width: number; height: number };
  channels: 1 | 3;
  /** Cut this rectangle out first (CelebA's centre crop). */
  crop?: { left: number; top: number; width: number; height: number };
}

export interface ImageProbe {
  width: number;
  height: number;
  channels: number;
  format: string;
}

/** Reads an image's header: size, channels, format. Unreadable files are errors naming the file. */
export async function probeImage(file: string): Promise<ImageProbe> {
  try {
    const m = await sharp(file).metadata();
    if (!m.width || !m.height) throw new Error('no image size');
    // Orientation 5..8 swaps width and height once applied.
    const swap = (m.orientation ?? 1) >= 5;
    return { width: swap ? m.height : m.width, height: swap ? m.width : m.height, channels: m.channels ?? 3, format: m.format ?? '?' };
  } catch (e) {
    throw new DataError(`${file}: unreadable image (${(e as Error).message})`);
  }
}

/**
 * Whether an image that reports colour channels holds only grey (WebP has no grey mode; many exports save grey
 * digits as RGB). Looks at a small thumbnail; JPEG chroma noise of a couple of levels still counts as grey.
 */
export async function isGreyContent(file: string): Promise<boolean> {
  try {
    const { data, info } = await sharp(file).resize(64, 64, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels < 3) return true;
    for (let i = 0; i < data.length; i += info.channels) {
      if (Math.abs(data[i] - data[i + 1]) > 2 || Math.abs(data[i + 1] - data[i + 2]) > 2) return false;
    }
    return true;
  } catch (e) {
    throw new DataError(`${file}: unreadable image (${(e as Error).message})`);
  }
}

/**
 * Decodes `file` to planar (CHW) uint8 of spec.size, flattening any alpha onto black. Non-square sources are
 * centre-cropped to the target's aspect ratio first ('cover'), never stretched.
 */
export async function loadImageCHW(file: string, spec: LoadSpec, out: Uint8Array, offset = 0): Promise<void> {
  const { width, height } = spec.size;
  let data: Buffer;
  try {
    // failOn 'warning' (sharp's default is 'warning' too; said here because it is what rejects truncated JPEGs).
    let img = sharp(file, { failOn: 'warning' }).autoOrient();
    if (spec.crop) img = img.extract(spec.crop);
    img = img.resize(width, height, { fit: 'cover', position: 'centre', kernel: 'lanczos3' }).flatten({ background: '#000000' });
    img = spec.channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
    const res = await img.raw().toBuffer({ resolveWithObject: true });
    data = res.data;
    if (res.info.width !== width || res.info.height !== height || res.info.channels !== spec.channels) {
      throw new Error(`decoded to ${res.info.width}×${res.info.height}×${res.info.channels}, expected ${width}×${height}×${spec.channels}`);
    }
  } catch (e) {
    throw new DataError(`${file}: unreadable image (${(e as Error).message})`);
  }
  const plane = width * height;
  const c = spec.channels;
  for (let ch = 0; ch < c; ch++) {
    const o = offset + ch * plane;
    for (let p = 0; p < plane; p++) out[o + p] = data[p * c + ch];
  }
}
