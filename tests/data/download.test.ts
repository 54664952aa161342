// The downloader against a local HTTP server on 127.0.0.1 serving files the test writes: resume after a broken
// connection, checksums, progress, offline, HTTP errors, and the CelebA zip path. Nothing leaves the machine.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadDataset, downloadPlan, listDatasets, openDataset, type DownloadProgress } from '../../src/main/data/index.ts';
import type { LldReader } from '../../src/main/data/reader.ts';
import { idx } from './helpers/idx-writer.ts';
import { runCli, tempLab } from './helpers/lab.ts';
import { writeZip } from './helpers/zip-writer.ts';

interface Served {
  body: Buffer;
  /** Break the connection after this many bytes, on the first request only. */
  breakAfter?: number;
  type?: string;
}

let server: Server;
let base: string;
const files = new Map<string, Served>();
const requests: { path: string; range: string | undefined }[] = [];
let lab: ReturnType<typeof tempLab>;

beforeAll(async () => {
  lab = tempLab('download-');
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname.slice(1));
    requests.push({ path, range: req.headers.range });
    const f = files.get(path);
    if (!f) {
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) start = Number(m[1]);
    if (start >= f.body.length && start > 0) {
      res.writeHead(416, { 'content-range': `bytes */${f.body.length}` }).end();
      return;
    }
    const body = f.body.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'content-type': f.type ?? 'application/octet-stream',
      'content-length': body.length,
      ...(m ? { 'content-range': `bytes ${start}-${f.body.length - 1}/${f.body.length}` } : {}),
    });
    if (f.breakAfter !== undefined) {
      const cut = f.breakAfter;
      f.breakAfter = undefined;
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  lab.cleanup();
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** A 12-image MNIST-shaped IDX set, gzip'd as the official files are. */
function mnistLike(dir: string): Record<string, Buffer> & { pixels?: Uint8Array } {
  const n = 12;
  // Scrambled bytes, so the gzip'd file stays larger than the point where the server breaks the connection.
  const px = new Uint8Array(n * 784);
  for (let i = 0; i < px.length; i += 32) px.set(createHash('sha256').update(String(i)).digest().subarray(0, Math.min(32, px.length - i)), i);
  const out: Record<string, Buffer> = {
    'train-images-idx3-ubyte.gz': gzipSync(idx([n, 28, 28], px)),
    'train-labels-idx1-ubyte.gz': gzipSync(idx([n], Uint8Array.from({ length: n }, (_, k) => k % 10))),
    't10k-images-idx3-ubyte.gz': gzipSync(idx([2, 28, 28], px.subarray(0, 2 * 784))),
    't10k-labels-idx1-ubyte.gz': gzipSync(idx([2], Uint8Array.from([7, 3]))),
  };
  for (const [name, body] of Object.entries(out)) files.set(`${dir}/${name}`, { body });
  return Object.assign(out, { pixels: px });
}

describe('data download', () => {
  it('resumes a broken download with a Range request, checks MD5s, reports progress, then imports', async () => {
    const bodies = mnistLike('mirror');
    const big = bodies['train-images-idx3-ubyte.gz'];
    expect(big.length).toBeGreaterThan(5000);
    files.get('mirror/train-images-idx3-ubyte.gz')!.breakAfter = 1000;
    const official = downloadPlan('mnist');
    const plan = { ...official, files: official.files.map((f) => ({ ...f, url: `${base}mirror/${f.file}`, md5: md5(bodies[f.file] as Buffer) })) };
    const progress: DownloadProgress[] = [];
    await expect(downloadDataset('mnist', { home: lab.home, plan, onProgress: (p) => progress.push(p) })).rejects.toThrow(
      /the download of train-images-idx3-ubyte\.gz broke off after 1000 bytes.*run again to resume/,
    );
    const part = join(lab.home, 'downloads', 'mnist', 'train-images-idx3-ubyte.gz.part');
    expect(readFileSync(part).length).toBe(1000);
    expect(listDatasets(lab.home).find((d) => d.name === 'mnist')?.registered).toBe(false);

    requests.length = 0;
    const info = await downloadDataset('mnist', { home: lab.home, plan, onProgress: (p) => progress.push(p) });
    expect(requests.find((r) => r.path === 'mirror/train-images-idx3-ubyte.gz')?.range).toBe('bytes=1000-');
    expect(existsSync(part)).toBe(false);
    expect(readFileSync(join(lab.home, 'downloads', 'mnist', 'train-images-idx3-ubyte.gz')).equals(big)).toBe(true);
    const last = progress.filter((p) => p.file === 'train-images-idx3-ubyte.gz').pop()!;
    expect(last).toMatchObject({ received: big.length, total: big.length, resumedFrom: 1000, etaSeconds: 0 });
    expect(info).toMatchObject({ name: 'mnist', train: 12, test: 2, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], builtin: false });
    const r = openDataset('mnist', lab.home);
    expect(Array.from(r.readLabels('test', [0, 1]))).toEqual([7, 3]);
    const img = new Float32Array(784);
    r.readImages('train', [11], img);
    expect(Array.from(img.subarray(0, 50), (v) => Math.round(v * 255))).toEqual(Array.from(bodies.pixels!.subarray(11 * 784, 11 * 784 + 50)));
    r.close();

    // Files already there with the right checksum are not fetched again.
    requests.length = 0;
    await downloadDataset('mnist', { home: lab.home, plan });
    expect(requests).toEqual([]);
  });

  it('the CLI with --url: a checksum mismatch deletes the file and registers nothing', async () => {
    const lab2 = tempLab('download-cli-');
    try {
      mnistLike('fake');
      const res = await runCli(['data', 'download', 'mnist', '--url', `${base}fake`], lab2.home);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/train-images-idx3-ubyte\.gz: checksum mismatch \(MD5 [0-9a-f]{32}, expected f68b3c2dcbeaaa9fbdd348bbdeb94873\)/);
      expect(existsSync(join(lab2.home, 'downloads', 'mnist', 'train-images-idx3-ubyte.gz.part'))).toBe(false);
      expect(existsSync(join(lab2.home, 'downloads', 'mnist', 'train-images-idx3-ubyte.gz'))).toBe(false);
      const list = await runCli(['data', 'list', '--json'], lab2.home);
      expect((JSON.parse(list.stdout) as { name: string; registered: boolean }[]).find((d) => d.name === 'mnist')?.registered).toBe(false);

      const missing = await runCli(['data', 'download', 'svhn', '--url', `${base}nowhere/`], lab2.home);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`${base}nowhere/train_32x32.mat: HTTP 404`);
    } finally {
      lab2.cleanup();
    }
  });

  it('says clearly when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const res = await runCli(['data', 'download', 'fashion-mnist', '--url', `http://127.0.0.1:${port}/`], lab.home);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`cannot reach 127.0.0.1:${port} (ECONNREFUSED) downloading train-images-idx3-ubyte.gz: are you offline?`);
  });

  it('CelebA: downloads the zip and lists, extracts and imports them', async () => {
    const jpg = async (v: number) =>
      sharp({ create: { width: 178, height: 218, channels: 3, background: { r: v, g: 255 - v, b: 128 } } })
        .jpeg({ quality: 95 })
        .toBuffer();
    const zip = writeZip([
      { name: 'img_align_celeba/', data: new Uint8Array(0) },
      { name: 'img_align_celeba/000001.jpg', data: await jpg(30) },
      { name: 'img_align_celeba/000002.jpg', data: await jpg(200) },
    ]);
    const served: Record<string, Buffer> = {
      'img_align_celeba.zip': zip,
      'list_eval_partition.txt': Buffer.from('000001.jpg 0\n000002.jpg 2\n'),
      'list_attr_celeba.txt': Buffer.from('2\nSmiling Male\n000001.jpg 1 -1\n000002.jpg -1 1\n'),
    };
    for (const [name, body] of Object.entries(served)) files.set(`celeba/${name}`, { body, type: name.endsWith('.txt') ? 'text/plain' : 'application/zip' });
    const official = downloadPlan('celeba', `${base}celeba/`);
    expect(official.files.map((f) => f.url)).toEqual(Object.keys(served).map((n) => `${base}celeba/${n}`));
    const plan = { ...official, files: official.files.map((f) => ({ ...f, md5: md5(served[f.file]) })) };
    const info = await downloadDataset('celeba', { home: lab.home, plan });
    expect(info).toMatchObject({ name: 'celeba', train: 1, test: 1, height: 64, width: 64, channels: 3, attributes: ['Smiling', 'Male'] });
    const r = openDataset('celeba', lab.home) as LldReader;
    const out = new Float32Array(3 * 64 * 64);
    r.readImages('test', [0], out);
    expect(Math.abs(Math.round(out[2080] * 255) - 200)).toBeLessThan(6);
    expect(Math.abs(Math.round(out[4096 + 2080] * 255) - 55)).toBeLessThan(6);
    expect(Math.abs(Math.round(out[8192 + 2080] * 255) - 128)).toBeLessThan(6);
    expect(Array.from(r.readAttributes('train', [0])!)).toEqual([1, -1]);
    r.close();
  });
});
