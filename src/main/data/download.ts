// `latent-lab data download NAME`: fetches a data set's files from its usual public place into
// <lab>/downloads/NAME, resuming partial files (.part + HTTP Range), checking each file's MD5, then imports it.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { labHome } from '../paths.ts';
import { FASHION_CLASSES, MNIST_CLASSES } from './builtins.ts';
import { DataError } from './errors.ts';
import { importDataset, type ImportFormat } from './import.ts';
import type { DatasetInfo } from './reader.ts';
import { extractZip } from './zip.ts';

export interface RemoteFile {
  /** File name on disk (and, with a base URL, the last part of its URL). */
  file: string;
  url: string;
  /** Expected MD5 (hex); null skips the check. */
  md5: string | null;
}

export interface DownloadPlan {
  name: string;
  format: ImportFormat;
  files: RemoteFile[];
  classes?: string[];
  /** Turns the downloaded folder into what the importer reads (e.g. unzips); returns the import path. */
  prepare?(dir: string, onProgress?: (done: number, total: number) => void): string;
}

const idxFiles = (base: string, md5: Record<string, string>): RemoteFile[] =>
  Object.entries(md5).map(([file, sum]) => ({ file, url: joinUrl(base, file), md5: sum }));

function joinUrl(base: string, file: string): string {
  return base.endsWith('/') ? base + file : `${base}/${file}`;
}

// Checksums as published with the data sets (and used by torchvision).
const PLANS: Record<string, (base?: string) => DownloadPlan> = {
  mnist: (base = 'https://ossci-datasets.s3.amazonaws.com/mnist/') => ({
    name: 'mnist',
    format: 'idx',
    classes: MNIST_CLASSES,
    files: idxFiles(base, {
      'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
      't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
      't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
    }),
  }),
  'fashion-mnist': (base = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/') => ({
    name: 'fashion-mnist',
    format: 'idx',
    classes: FASHION_CLASSES,
    files: idxFiles(base, {
      'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
      't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
      't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
    }),
  }),
  svhn: (base = 'http://ufldl.stanford.edu/housenumbers/') => ({
    name: 'svhn',
    format: 'svhn',
    files: idxFiles(base, {
      'train_32x32.mat': 'e26dedcc434d2e4c54c9b2d4a06d8373',
      'test_32x32.mat': 'eb5a983be6a315427106f1b164d9cef3',
    }),
  }),
  celeba: (base?: string) => {
    // The official copies live on Google Drive; confirm=t skips its "too large to scan" page.
    const drive = (id: string) => `https://drive.usercontent.google.com/download?id=${id}&export=download&confirm=t`;
    const files: [string, string, string][] = [
      ['img_align_celeba.zip', '0B7EVK8r0v71pZjFTYXZWM3FlRnM', '00d2c5bc6d35e252742224ab0c1e8fcb'],
      ['list_eval_partition.txt', '0B7EVK8r0v71pY0NSMzRuSXJEVkk', 'd32c9cbf5e040fd4025c592c306e6668'],
      ['list_attr_celeba.txt', '0B7EVK8r0v71pblRyaVFSWGxPY0U', '75e246fa4810816ffd6ee81facbd244c'],
    ];
    return {
      name: 'celeba',
      format: 'celeba',
      files: files.map(([file, id, md5]) => ({ file, url: base ? joinUrl(base, file) : drive(id), md5 })),
      prepare(dir, onProgress) {
        const marker = join(dir, 'img_align_celeba', '.extracted');
        if (!existsSync(marker)) {
          extractZip(join(dir, 'img_align_celeba.zip'), dir, onProgress);
          if (!existsSync(join(dir, 'img_align_celeba'))) throw new DataError(`${join(dir, 'img_align_celeba.zip')}: holds no img_align_celeba folder`);
          writeFileSync(marker, '');
        }
        return dir;
      },
    };
  },
};

export const DOWNLOADABLE = Object.keys(PLANS);

export function downloadPlan(name: string, baseUrl?: string): DownloadPlan {
  const plan = PLANS[name];
  if (!plan) throw new DataError(`no download known for '${name}' (one of ${DOWNLOADABLE.join(', ')})`);
  return plan(baseUrl);
}

export interface DownloadProgress {
  file: string;
  received: number;
  /** Total bytes, when the server says. */
  total: number | null;
  bytesPerSecond: number;
  /** Seconds left at the current rate, when the total is known. */
  etaSeconds: number | null;
  resumedFrom: number;
}

