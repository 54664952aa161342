// The run history: every run, its config and spec, per-step and per-epoch metrics and its artifacts, in
// lab.db (WAL). A run's row is written before training starts and each epoch is committed with its
// checkpoint, so a killed process loses at most the epoch in progress.
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { EpochRecord } from '../../experiments/train.ts';
import { migrate, openLabDb } from '../db.ts';

export type RunStatus = 'running' | 'paused' | 'completed' | 'stopped' | 'diverged' | 'interrupted' | 'failed';

export interface RunRecord {
  id: string;
  name: string;
  status: RunStatus;
  dataset: string;
  preset: string | null;
  backend: string;
  spec: unknown;
  config: Record<string, unknown>;
  epochsDone: number;
  stepsDone: number;
  lastTestLoss: number | null;
  bestTestLoss: number | null;
  error: string | null;
  pid: number | null;
  createdAt: string;
  updatedAt: string;
}

export type EpochMetricsRow = EpochRecord;

export interface StepMetricsRow {
  step: number;
  epoch: number;
  loss: number;
  rec: number;
  kl: number;
  lr: number;
}

export interface ArtifactRow {
  kind: string; // 'checkpoint', 'reconstructions', 'samples', ...
  epoch: number;
  path: string; // relative to the lab folder
}

const MIGRATIONS = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, dataset TEXT NOT NULL, preset TEXT,
     backend TEXT NOT NULL, spec TEXT NOT NULL, config TEXT NOT NULL,
     epochs_done INTEGER NOT NULL DEFAULT 0, steps_done INTEGER NOT NULL DEFAULT 0,
     last_test_loss REAL, best_test_loss REAL, error TEXT, pid INTEGER,
     created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE epoch_metrics (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, epoch INTEGER NOT NULL, step INTEGER NOT NULL,
     train_loss REAL, train_rec REAL, train_kl REAL, train_images_per_s REAL, seconds REAL,
     test_loss REAL, test_rec REAL, test_kl REAL, extra TEXT NOT NULL DEFAULT '{}',
     PRIMARY KEY (run_id, epoch));
   CREATE TABLE step_metrics (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, step INTEGER NOT NULL, epoch INTEGER NOT NULL,
     loss REAL, rec REAL, kl REAL, lr REAL, PRIMARY KEY (run_id, step));
   CREATE TABLE artifacts (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, kind TEXT NOT NULL, epoch INTEGER NOT NULL,
     path TEXT NOT NULL, PRIMARY KEY (run_id, kind, epoch));`,
];

export class RunStore {
  readonly db: Database.Database;

  constructor(home?: string) {
    this.db = openLabDb(home);
    migrate(this.db, 'runs', MIGRATIONS);
  }

  create(r: { name: string; dataset: string; preset: string | null; backend: string; spec: unknown; config: Record<string, unknown> }): RunRecord {
    const id = `${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
    const now = new Date().toISOString();
    this.db.prepare(`INSERT INTO runs (id, name, status, dataset, preset, backend, spec, config, pid, created_at, updated_at)
      VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`).run(id, r.name, r.dataset, r.preset, r.backend, JSON.stringify(r.spec), JSON.stringify(r.config), process.pid, now, now);
    return this.get(id);
  }

  get(id: string): RunRecord {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    if (!row) throw new Error(`no run '${id}' (see 'latent-lab runs')`);
    return toRecord(row);
  }

  /** Runs newest first. A 'running' run whose process is gone shows as interrupted. */
  list(): RunRecord[] {
    const rows = this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC').all() as Record<string, unknown>[];
    return rows.map(toRecord);
  }

  setStatus(id: string, status: RunStatus, error: string | null = null): void {
    this.db.prepare('UPDATE runs SET status = ?, error = ?, pid = ?, updated_at = ? WHERE id = ?')
      .run(status, error, status === 'running' || status === 'paused' ? process.pid : null, new Date().toISOString(), id);
  }

  setBackend(id: string, backend: string): void {
    this.db.prepare('UPDATE runs SET backend = ?, updated_at = ? WHERE id = ?').run(backend, new Date().toISOString(), id);
  }

  /** One epoch's metrics, its artifacts and the run's progress, in one transaction. */
  recordEpoch(id: string, m: EpochMetricsRow, artifacts: ArtifactRow[]): void {
    const tx = this.db.transaction(() => {
      this.db.prepare(`INSERT OR REPLACE INTO epoch_metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        id, m.epoch, m.step, m.trainLoss, m.trainRec, m.trainKl, m.trainImagesPerSecond, m.seconds, m.testLoss, m.testRec, m.testKl, JSON.stringify(m.extra));
      for (const a of artifacts) this.db.prepare('INSERT OR REPLACE INTO artifacts VALUES (?, ?, ?, ?)').run(id, a.kind, a.epoch, a.path);
      this.db.prepare(`UPDATE runs SET epochs_done = ?, steps_done = ?, last_test_loss = ?,
        best_test_loss = MIN(COALESCE(best_test_loss, ?), ?), updated_at = ? WHERE id = ?`)
        .run(m.epoch, m.step, m.testLoss, m.testLoss, m.testLoss, new Date().toISOString(), id);
    });
    tx();
  }

  /** Step losses are written in batches (many per second would otherwise cost a commit each). */
  recordSteps(id: string, steps: StepMetricsRow[]): void {
    if (!steps.length) return;
    const insert = this.db.prepare('INSERT OR REPLACE INTO step_metrics VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const s of steps) insert.run(id, s.step, s.epoch, s.loss, s.rec, s.kl, s.lr);
    })();
  }

  /** Forgets what came after the last completed epoch (a resumed run redoes that part). */
  truncateAfter(id: string, epoch: number, step: number): void {
    this.db.prepare('DELETE FROM epoch_metrics WHERE run_id = ? AND epoch > ?').run(id, epoch);
    this.db.prepare('DELETE FROM step_metrics WHERE run_id = ? AND step > ?').run(id, step);
  }

  epochs(id: string): EpochMetricsRow[] {
    return (this.db.prepare('SELECT * FROM epoch_metrics WHERE run_id = ? ORDER BY epoch').all(id) as Record<string, number | string>[]).map((r) => ({
      epoch: r.epoch as number, step: r.step as number, trainLoss: r.train_loss as number, trainRec: r.train_rec as number,
      trainKl: r.train_kl as number, trainImagesPerSecond: r.train_images_per_s as number, seconds: r.seconds as number,
      testLoss: r.test_loss as number, testRec: r.test_rec as number, testKl: r.test_kl as number, extra: JSON.parse(r.extra as string),
    }));
  }

  steps(id: string, every = 1): StepMetricsRow[] {
    return this.db.prepare('SELECT step, epoch, loss, rec, kl, lr FROM step_metrics WHERE run_id = ? AND step % ? = 0 ORDER BY step').all(id, every) as StepMetricsRow[];
  }

  artifacts(id: string): ArtifactRow[] {
    return this.db.prepare('SELECT kind, epoch, path FROM artifacts WHERE run_id = ? ORDER BY epoch, kind').all(id) as ArtifactRow[];
  }

  /** Marks runs left 'running' by a process that no longer exists as interrupted (kill -9, crash, power). */
  markInterrupted(): number {
    const rows = this.db.prepare(`SELECT id, pid FROM runs WHERE status IN ('running', 'paused')`).all() as { id: string; pid: number | null }[];
    let n = 0;
    for (const r of rows) {
      if (r.pid !== null && r.pid !== process.pid && processAlive(r.pid)) continue;
      if (r.pid === process.pid) continue;
      this.setStatus(r.id, 'interrupted', 'the training process ended before the run finished');
      n++;
    }
    return n;
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toRecord(r: Record<string, unknown>): RunRecord {
  return {
    id: r.id as string, name: r.name as string, status: r.status as RunStatus, dataset: r.dataset as string,
    preset: (r.preset as string | null) ?? null, backend: r.backend as string, spec: JSON.parse(r.spec as string),
    config: JSON.parse(r.config as string), epochsDone: r.epochs_done as number, stepsDone: r.steps_done as number,
    lastTestLoss: (r.last_test_loss as number | null) ?? null, bestTestLoss: (r.best_test_loss as number | null) ?? null,
    error: (r.error as string | null) ?? null, pid: (r.pid as number | null) ?? null,
    createdAt: r.created_at as string, updatedAt: r.updated_at as string,
  };
}
