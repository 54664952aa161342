// The lab's one SQLite database. Each feature (data sets, runs, ...) owns its tables and migrates them itself
// through `migrate`, so features land independently and an old lab.db upgrades in place.
import Database from 'better-sqlite3';
import { join, resolve } from 'node:path';
import { labDir, labHome } from './paths.ts';

const open = new Map<string, Database.Database>();

/** lab.db under `home` (default labHome()), opened once per path and process: WAL, foreign keys on. */
export function openLabDb(home?: string): Database.Database {
  const dir = resolve(home ?? labHome());
  const file = join(labDir(dir), 'lab.db');
  const cached = open.get(file);
  if (cached?.open) return cached;
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // The CLI and the app may use the same lab at once: wait for a writer instead of failing at once.
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  open.set(file, db);
  return db;
}

/** Closes every database opened by openLabDb (tests, shutdown). */
export function closeLabDbs(): void {
  for (const db of open.values()) if (db.open) db.close();
  open.clear();
}

/**
 * Brings `feature` to version migrations.length: applies migrations[i] for every i ≥ the stored version, all in
 * one transaction (a failing step leaves the database as it was). A database newer than the code is an error.
 */
export function migrate(db: Database.Database, feature: string, migrations: string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const current = () =>
    (db.prepare('SELECT version FROM schema_versions WHERE feature = ?').get(feature) as { version: number } | undefined)?.version ?? 0;
  const apply = db.transaction(() => {
    // Read inside the (immediate) transaction: two processes migrating at once must not both apply a step.
    const from = current();
    if (from > migrations.length) {
      throw new Error(`lab.db has schema version ${from} for '${feature}', newer than this Latent Lab knows (${migrations.length}); update Latent Lab`);
    }
    for (let i = from; i < migrations.length; i++) {
      try {
        db.exec(migrations[i]);
      } catch (e) {
        throw new Error(`migration ${i + 1} of '${feature}' failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (from < migrations.length) {
      db.prepare('INSERT INTO schema_versions (feature, version) VALUES (?, ?) ON CONFLICT(feature) DO UPDATE SET version = excluded.version').run(
        feature,
        migrations.length,
      );
    }
  });
  apply.immediate();
}
