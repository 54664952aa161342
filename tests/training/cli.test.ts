import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';

const home = mkdtempSync(join(tmpdir(), 'latent-lab-cli-'));
const env = { ...process.env, LATENT_LAB_HOME: home };
const BIN = join(ROOT, 'bin', 'latent-lab.mjs');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('latent-lab command line', () => {
  it('answers bad arguments with a usage message, not a stack trace', () => {
    for (const args of [['train'], ['train', '--preset'], ['train', '--preset', 'mnist-cvae', '--epochs', 'two'], ['train', '--preset', 'mnist-cvae', '--bogus'], ['runs', 'extra']]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/usage: latent-lab/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    const unknown = cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'frobnicate'/);
  });

  it('names the problem for a bad preset, spec file or data set', () => {
    expect(cli('train', '--preset', 'nope').err).toMatch(/unknown preset 'nope' \(presets: mnist-cvae/);
    expect(cli('train', '--spec', join(home, 'missing.json')).err).toMatch(/cannot read the spec .*missing\.json/);
    const r = cli('train', '--preset', 'mnist-cvae', '--data', 'no-such-set');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no-such-set/);
  });

  it('loses no completed epoch when killed with SIGKILL, shows the run as interrupted and resumes it', async () => {
    const child = spawn(process.execPath, [BIN, 'train', '--preset', 'linear-vae', '--epochs', '1000', '--train-limit', '256', '--batch', '64', '--test-limit', '64', '--backend', 'reference', '--json'], { env });
    const epochs: { epoch: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const l of lines) if (l.startsWith('{"epoch"')) epochs.push(JSON.parse(l));
        if (epochs.length >= 2) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
      setTimeout(() => reject(new Error('no epochs within 100 s')), 100_000);
    });
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    const runs = JSON.parse(cli('runs', '--json').out) as { id: string; status: string; epochsDone: number }[];
    const run = runs[0];
    expect(run.status).toBe('interrupted');
    expect(run.epochsDone).toBeGreaterThanOrEqual(2);
    const resumed = cli('resume', run.id, '--epochs', String(run.epochsDone + 1), '--json');
    expect(resumed.code).toBe(0);
    const lines = resumed.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].epoch).toBe(run.epochsDone + 1);
    expect(lines.at(-1)).toMatchObject({ run: run.id, status: 'completed', epochs: run.epochsDone + 1 });
  });
});
