// The data set registry: lab.db's `datasets` table, one .lld file per data set under <lab>/data.
// A data set is registered in one step at the very end (rename into place + insert, in one transaction), so a
// failed import leaves neither a row nor a file.
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openLabDb } from '../db.ts';
import { labDir, labHome } from '../paths.ts';
import { BUILTINS } from './builtins.ts';
import { DataError } from './errors.ts';
import { DatasetFileWriter, type DatasetHeader, type DatasetMeta } from './format.ts';
import { LldReader, type DatasetInfo, type DatasetReader } from './reader.ts';

export type { DatasetInfo, DatasetReader } from './reader.ts';
export type { Split } from './format.ts';

const MIGRATIONS = [
  `CREATE TABLE datasets (
     name TEXT PRIMARY KEY,
     format TEXT NOT NULL,
     channels INTEGER NOT NULL,
     height INTEGER NOT NULL,
     width INTEGER NOT NULL,
     train INTEGER NOT NULL,
     test INTEGER NOT NULL,
     classes TEXT,        -- JSON array of class names, or NULL
     attributes TEXT,     -- JSON array of attribute names, or NULL
     source TEXT NOT NULL,
     file TEXT NOT NULL,  -- relative to the lab folder
     bytes INTEGER NOT NULL,
     builtin INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL
   )`,
];

interface Row {
  name: string;
  format: string;
  channels: number;
  height: number;
  width: number;
  train: number;
  test: number;
  classes: string | null;
  attributes: string | null;
  source: string;
  file: string;
  bytes: number;
  builtin: number;
  created_at: string;
}

