import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeLabDbs } from '../../../src/main/db.ts';
import { ROOT } from '../../paths.ts';

/** A fresh, empty lab folder; removed by the returned cleanup. */
export function tempLab(prefix = 'lab-'): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), `latent-lab-${prefix}`));
  return {
    home,
    cleanup() {
      closeLabDbs();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `latent-lab ARGS` as a user would, against the lab at `home`. */
export function runCli(args: string[], home: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'latent-lab.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LATENT_LAB_HOME: home, LATENT_LAB_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Files in the lab's data folder (to check that failed imports leave nothing behind). */
export function dataFiles(home: string): string[] {
  try {
    return readdirSync(join(home, 'data')).sort();
  } catch {
    return [];
  }
}
