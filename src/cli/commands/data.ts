import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DOWNLOADABLE,
  downloadDataset,
  IMPORT_FORMATS,
  importDataset,
  listDatasets,
  openDataset,
  removeDataset,
  type DatasetInfo,
  type DownloadProgress,
  type Split,
} from '../../main/data/index.ts';
import { encodeGridPng } from '../../main/images/grid.ts';
import { flagInt, flagNumber, flagString, parseArgs, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

const USAGE = [
  'latent-lab data list [--json]',
  '       latent-lab data show NAME [--grid out.png] [--split train|test] [--count N] [--json]',
  `       latent-lab data import ${IMPORT_FORMATS.join('|')} PATH [--name NAME] [--size N] [--channels 1|3] [--crop N] [--test-fraction F] [--replace]`,
  `       latent-lab data download ${DOWNLOADABLE.join('|')} [--url BASE] [--name NAME]`,
  '       latent-lab data remove NAME',
].join('\n');

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise. */
function progressPrinter(label: string) {
  let last = 0;
  const tty = process.stderr.isTTY;
  return {
    line(text: string, final = false) {
      const now = Date.now();
      if (!final && now - last < (tty ? 200 : 5000)) return;
      last = now;
      if (tty) process.stderr.write(`\r${label}${text}\x1b[K${final ? '\n' : ''}`);
      else process.stderr.write(`${label}${text}\n`);
    },
  };
}

function describe(d: DatasetInfo): string {
  const shape = `${d.channels}×${d.height}×${d.width}`;
  const classes = d.classes ? `${d.classes.length} classes` : 'unlabelled';
  const state = d.builtin ? (d.registered ? 'built in' : 'built in, registers on first use') : d.format;
  return `${d.name.padEnd(16)} ${String(d.train).padStart(7)} train ${String(d.test).padStart(6)} test  ${shape.padEnd(9)} ${classes.padEnd(12)} ${state}${d.bytes ? `, ${mib(d.bytes)}` : ''}`;
}

async function list(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'] });
  if (args.positional.length) throw new UsageError('data list takes no arguments');
  const all = listDatasets();
  if (args.flags.has('json')) console.log(JSON.stringify(all, null, 2));
  else for (const d of all) console.log(describe(d));
  return 0;
}

async function show(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['grid', 'split', 'count'], booleans: ['json'] });
  const [name, ...extra] = args.positional;
  if (!name || extra.length) throw new UsageError('give one data set name');
  const split = (flagString(args, 'split') ?? 'train') as Split;
  if (split !== 'train' && split !== 'test') throw new UsageError(`--split must be train or test, got '${split}'`);
  const reader = openDataset(name);
  try {
    const info = reader.info;
    const n = reader.count(split);
    // Label histogram and pixel mean/std of the split, read in batches.
    const hist = new Map<number, number>();
    const all = Int32Array.from({ length: n }, (_, i) => i);
    for (const l of reader.readLabels(split, all)) hist.set(l, (hist.get(l) ?? 0) + 1);
    const summary = {
      ...info,
      split,
      labels: Object.fromEntries([...hist].sort((a, b) => a[0] - b[0]).map(([l, c]) => [l < 0 ? 'unlabelled' : (info.classes?.[l] ?? String(l)), c])),
    };
    const grid = flagString(args, 'grid');
    let shown: number[] = [];
    if (grid) {
      if (n === 0) throw new UsageError(`data set '${name}' has no ${split} images`);
      const count = Math.min(n, flagInt(args, 'count', 1) ?? 64);
      // Evenly spaced through the split, so class-ordered data sets show every class.
      shown = Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
      const { channels: c, height: h, width: w } = info;
      const images = new Float32Array(count * c * h * w);
      reader.readImages(split, shown, images);
      const scale = Math.max(1, Math.floor(64 / Math.max(h, w)));
      writeFileSync(resolve(grid), await encodeGridPng(images, { n: count, c, h, w }, { scale }));
    }
    if (args.flags.has('json')) console.log(JSON.stringify(summary, null, 2));
    else {
      console.log(describe({ ...info, builtin: info.builtin, registered: true }));
      console.log(`source: ${info.source}`);
      if (info.attributes?.length) console.log(`attributes: ${info.attributes.join(' ')}`);
      console.log(`${split} labels: ${Object.entries(summary.labels).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
      if (grid) {
        const labels = reader.readLabels(split, shown);
        console.log(`grid of ${shown.length} ${split} images (every ${Math.max(1, Math.round(n / shown.length))}th) written to ${resolve(grid)}`);
        if (info.classes) {
          const cols = Math.ceil(Math.sqrt(shown.length));
          for (let r = 0; r < shown.length; r += cols) console.log(`  ${Array.from(labels.subarray(r, r + cols), (l) => info.classes![l] ?? l).join(' | ')}`);
        }
      }
    }
    return 0;
  } finally {
    reader.close();
  }
}

async function doImport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['name', 'size', 'channels', 'crop', 'test-fraction'], booleans: ['replace'] });
  const [format, path, ...extra] = args.positional;
  if (!format || !path || extra.length) throw new UsageError('give a format and a path');
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format '${format}' (one of ${IMPORT_FORMATS.join(', ')})`);
  const channels = flagInt(args, 'channels', 1);
  if (channels !== undefined && channels !== 1 && channels !== 3) throw new UsageError('--channels must be 1 or 3');
  const progress = progressPrinter(`importing ${format} ${path}: `);
  const info = await importDataset(format, resolve(path), {
    name: flagString(args, 'name'),
    size: flagInt(args, 'size', 1),
    channels: channels as 1 | 3 | undefined,
    crop: flagInt(args, 'crop', 1),
    testFraction: flagNumber(args, 'test-fraction'),
    replace: args.flags.has('replace'),
    onProgress: (done, total) => progress.line(`${done}/${total} images`, done === total),
  });
  console.log(`registered ${describe(info)}`);
  return 0;
}

async function download(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['url', 'name'] });
  const [name, ...extra] = args.positional;
  if (!name || extra.length) throw new UsageError(`give one data set to download (${DOWNLOADABLE.join(', ')})`);
  if (!DOWNLOADABLE.includes(name)) throw new UsageError(`no download known for '${name}' (one of ${DOWNLOADABLE.join(', ')})`);
  const bars = new Map<string, ReturnType<typeof progressPrinter>>();
  const onProgress = (p: DownloadProgress) => {
    const bar = bars.get(p.file) ?? progressPrinter(`${p.file}: `);
    bars.set(p.file, bar);
    const pct = p.total ? ` (${((100 * p.received) / p.total).toFixed(1)}%)` : '';
    const eta = p.etaSeconds !== null ? `, ${duration(p.etaSeconds)} left` : '';
    const resumed = p.resumedFrom > 0 ? `, resumed at ${mib(p.resumedFrom)}` : '';
    bar.line(`${mib(p.received)}${p.total ? ` of ${mib(p.total)}` : ''}${pct}, ${mib(p.bytesPerSecond)}/s${eta}${resumed}`, p.total !== null && p.received === p.total);
  };
  const importing = progressPrinter(`preparing ${name}: `);
  const info = await downloadDataset(name, {
    baseUrl: flagString(args, 'url'),
    name: flagString(args, 'name'),
    onProgress,
    onImportProgress: (done, total) => importing.line(`${done}/${total}`, done === total),
  });
  console.log(`registered ${describe(info)}`);
  return 0;
}

async function remove(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {});
  const [name, ...extra] = args.positional;
  if (!name || extra.length) throw new UsageError('give one data set name');
  removeDataset(name);
  console.log(`removed ${name}`);
  return 0;
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'list':
        return list(rest);
      case 'show':
        return show(rest);
      case 'import':
        return doImport(rest);
      case 'download':
        return download(rest);
      case 'remove':
        return remove(rest);
      default:
        throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'give a subcommand: list, show, import, download, remove');
    }
  },
};