export function dataDb(home: string): Database.Database {
  const db = openLabDb(home);
  migrate(db, 'data', MIGRATIONS);
  return db;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function checkDatasetName(name: string): void {
  if (!NAME.test(name)) {
    throw new DataError(`'${name}' is not a valid data set name (lower-case letters, digits, '.', '_', '-'; at most 64; starting with a letter or digit)`);
  }
}

/** A data set name from a path's last part: "Fashion MNIST/" -> "fashion-mnist". */
export function nameFromPath(path: string): string {
  const base = path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
  const name = base
    .toLowerCase()
    .replace(/\.(gz|mat|zip)$/, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 64);
  return name || 'dataset';
}

function rowToInfo(r: Row): DatasetInfo {
  return {
    name: r.name,
    format: r.format,
    channels: r.channels,
    height: r.height,
    width: r.width,
    train: r.train,
    test: r.test,
    classes: r.classes ? (JSON.parse(r.classes) as string[]) : null,
    source: r.source,
    createdAt: r.created_at,
    attributes: r.attributes ? (JSON.parse(r.attributes) as string[]) : null,
    builtin: r.builtin === 1,
    registered: true,
    bytes: r.bytes,
  };
}

function getRow(db: Database.Database, name: string): Row | undefined {
  return db.prepare('SELECT * FROM datasets WHERE name = ?').get(name) as Row | undefined;
}

/** Every registered data set, plus the built-ins not used yet (registered: false), by name. */
export function listDatasets(home?: string): DatasetInfo[] {
  const h = home ?? labHome();
  const rows = (dataDb(h).prepare('SELECT * FROM datasets ORDER BY name').all() as Row[]).map(rowToInfo);
  const known = new Set(rows.map((r) => r.name));
  for (const b of BUILTINS.values()) {
    if (known.has(b.name)) continue;
    const { format, channels, height, width, train, test, classes, source } = b.meta;
    rows.push({ name: b.name, format, channels, height, width, train, test, classes, source, createdAt: '', attributes: null, builtin: true, registered: false });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

export function getDatasetInfo(name: string, home?: string): DatasetInfo | undefined {
  return listDatasets(home).find((d) => d.name === name);
}

export function dataFolder(home: string): string {
  return labDir(home, 'data');
}

/** A fresh temporary file path in the data folder (same file system as the final place, so rename is atomic). */
export function tempDatasetPath(home: string, name: string): string {
  return join(dataFolder(home), `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Registers a finished .lld file under `name`: in one transaction, moves it into place and records it.
 * Without `replace`, an existing name is an error (and the file is left for the caller to delete).
 */
export function commitDataset(home: string, name: string, tmpFile: string, header: DatasetHeader, opts: { replace?: boolean; builtin?: boolean } = {}): DatasetInfo {
  checkDatasetName(name);
  const db = dataDb(home);
  const file = `data/${name}.lld`;
  const tx = db.transaction(() => {
    const existing = getRow(db, name);
    if (existing && !opts.replace) throw new DataError(`a data set named '${name}' already exists (choose another --name, or --replace it)`);
    db.prepare('DELETE FROM datasets WHERE name = ?').run(name);
    db.prepare(
      `INSERT INTO datasets (name, format, channels, height, width, train, test, classes, attributes, source, file, bytes, builtin, created_at)
       VALUES (@name, @format, @channels, @height, @width, @train, @test, @classes, @attributes, @source, @file, @bytes, @builtin, @created_at)`,
    ).run({
      name,
      format: header.format,
      channels: header.channels,
      height: header.height,
      width: header.width,
      train: header.train,
      test: header.test,
      classes: header.classes ? JSON.stringify(header.classes) : null,
      attributes: header.attributes ? JSON.stringify(header.attributes) : null,
      source: header.source,
      file,
      bytes: statSync(tmpFile).size,
      builtin: opts.builtin ? 1 : 0,
      created_at: header.createdAt,
    });
    // Last: if the rename fails, the insert rolls back with the transaction.
    renameSync(tmpFile, join(home, file));
  });
  tx.immediate();
  return rowToInfo(getRow(db, name)!);
}

/**
 * Builds a data set file with `build` (which calls `open(meta)` once and writes everything) and registers it.
 * On any error the temporary file is removed and nothing is registered.
 */
export async function createDataset(
  home: string,
  name: string,
  build: (open: (meta: DatasetMeta) => DatasetFileWriter) => void | Promise<void>,
  opts: { replace?: boolean; builtin?: boolean } = {},
): Promise<DatasetInfo> {
  checkDatasetName(name);
  if (!opts.replace && getRow(dataDb(home), name)) throw new DataError(`a data set named '${name}' already exists (choose another --name, or --replace it)`);
  const tmp = tempDatasetPath(home, name);
  let writer: DatasetFileWriter | null = null;
  try {
    await build((meta) => {
      if (writer) throw new Error('createDataset: open() called twice');
      writer = new DatasetFileWriter(tmp, meta);
      return writer;
    });
    if (!writer) throw new Error('createDataset: the importer wrote nothing');
    const header = (writer as DatasetFileWriter).finish();
    return commitDataset(home, name, tmp, header, opts);
  } finally {
    (writer as DatasetFileWriter | null)?.close();
    rmSync(tmp, { force: true });
  }
}

/** The synchronous twin of createDataset, for the built-ins (openDataset is synchronous). */
function createDatasetSync(home: string, name: string, build: (open: (meta: DatasetMeta) => DatasetFileWriter) => void): void {
  const tmp = tempDatasetPath(home, name);
  let writer: DatasetFileWriter | null = null;
  try {
    build((meta) => (writer = new DatasetFileWriter(tmp, meta)));
    if (!writer) throw new Error(`built-in '${name}' wrote nothing`);
    const header = (writer as DatasetFileWriter).finish();
    try {
      commitDataset(home, name, tmp, header, { builtin: true });
    } catch (e) {
      // Another process registered it meanwhile: theirs is as good as ours.
      if (!getRow(dataDb(home), name)) throw e;
    }
  } finally {
    (writer as DatasetFileWriter | null)?.close();
    rmSync(tmp, { force: true });
  }
}

/** Opens a data set for reading; registers the built-ins ('mnist', 'fashion-mnist') on first use. */
export function openDataset(name: string, home?: string, opts: { inMemoryLimit?: number } = {}): DatasetReader & LldReader {
  const h = home ?? labHome();
  const db = dataDb(h);
  let row = getRow(db, name);
  const builtin = BUILTINS.get(name);
  if (row && builtin && !existsSync(join(h, row.file))) {
    // A built-in's file was deleted by hand: it can be rebuilt, so do.
    db.prepare('DELETE FROM datasets WHERE name = ?').run(name);
    row = undefined;
  }
  if (!row && builtin) {
    createDatasetSync(h, name, (open) => builtin.build(open));
    row = getRow(db, name);
  }
  if (!row) {
    const known = listDatasets(h).map((d) => d.name);
    throw new DataError(`unknown data set '${name}'; known: ${known.join(', ')} (import one with 'latent-lab data import')`);
  }
  const path = join(h, row.file);
  if (!existsSync(path)) throw new DataError(`data set '${name}': its file ${path} is missing; import it again or remove it ('latent-lab data remove ${name}')`);
  const info = rowToInfo(row);
  return new LldReader(path, name, { inMemoryLimit: opts.inMemoryLimit, info: { builtin: info.builtin, registered: true, bytes: info.bytes } });
}

/** Unregisters a data set and deletes its file. */
export function removeDataset(name: string, home?: string): void {
  const h = home ?? labHome();
  const db = dataDb(h);
  const row = getRow(db, name);
  if (!row) throw new DataError(`unknown data set '${name}'`);
  db.transaction(() => {
    db.prepare('DELETE FROM datasets WHERE name = ?').run(name);
    rmSync(join(h, row.file), { force: true });
  }).immediate();
}
