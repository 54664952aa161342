// Runs end to end on real MNIST (small limits): per-epoch extras, exports, comparison, the eval/export/compare
// commands, and the PyTorch round trip with ../shared/reference/spec_torch.py (when /usr/bin/python3 has torch).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { Rng } from '../../src/engine/rng.ts';
import { type NamedTensor, serializeSafetensors } from '../../src/engine/safetensors.ts';
import { modelFromCheckpoint, readCheckpoint } from '../../src/experiments/checkpoint.ts';
import { logImportanceWeights, ssim } from '../../src/experiments/evaluate.ts';
import { closeAnalysis, compareRuns, evaluateRun, exportRun, loadRun, runLatentMap, samplesForRun } from '../../src/main/runs/analysis.ts';
import { RunStore } from '../../src/main/runs/store.ts';
import { decodePng } from '../../src/main/images/grid.ts';
import { startRun } from '../../src/main/training/run.ts';
import { runCli, tempLab } from '../data/helpers/lab.ts';
import { SHARED } from '../paths.ts';

const PYTHON = '/usr/bin/python3';
const torchMissing = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} cannot import torch (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
})();
if (torchMissing) console.warn(`skipping the PyTorch round trip: ${torchMissing}`);

describe('run analysis', () => {
  let lab: ReturnType<typeof tempLab>;
  let cvae: string, ae: string, linear: string;

  beforeAll(async () => {
    lab = tempLab('analysis-');
    process.env.LATENT_LAB_HOME = lab.home; // for the commands run in-process
    const small = { batch: 16, trainLimit: 16 * 20, testLimit: 200, seed: 3 };
    // Two epochs of 20 steps each: per-epoch extras are recorded twice and the checkpoint moves on.
    const a = await startRun({ preset: 'mnist-cvae', backend: 'cpu', config: { ...small, epochs: 2 } }, {}, lab.home);
    const b = await startRun({ preset: 'cae-bn-pool', backend: 'cpu', config: { ...small, epochs: 1 } }, {}, lab.home);
    // 80 steps of 50: enough training per epoch for the per-epoch NLL to fit in its budget (8 images).
    const c = await startRun({ preset: 'linear-vae', backend: 'cpu', config: { ...small, batch: 50, trainLimit: 4000, epochs: 1, lr: 2e-3 } }, {}, lab.home);
    expect([a.status, b.status, c.status]).toEqual(['completed', 'completed', 'completed']);
    [cvae, ae, linear] = [a.run.id, b.run.id, c.run.id];
  });

  afterAll(() => {
    closeAnalysis();
    lab?.cleanup();
  });

  it('records the cheap per-epoch extras within their budget, and a latent map per epoch', () => {
    const store = new RunStore(lab.home);
    // 320 training images an epoch: a budget of 64 forwards, so the 16-image minimum and no NLL.
    const epochs = store.epochs(cvae);
    expect(epochs).toHaveLength(2);
    for (const ep of epochs) {
      const x = ep.extra as Record<string, number | number[] | null>;
      expect(x.evalImages).toBe(16);
      expect(x.nll).toBeNull();
      expect(x.isK).toBe(0);
      expect(x.ssim as number).toBeGreaterThan(0);
      expect(x.rmse as number).toBeGreaterThan(0);
      expect(x.klPerDim as number[]).toHaveLength(16);
      expect(typeof x.activeUnits).toBe('number');
    }
    const maps = store.artifacts(cvae).filter((a) => a.kind === 'latent-map');
    expect(maps.map((m) => m.epoch)).toEqual([1, 2]);
    const map = JSON.parse(readFileSync(join(lab.home, maps[1].path), 'utf8'));
    expect(map.method).toBe('pca');
    expect(map.points).toHaveLength(32);
    expect(map.labels).toHaveLength(16);
    // 4,000 training images: a budget of 800 forwards, so 200 test images and the NLL with K = 50 on 8.
    const [lin] = store.epochs(linear);
    const x = lin.extra as Record<string, number | number[] | null>;
    expect(x.evalImages).toBe(200);
    expect(x.isK).toBe(50);
    expect(x.isImages).toBe(8);
    expect(x.nll as number).toBeGreaterThan(50);
    expect(x.nll as number).toBeLessThan(lin.testLoss + 20); // a bound on 8 images against the loss on 200
    expect(x.bitsPerDim as number).toBeCloseTo((x.nll as number) / (784 * Math.LN2), 8);
    expect(x.klPerDim as number[]).toHaveLength(20);
    const aeExtra = store.epochs(ae)[0].extra as Record<string, unknown>;
    expect(aeExtra.nll).toBeNull();
    expect(aeExtra.klPerDim).toBeUndefined();
  });

  it('evaluates a run (and keeps the report), maps it and samples from it', async () => {
    const r = await evaluateRun(cvae, { isK: 30, limit: 100 }, lab.home);
    expect(r.epoch).toBe(2);
    expect(r.images).toBe(100);
    expect(r.nll!).toBeLessThan(r.loss);
    expect(JSON.parse(readFileSync(join(lab.home, 'runs', cvae, 'eval.json'), 'utf8')).nll).toBe(r.nll);
    const map = await runLatentMap(cvae, 150, lab.home);
    expect(map.indices).toHaveLength(150);
    const s1 = await samplesForRun(cvae, { n: 4, seed: 7 }, lab.home), s2 = await samplesForRun(cvae, { n: 4, seed: 7 }, lab.home);
    expect(s1).toEqual(s2);
    await expect(samplesForRun(ae, { n: 1, seed: 1 }, lab.home)).rejects.toThrow(/no prior/);
  });

  it('exports grids, the checkpoint, a PyTorch module and the metrics CSV', async () => {
    const dir = lab.home;
    const paths = { grid: join(dir, 's.png'), reconGrid: join(dir, 'r.png'), checkpoint: join(dir, 'c.safetensors'), pytorch: join(dir, 'm.py'), csv: join(dir, 'm.csv') };
    const written = await exportRun(cvae, { ...paths, gridRows: 2 }, lab.home);
    expect(written.sort()).toEqual(Object.values(paths).sort());
    const grid = await decodePng(paths.grid);
    expect([grid.width, grid.height]).toEqual([2 * (8 * 30 + 2), 2 * (2 * 30 + 2)]); // 8 columns of 28 px + 2 px padding, scale 2
    const recon = await decodePng(paths.reconGrid);
    expect(recon.height).toBe(2 * (4 * 30 + 2)); // 16 test images and their reconstructions in 2 + 2 rows
    const csv = readFileSync(paths.csv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    const head = csv[0].split(',');
    expect(head.slice(0, 6)).toEqual(['epoch', 'step', 'train_loss', 'train_rec', 'train_kl', 'test_loss']);
    expect(head).toContain('nll');
    expect(head).toContain('klPerDim.15');
    const row = csv[2].split(',');
    expect(Number(row[0])).toBe(2);
    expect(Number(row[5])).toBeCloseTo(new RunStore(lab.home).epochs(cvae)[1].testLoss, 6);
    const ckpt = readCheckpoint(readFileSync(paths.checkpoint), paths.checkpoint);
    expect(ckpt.meta.state!.epoch).toBe(2);
    expect(ckpt.optimizer.size).toBeGreaterThan(0);
    // The AE's grid is its reconstructions; a missing folder fails before anything is written.
    await exportRun(ae, { grid: join(dir, 'ae.png') }, lab.home);
    expect((await decodePng(join(dir, 'ae.png'))).channels).toBe(1);
    await expect(exportRun(cvae, { csv: join(dir, 'x.csv'), grid: join(dir, 'nope', 'g.png') }, lab.home)).rejects.toThrow(/does not exist/);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });

  it('compares runs: metrics side by side, config and layer-by-layer spec differences', () => {
    const c = compareRuns([cvae, linear, ae], lab.home);
    expect(c.metrics.map((m) => m.id)).toEqual([cvae, linear, ae]);
    expect(c.metrics[0].epochs).toBe(2);
    expect(c.metrics[0].nll).not.toBeNull();
    expect(c.metrics[0].nllK).toBe(30); // the stored full evaluation wins over the per-epoch estimate
    expect(c.metrics[2].nll).toBeNull();
    expect(c.metrics[0].bestTestLoss).toBeLessThanOrEqual(c.metrics[0].lastTestLoss!);
    const keys = c.configDiff.map((d) => d.key);
    expect(keys).toContain('preset');
    expect(keys).toContain('epochs');
    expect(keys).toContain('lr');
    expect(keys).toContain('batch');
    expect(keys).not.toContain('seed');
    expect(c.configDiff.find((d) => d.key === 'trainLimit')!.values).toEqual([320, 4000, 320]);
    const latent = c.specDiff.find((d) => d.path === 'latent')!;
    expect(latent.values).toEqual(['16', '20', '-']);
    const enc0 = c.specDiff.find((d) => d.path === 'encoder.0')!;
    expect(enc0.values[0]).toMatch(/^conv2d out=32 kernel=4 stride=2 padding=1 → \[32,14,14\]$/);
    expect(c.specDiff.find((d) => d.path === 'head')!.values).toEqual(['linear → [32]', 'linear → [40]', null]);
    expect(() => compareRuns([cvae, 'nope'], lab.home)).toThrow(/no run 'nope'/);
  });

  it('eval, export and compare commands: output, JSON and usage errors without stack traces', async () => {
    const ev = await runCli(['eval', linear, '--is-k', '10', '--limit', '50', '--json'], lab.home);
    expect(ev.code).toBe(0);
    const r = JSON.parse(ev.stdout);
    expect(r.isK).toBe(10);
    expect(r.nll).toBeLessThan(r.loss + 1);
    const text = await runCli(['eval', ae, '--is-k', '5', '--limit', '20'], lab.home);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/NLL {2}n\/a: an autoencoder/);
    const cmp = await runCli(['compare', cvae, linear], lab.home);
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(/best test/);
    expect(cmp.stdout).toMatch(/encoder\.0\s+conv2d out=32/);
    const cmpJson = JSON.parse((await runCli(['compare', cvae, linear, '--json'], lab.home)).stdout);
    expect(cmpJson.metrics).toHaveLength(2);
    const ex = await runCli(['export', linear, '--csv', join(lab.home, 'l.csv')], lab.home);
    expect(ex.code).toBe(0);
    expect(ex.stdout).toContain('l.csv');
    // Usage errors in-process (no need to pay for a process each): exit code 2, the message, no stack trace.
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    try {
      for (const [args, pattern, code] of [
        [['compare', cvae], /two or more run ids/, 2],
        [['eval'], /give one run id/, 2],
        [['eval', cvae, '--is-k', 'lots'], /--is-k must be an integer/, 2],
        [['eval', cvae, '--is-k', '9000'], /at most 5000/, 2],
        [['export', cvae], /nothing to export/, 2],
        [['export', cvae, '--png', 'x'], /unknown option --png/, 2],
        [['eval', 'no-such-run'], /no run 'no-such-run'/, 1],
      ] as [string[], RegExp, number][]) {
        errors.length = 0;
        expect(await main(args), args.join(' ')).toBe(code);
        const text = errors.join('\n');
        expect(text).toMatch(pattern);
        if (code === 2) expect(text).toMatch(/usage: latent-lab /);
        expect(text).not.toMatch(/\n\s+at /);
      }
    } finally {
      spy.mockRestore();
    }
    const bad = await runCli(['compare', cvae], lab.home); // and once as a user sees it
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^latent-lab compare: give two or more run ids/);
  });

  it.skipIf(torchMissing !== null)('round-trips weights with PyTorch: the exported module and spec_torch.py give our test loss, and back', async () => {
    for (const id of [cvae, ae]) {
      const dir = join(lab.home, `rt-${id}`);
      execFileSync('mkdir', ['-p', dir]);
      const ckptFile = join(dir, 'model.safetensors'), pyFile = join(dir, 'model.py');
      await exportRun(id, { checkpoint: ckptFile, pytorch: pyFile }, lab.home);
      const { model, engine: e, data } = await loadRun(id, lab.home);
      const n = 32, isVae = model.spec.kind === 'vae', latent = model.spec.latent ?? 0;
      const x = new Float32Array(n * 784);
      data.readImages('test', Array.from({ length: n }, (_, i) => 100 + i), x);
      const eps = new Rng(11).fillNormal(new Float32Array(n * latent));
      const inputs = new Map<string, NamedTensor>([['x', { shape: [n, 1, 28, 28], data: x }]]);
      if (isVae) inputs.set('eps', { shape: [n, latent], data: eps });
      writeFileSync(join(dir, 'inputs.safetensors'), serializeSafetensors(inputs));
      const lossOf = async (m: typeof model) => e.scopeAsync(async () => {
        const r = e.noGrad(() => m.loss(e.fromArray([n, 1, 28, 28], x), { training: false, rng: new Rng(0), eps: isVae ? e.fromArray([n, latent], eps) : undefined }));
        return r.loss.item();
      });
      const ours = await lossOf(model);
      const out = JSON.parse(execFileSync(PYTHON, [ROUND_TRIP_PY, dir, join(SHARED, 'reference')], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } }));
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
      expect(out.names).toEqual(model.tensors.map((t) => t.name)); // spec_torch's state_dict, in order
      expect(rel(ours, out.loss_exported)).toBeLessThan(1e-4);
      expect(rel(ours, out.loss_spec_torch)).toBeLessThan(1e-4);
      // And back: weights trained and saved by spec_torch.py load into our model and give PyTorch's loss.
      const back = readCheckpoint(readFileSync(join(dir, 'back.safetensors')), 'back.safetensors', model.spec);
      const theirs = modelFromCheckpoint(e, back, 'back.safetensors');
      try {
        expect(rel(await lossOf(theirs), out.loss_back)).toBeLessThan(1e-4);
        expect(rel(out.loss_back, ours)).toBeGreaterThan(1e-3); // really different weights
        // Weights saved by the exported module's save_weights load into ours too.
        const saved = readCheckpoint(readFileSync(join(dir, 'saved.safetensors')), 'saved.safetensors', model.spec);
        const again = modelFromCheckpoint(e, saved, 'saved.safetensors');
        expect(rel(await lossOf(again), ours)).toBeLessThan(1e-5);
        again.dispose();
      } finally {
        theirs.dispose();
      }
      expect(out.optimizer_step).toBe(isVae ? 40 : 20);
      if (isVae) {
        // Importance weights computed independently with torch.distributions.
        const logW = await e.scopeAsync(() => logImportanceWeights(e, model, e.fromArray([n, 1, 28, 28], x), eps));
        for (let i = 0; i < n; i++) expect(Math.abs(logW[i] - out.log_w[i])).toBeLessThan(2e-3 + 1e-5 * Math.abs(out.log_w[i]));
      }
      // SSIM against a conv2d-based implementation in torch.
      const recon = new Float32Array(out.recon);
      expect(ssim(recon, x, { n, c: 1, h: 28, w: 28 })).toBeCloseTo(out.ssim, 4);
    }
  });
});

const ROUND_TRIP_PY = join(import.meta.dirname, 'roundtrip.py');