export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function networkError(url: string, e: unknown, during: string): DataError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (e as NodeJS.ErrnoException).code;
  const host = new URL(url).host;
  if (code && OFFLINE_CODES.has(code)) {
    return new DataError(`cannot reach ${host} (${code}) ${during}: are you offline? Partial files are kept; run the same command again to resume`);
  }
  return new DataError(`${url}: ${during} failed (${cause?.message ?? (e as Error).message}); partial files are kept, run again to resume`);
}

/**
 * Downloads one file to `dest` (via dest.part, resumed when present), checks its MD5 and moves it into place.
 * A file already at `dest` with the right checksum is not fetched again.
 */
export async function downloadFile(remote: RemoteFile, dest: string, onProgress?: (p: DownloadProgress) => void): Promise<void> {
  if (existsSync(dest) && (!remote.md5 || (await md5File(dest)) === remote.md5)) return;
  const part = `${dest}.part`;
  let start = existsSync(part) ? statSync(part).size : 0;
  let res: Response;
  try {
    res = await fetch(remote.url, { headers: start > 0 ? { Range: `bytes=${start}-` } : {}, redirect: 'follow' });
  } catch (e) {
    throw networkError(remote.url, e, `downloading ${remote.file}`);
  }
  if (res.status === 416 && start > 0) {
    // The part is already whole (or longer than the file): let the checksum decide.
    await res.body?.cancel();
  } else {
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new DataError(`${remote.url}: HTTP ${res.status} ${res.statusText} while downloading ${remote.file}`);
    }
    if ((res.headers.get('content-type') ?? '').startsWith('text/html') && !remote.file.endsWith('.html')) {
      await res.body?.cancel();
      throw new DataError(`${remote.url}: the server sent a web page instead of ${remote.file} (download quota reached, or a sign-in page); fetch it by hand into ${dest} and run again`);
    }
    let append = res.status === 206;
    if (append) {
      const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== start) append = false;
    }
    if (!append) start = 0; // The server ignored the range: start over.
    const length = Number(res.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? start + length : null;
    let received = start;
    const began = Date.now();
    let lastReport = 0;
    const report = (force = false) => {
      const now = Date.now();
      if (!onProgress || (!force && now - lastReport < 250)) return;
      lastReport = now;
      const rate = ((received - start) * 1000) / Math.max(1, now - began);
      onProgress({ file: remote.file, received, total, bytesPerSecond: rate, etaSeconds: total && rate > 0 ? (total - received) / rate : null, resumedFrom: start });
    };
    // Every chunk goes to disk as it arrives (synchronously), so a broken connection keeps all it delivered.
    const fd = openSync(part, append ? 'a' : 'w');
    try {
      for await (const chunk of Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>)) {
        writeSync(fd, chunk as Uint8Array);
        received += (chunk as Uint8Array).length;
        report();
      }
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
      throw new DataError(`${remote.url}: the download of ${remote.file} broke off after ${received} bytes (${cause}); the partial file is kept, run again to resume`);
    } finally {
      closeSync(fd);
    }
    report(true);
    if (total !== null && received !== total) {
      throw new DataError(`${remote.url}: the connection ended after ${received} of ${total} bytes of ${remote.file}; run again to resume`);
    }
  }
  if (remote.md5) {
    const got = await md5File(part);
    if (got !== remote.md5) {
      rmSync(part, { force: true });
      throw new DataError(`${remote.file}: checksum mismatch (MD5 ${got}, expected ${remote.md5}); the file was deleted, run again to download it anew`);
    }
  }
  renameSync(part, dest);
}

export interface DownloadOptions {
  /** Base URL replacing the public location (a mirror, or a test server): files are fetched from BASE/FILE. */
  baseUrl?: string;
  /** Register under this name instead of the data set's. */
  name?: string;
  home?: string;
  /** Replace the checksums and URLs (tests, mirrors with other packaging). */
  plan?: DownloadPlan;
  onProgress?: (p: DownloadProgress) => void;
  onImportProgress?: (done: number, total: number) => void;
}

/** Downloads a data set's files, then imports and registers it (replacing one of the same name). */
export async function downloadDataset(name: string, opts: DownloadOptions = {}): Promise<DatasetInfo> {
  const plan = opts.plan ?? downloadPlan(name, opts.baseUrl);
  const home = opts.home ?? labHome();
  const dir = join(home, 'downloads', plan.name);
  mkdirSync(dir, { recursive: true });
  for (const f of plan.files) await downloadFile(f, join(dir, f.file), opts.onProgress);
  const path = plan.prepare ? plan.prepare(dir, opts.onImportProgress) : dir;
  return importDataset(plan.format, path, { name: opts.name ?? plan.name, home, replace: true, classes: plan.classes, onProgress: opts.onImportProgress });
}
