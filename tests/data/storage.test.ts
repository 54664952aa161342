// The lab folder, lab.db migrations, the .lld file format and the registry's all-or-nothing registration.
import { closeSync, openSync, readdirSync, statSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openLabDb } from '../../src/main/db.ts';
import { labHome, defaultUserDataDir } from '../../src/main/paths.ts';
import { DatasetFileWriter, readHeader } from '../../src/main/data/format.ts';
import { LldReader } from '../../src/main/data/reader.ts';
import { createDataset, listDatasets, openDataset, removeDataset } from '../../src/main/data/registry.ts';
import { DataError } from '../../src/main/data/errors.ts';
import { dataFiles, tempLab } from './helpers/lab.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function lab() {
  const l = tempLab();
  cleanups.push(l.cleanup);
  return l.home;
}

/** A small data set whose every pixel says where it is: image k, channel c, pixel p = (k*7 + c*50 + p) % 256. */
function patterned(n: number, c: number, h: number, w: number): Uint8Array {
  const px = new Uint8Array(n * c * h * w);
  for (let k = 0; k < n; k++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) px[(k * c + ch) * h * w + p] = (k * 7 + ch * 50 + p) % 256;
  return px;
}

function writeSmall(file: string, opts: { train?: number; test?: number } = {}) {
  const train = opts.train ?? 5;
  const test = opts.test ?? 3;
  const w = new DatasetFileWriter(file, { format: 'test', channels: 3, height: 4, width: 5, train, test, classes: ['a', 'b', 'c'], source: 'unit test' });
  const px = patterned(train + test, 3, 4, 5);
  w.appendImages('train', px.subarray(0, train * 60));
  w.appendImages('test', px.subarray(train * 60));
  for (let i = 0; i < train; i++) w.labels.train[i] = i % 3;
  for (let i = 0; i < test; i++) w.labels.test[i] = test - 1 - i;
  return { header: w.finish(), px };
}

describe('lab folder and lab.db', () => {
  it('labHome follows LATENT_LAB_HOME and creates it; the default is the Electron userData folder', () => {
    const home = join(lab(), 'nested', 'lab');
    const before = process.env.LATENT_LAB_HOME;
    process.env.LATENT_LAB_HOME = home;
    try {
      expect(labHome()).toBe(home);
      expect(statSync(home).isDirectory()).toBe(true);
    } finally {
      if (before === undefined) delete process.env.LATENT_LAB_HOME;
      else process.env.LATENT_LAB_HOME = before;
    }
    expect(defaultUserDataDir('linux', { XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/Latent Lab');
    expect(defaultUserDataDir('linux', {})).toMatch(/\.config\/Latent Lab$/);
    expect(defaultUserDataDir('darwin', {})).toMatch(/Library\/Application Support\/Latent Lab$/);
    expect(defaultUserDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' })).toContain('Latent Lab');
  });

  it('openLabDb is cached per path, in WAL mode with foreign keys on', () => {
    const home = lab();
    const db = openLabDb(home);
    expect(openLabDb(home)).toBe(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(statSync(join(home, 'lab.db')).isFile()).toBe(true);
  });

  it('migrate applies only new steps, records the version, and rolls back a failing step whole', () => {
    const db = openLabDb(lab());
    const steps = ['CREATE TABLE t (a INTEGER)', 'INSERT INTO t VALUES (1)'];
    migrate(db, 'feat', steps);
    migrate(db, 'feat', steps); // again: nothing re-applied
    expect(db.prepare('SELECT count(*) n FROM t').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT version FROM schema_versions WHERE feature = ?').get('feat')).toEqual({ version: 2 });
    // Step 3 works, step 4 fails: neither stays.
    expect(() => migrate(db, 'feat', [...steps, 'INSERT INTO t VALUES (2)', 'INSERT INTO nope VALUES (1)'])).toThrow(/migration 4 of 'feat' failed/);
    expect(db.prepare('SELECT count(*) n FROM t').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT version FROM schema_versions WHERE feature = ?').get('feat')).toEqual({ version: 2 });
    migrate(db, 'feat', [...steps, 'INSERT INTO t VALUES (2)']);
    expect(db.prepare('SELECT sum(a) s FROM t').get()).toEqual({ s: 3 });
    expect(() => migrate(db, 'feat', steps)).toThrow(/newer than this Latent Lab/);
  });
});

describe('.lld files', () => {
  it('round-trips pixels, labels and metadata, in memory and with positioned reads', () => {
    const file = join(lab(), 'x.lld');
    const { px } = writeSmall(file);
    for (const limit of [Infinity, 0]) {
      const r = new LldReader(file, 'x', { inMemoryLimit: limit });
      expect(r.inMemory('train')).toBe(limit > 0);
      expect(r.info).toMatchObject({ name: 'x', channels: 3, height: 4, width: 5, train: 5, test: 3, classes: ['a', 'b', 'c'], source: 'unit test' });
      const out = new Float32Array(3 * 60);
      r.readImages('test', [2, 0, 2], out);
      for (const [i, k] of [2, 0, 2].entries()) for (let j = 0; j < 60; j++) expect(out[i * 60 + j]).toBe(Math.fround(px[(5 + k) * 60 + j] / 255));
      const train = new Float32Array(60);
      r.readImages('train', [4], train);
      expect(Array.from(train.subarray(0, 3), (v) => Math.round(v * 255))).toEqual([28, 29, 30]); // (4*7 + 0 + p)
      expect(Array.from(train.subarray(20, 22), (v) => Math.round(v * 255))).toEqual([78, 79]); // channel 1 starts at 4*7 + 50
      expect(Array.from(r.readLabels('train', [0, 1, 2, 3, 4]))).toEqual([0, 1, 2, 0, 1]);
      expect(Array.from(r.readLabels('test', [0, 2]))).toEqual([2, 0]);
      expect(() => r.readImages('train', [5], train)).toThrow(/train index 5 out of range \[0, 5\)/);
      expect(() => r.readImages('train', [0, 1], train)).toThrow(/out holds 60 floats/);
      r.close();
    }
  });

  it('rejects files cut short, unfinished or with a bad magic, naming the file', () => {
    const home = lab();
    const file = join(home, 'x.lld');
    writeSmall(file);
    const full = readFileSync(file);
    const check = (bytes: Buffer, message: RegExp) => {
      writeFileSync(file, bytes);
      const fd = openSync(file, 'r');
      try {
        expect(() => readHeader(fd, file)).toThrow(message);
        expect(() => readHeader(fd, file)).toThrow(file);
      } finally {
        closeSync(fd);
      }
    };
    check(full.subarray(0, full.length - 10), /truncated/);
    const bad = Buffer.from(full);
    bad.write('NOTADATA', 0, 'latin1');
    check(bad, /bad magic/);
    const unfinished = Buffer.from(full);
    unfinished.fill(0, 16, 32);
    check(unfinished, /never finished/);
    // A writer that is abandoned mid-way leaves a file that does not open.
    const w = new DatasetFileWriter(file, { format: 't', channels: 1, height: 2, width: 2, train: 2, test: 0, classes: null, source: '' });
    w.appendImages('train', new Uint8Array(4));
    expect(() => w.finish()).toThrow(/1 train images written, 2 announced/);
    w.close();
    expect(() => new LldReader(file, 'x')).toThrow(/never finished/);
  });
});

describe('registry', () => {
  it('registers in one step; a failing build leaves no row and no file', async () => {
    const home = lab();
    await expect(
      createDataset(home, 'broken', async (open) => {
        const w = open({ format: 't', channels: 1, height: 2, width: 2, train: 3, test: 0, classes: null, source: '' });
        w.appendImages('train', new Uint8Array(4));
        throw new DataError('/some/file.png: unreadable image');
      }),
    ).rejects.toThrow('/some/file.png: unreadable image');
    expect(listDatasets(home).map((d) => d.name)).toEqual(['fashion-mnist', 'mnist']);
    expect(dataFiles(home)).toEqual([]);

    const info = await createDataset(home, 'tiny', (open) => {
      const w = open({ format: 't', channels: 1, height: 2, width: 2, train: 2, test: 1, classes: ['x', 'y'], source: 'made here' });
      w.appendImages('train', Uint8Array.from([0, 255, 0, 255, 10, 20, 30, 40]));
      w.appendImages('test', Uint8Array.from([1, 2, 3, 4]));
      w.labels.train.set([1, 0]);
    });
    expect(info).toMatchObject({ name: 'tiny', train: 2, test: 1, classes: ['x', 'y'], registered: true, builtin: false });
    expect(dataFiles(home)).toEqual(['tiny.lld']);
    await expect(createDataset(home, 'tiny', () => {})).rejects.toThrow(/'tiny' already exists/);
    const r = openDataset('tiny', home);
    const out = new Float32Array(4);
    r.readImages('train', [1], out);
    expect(Array.from(out, (v) => Math.round(v * 255))).toEqual([10, 20, 30, 40]);
    expect(Array.from(r.readLabels('test', [0]))).toEqual([-1]);
    r.close();
    expect(() => openDataset('nope', home)).toThrow(/unknown data set 'nope'; known: fashion-mnist, mnist, tiny/);
    await expect(createDataset(home, 'Bad Name', () => {})).rejects.toThrow(/not a valid data set name/);
    removeDataset('tiny', home);
    expect(dataFiles(home)).toEqual([]);
    expect(readdirSync(home)).toContain('lab.db');
  });

  it('a registered file that went missing is a clear error', async () => {
    const home = lab();
    await createDataset(home, 'gone', (open) => {
      const w = open({ format: 't', channels: 1, height: 1, width: 1, train: 1, test: 0, classes: null, source: '' });
      w.appendImages('train', new Uint8Array(1));
    });
    truncateSync(join(home, 'data', 'gone.lld'), 100);
    expect(() => openDataset('gone', home)).toThrow(/gone\.lld: truncated/);
  });
});
